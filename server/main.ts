import { readEnv } from './env';
import { startServer } from './server';

const env = readEnv();
const server = await startServer(env);

console.log(`
  Loupe is running.
  Open ${server.url}/?token=${server.tokens.userToken}
  (the token logs this browser in; it is kept in ${env.dataDir}/tokens.json)
  Data: ${env.dataDir}    gpu-runner: ${env.runner}
`);

const shutdown = async () => {
  console.log('server: shutting down');
  await server.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
