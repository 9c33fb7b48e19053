// A Loupe server as its own process (server/main.ts through tsx, no gpu-runner) on a given data dir and
// port, so a test can kill it the hard way (SIGKILL, as a crash or power loss) and start it again
// on the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export type ChildServer = {
  url: string;
  token: string;
  process: ChildProcess;
  /** Kills it without warning: no shutdown handler runs. */
  kill(): Promise<void>;
};

export async function startChildServer(
  dataDir: string,
  port: number,
  /** More LOUPE_* settings (HTTPS for the transport benchmark). */
  env: Record<string, string> = {},
): Promise<ChildServer> {
  // `node --import tsx` is `tsx server/main.ts` in one process (the tsx CLI forks a second one,
  // which a SIGKILL of the first would leave running).
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      LOUPE_PORT: String(port),
      LOUPE_HOST: '127.0.0.1',
      LOUPE_DATA_DIR: dataDir,
      LOUPE_RUNNER: 'off',
      LOUPE_WEB_DIR: resolve('build'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Loupe is running')) ready();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => fail(new Error(`the server exited (${code}):\n${output}`)));
  });
  const tokens = JSON.parse(readFileSync(join(dataDir, 'tokens.json'), 'utf8')) as {
    userToken: string;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    token: tokens.userToken,
    process: child,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
