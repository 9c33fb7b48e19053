import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type LocalRunnerOptions = {
  python: string;
  serverUrl: string;
  runnerToken: string;
  workDir: string;
};

/**
 * Keeps one gpu-runner process beside the server (the embedded default). It is restarted if it
 * dies, with a growing pause so a broken environment does not spin.
 */
export function startLocalRunner(o: LocalRunnerOptions) {
  if (!existsSync(o.python)) {
    console.warn(
      `server: no gpu-runner Python at ${o.python}; run "npm run setup". Jobs will wait.`,
    );
    return { stop: async () => {} };
  }
  let child: ChildProcess | null = null;
  let stopping = false;
  let delayMs = 1000;

  const launch = () => {
    const started = Date.now();
    child = spawn(o.python, ['-m', 'loupe_runner'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        LOUPE_SERVER_URL: o.serverUrl,
        LOUPE_RUNNER_TOKEN: o.runnerToken,
        LOUPE_RUNNER_WORKDIR: o.workDir,
        LOUPE_RUNNER_ID: 'local',
      },
    });
    child.on('exit', (code, signal) => {
      child = null;
      if (stopping) return;
      delayMs = Date.now() - started > 60_000 ? 1000 : Math.min(delayMs * 2, 60_000);
      console.warn(`server: gpu-runner exited (${signal ?? code}); restarting in ${delayMs} ms`);
      setTimeout(launch, delayMs).unref();
    });
  };
  launch();

  return {
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        const running = child;
        if (!running) return resolve();
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
        setTimeout(() => running.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

export const runnerWorkDir = (dataDir: string) => join(dataDir, 'runner');
