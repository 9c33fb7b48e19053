import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tokens } from '../http/auth';

/**
 * The access tokens live in the data directory, created on first start (mode 600), so a restart
 * keeps every browser and runner logged in.
 */
export function loadOrCreateTokens(dataDir: string): Tokens & { created: boolean } {
  const file = join(dataDir, 'tokens.json');
  if (existsSync(file))
    return { ...(JSON.parse(readFileSync(file, 'utf8')) as Tokens), created: false };
  const tokens: Tokens = {
    userToken: randomBytes(24).toString('base64url'),
    runnerToken: randomBytes(24).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(tokens, null, 2), { mode: 0o600 });
  return { ...tokens, created: true };
}
