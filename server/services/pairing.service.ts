import { randomInt } from 'node:crypto';
import type { PairingCode } from '../contract/pairing';
import { AppError } from '../http/app-error';
import type { Clock } from './clock';

/** No 0/O, 1/I/L: a code is read off a screen and typed on a phone. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;
const CODE_MINUTES = 10;
/** Wrong codes allowed per minute, all devices together: 31^8 codes cannot be guessed at this rate. */
const WRONG_PER_MINUTE = 10;

const HINT =
  'Open "Connect a phone" on a device that is logged in (or look at the terminal where Loupe ' +
  'started) for a new code.';

/**
 * Pairing codes: a logged-in device asks for one, a new device spends it for the user token.
 * In memory: a code lives minutes, and a restart only costs a new code.
 */
export class PairingService {
  /** normalised code -> expiry in ms since the epoch */
  private readonly codes = new Map<string, number>();
  private wrong: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly minutes = CODE_MINUTES,
  ) {}

  issue(pairUrl: (code: string) => string[]): PairingCode {
    const now = this.clock.now().getTime();
    for (const [code, expires] of this.codes) if (expires <= now) this.codes.delete(code);
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    const expires = now + this.minutes * 60_000;
    this.codes.set(code, expires);
    const shown = `${code.slice(0, 4)}-${code.slice(4)}`;
    return { code: shown, expiresAt: new Date(expires).toISOString(), pairUrls: pairUrl(shown) };
  }

  /** Spends a code; answers the token it stands for. Unknown, used and expired codes are refused. */
  claim(typed: string, token: string): { token: string } {
    const now = this.clock.now().getTime();
    this.wrong = this.wrong.filter((t) => t > now - 60_000);
    if (this.wrong.length >= WRONG_PER_MINUTE) {
      throw new AppError(
        429,
        'too_many_attempts',
        'too many wrong pairing codes in the last minute',
        'Wait a minute, then type the code again.',
      );
    }
    const code = typed.toUpperCase().replace(/[^A-Z0-9]/g, '');
    const expires = this.codes.get(code);
    this.codes.delete(code);
    if (expires === undefined) {
      this.wrong.push(now);
      throw new AppError(
        400,
        'unknown_pairing_code',
        'this pairing code is unknown or was already used',
        HINT,
      );
    }
    if (expires <= now) {
      throw new AppError(
        400,
        'expired_pairing_code',
        `this pairing code expired (codes last ${this.minutes} minutes)`,
        HINT,
      );
    }
    return { token };
  }
}
