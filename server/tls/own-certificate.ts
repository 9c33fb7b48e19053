import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** A start-up problem with the operator's own certificate: what is wrong and what to do. */
export class TlsSetupError extends Error {
  override name = 'TlsSetupError';
}

/**
 * Checks LOUPE_TLS_CERT / LOUPE_TLS_KEY before the server listens, so a wrong file is a clear
 * start-up error instead of a phone's "your connection is not private": the key must be the
 * certificate's, the certificate valid now, and it must cover the names clients use.
 */
export function checkOwnCertificate(
  paths: { cert: string; key: string },
  hosts: string[],
  now: Date,
): { certPem: string; keyPem: string; cert: X509Certificate } {
  const certPem = readTlsFile(paths.cert, 'LOUPE_TLS_CERT');
  const keyPem = readTlsFile(paths.key, 'LOUPE_TLS_KEY');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new TlsSetupError(`LOUPE_TLS_CERT (${paths.cert}) is not a PEM certificate.`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new TlsSetupError(
      `LOUPE_TLS_KEY (${paths.key}) is not a PEM private key (or it is encrypted).`,
    );
  }
  if (!cert.checkPrivateKey(key)) {
    throw new TlsSetupError(
      `LOUPE_TLS_KEY (${paths.key}) is not the key of LOUPE_TLS_CERT (${paths.cert}). ` +
        'Point both at the files your certificate authority issued together.',
    );
  }
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new TlsSetupError(
      `LOUPE_TLS_CERT (${paths.cert}) expired on ${notAfter.toISOString()}. Renew it, or unset ` +
        "LOUPE_TLS_CERT and LOUPE_TLS_KEY to use Loupe's own local certificate authority.",
    );
  }
  const notBefore = new Date(cert.validFrom);
  if (notBefore.getTime() > now.getTime()) {
    throw new TlsSetupError(
      `LOUPE_TLS_CERT (${paths.cert}) is not valid before ${notBefore.toISOString()}; check this machine's clock.`,
    );
  }
  const covered = hosts.filter((h) => covers(cert, h));
  if (covered.length === 0) {
    throw new TlsSetupError(
      `LOUPE_TLS_CERT (${paths.cert}) covers ${cert.subjectAltName ?? 'no names'}, but not ` +
        `${hosts.join(', ')}. Set LOUPE_TLS_NAMES to the name clients use (one the certificate covers).`,
    );
  }
  return { certPem, keyPem, cert };
}

export const covers = (cert: X509Certificate, host: string) =>
  isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;

function readTlsFile(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TlsSetupError(
      `${variable} names ${path}, which cannot be read: ${(error as Error).message}`,
    );
  }
}
