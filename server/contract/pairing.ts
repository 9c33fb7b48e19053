import { z } from 'zod';

/**
 * `POST /api/pairing/codes`: a short-lived, single-use code that logs one more device in. It is
 * shown (and as a QR code of `pairUrls[0]`) on a device already logged in; the new device trades
 * it for the token over HTTPS, so the token itself never travels over plain http.
 */
export const PairingCode = z.object({
  /** Eight letters and digits as `XXXX-XXXX`; case, spaces and dashes do not matter when typed. */
  code: z.string(),
  expiresAt: z.string(),
  /** `https://<address>/pair#code=…`, best address first: what the QR code holds. */
  pairUrls: z.array(z.string()),
});
export type PairingCode = z.infer<typeof PairingCode>;

/** `POST /api/pairing/claim` (no token): the code as typed or scanned. */
export const PairingClaim = z.object({ code: z.string().min(1).max(64) });
export type PairingClaim = z.infer<typeof PairingClaim>;

export const PairingToken = z.object({ token: z.string() });
export type PairingToken = z.infer<typeof PairingToken>;

/** `GET /api/connect`: how a phone on the same network reaches this server. */
export const ConnectInfo = z.object({
  /**
   * `local-ca`: HTTPS with Loupe's own CA (a phone trusts it once); `own-certificate`: the
   * operator's certificate; `proxy`: a reverse proxy terminates TLS; `plain`: no TLS (loopback).
   */
  transport: z.enum(['local-ca', 'own-certificate', 'proxy', 'plain']),
  /** Addresses a phone opens the app at, best first. */
  appUrls: z.array(z.string()),
  /** The plain-http page that walks a phone through trusting the CA (local-ca only). */
  onboardingUrl: z.string().nullable(),
  /** SHA-256 of Loupe's CA certificate, to compare with what the phone shows. */
  caFingerprint: z.string().nullable(),
  /** Why a phone cannot connect yet, and what to do (e.g. the server listens on loopback only). */
  problem: z.string().nullable(),
});
export type ConnectInfo = z.infer<typeof ConnectInfo>;
