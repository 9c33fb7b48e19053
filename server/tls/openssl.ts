import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The system's `openssl`, the reference X.509 implementation that every Linux and macOS machine
 * already has: Node can parse certificates but not issue them, and a pure-JS issuer would be a
 * new dependency to trust with the one key that phones trust.
 */
export async function openssl(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('openssl', args, { encoding: 'utf8' });
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        'HTTPS needs the "openssl" command to make Loupe\'s local certificate authority, and it is ' +
          'not installed. Install it (Debian/Ubuntu: apt-get install openssl), or bring your own ' +
          'certificate with LOUPE_TLS_CERT and LOUPE_TLS_KEY.',
      );
    }
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}
