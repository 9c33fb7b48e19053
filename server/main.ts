import { readEnv } from './env';
import { startBanner } from './onboarding/start-banner';
import { startServer } from './server';
import { TlsSetupError } from './tls/own-certificate';

const env = readEnv();
const server = await startServer(env).catch((error: unknown) => {
  if (error instanceof TlsSetupError) {
    console.error(`\n  Loupe cannot start HTTPS: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
});

const connect = server.services.connect.info(server.url);
const pairing =
  connect.problem === null
    ? server.services.pairing.issue((code) => server.services.connect.pairUrls(server.url, code))
    : null;
console.log(
  await startBanner({
    localUrl: server.url,
    userToken: server.tokens.userToken,
    dataDir: env.dataDir,
    runner: env.runner,
    connect,
    pairing,
  }),
);

const shutdown = async () => {
  console.log('server: shutting down');
  await server.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
