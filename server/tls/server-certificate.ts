import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withTempDir, writePrivateKey, type LocalCa } from './local-ca';
import type { HostName } from './machine-names';
import { allows } from './name-constraints';
import { openssl } from './openssl';

/** The certificate the server presents, signed by the local CA. */
export type ServerCertificate = {
  certPem: string;
  keyPem: string;
  cert: X509Certificate;
  /** Why it was just made, or null when the one on disk still fits. */
  issuedBecause: string | null;
  /** Names this machine answers to that the CA may not sign for (a public address). */
  leftOut: HostName[];
};

/** 397 days: the most Apple and Chromium accept for a server certificate. */
const SERVER_DAYS = 397;
/** Re-issued this long before it expires, so a phone never meets an expired one. */
const RENEW_BEFORE_MS = 30 * 24 * 3_600_000;

/**
 * Keeps `data/tls/server.crt` valid for every name in `names`: re-issues it (same CA, so phones
 * keep trusting it) when a name is new, it nears expiry, or another CA signed it.
 */
export async function ensureServerCertificate(
  ca: LocalCa,
  names: HostName[],
  now: Date,
): Promise<ServerCertificate> {
  const signable = names.filter((n) => allows(ca.constraints, n));
  const leftOut = names.filter((n) => !allows(ca.constraints, n));
  const certPath = join(ca.dir, 'server.crt');
  const keyPath = join(ca.dir, 'server.key');
  const current =
    existsSync(certPath) && existsSync(keyPath)
      ? {
          cert: new X509Certificate(await readFile(certPath, 'utf8')),
          key: await readFile(keyPath, 'utf8'),
        }
      : null;
  const reason = current === null ? 'there was none yet' : whyReissue(current, ca, signable, now);
  if (reason !== null) await issue(ca, signable, certPath, keyPath);
  const certPem = await readFile(certPath, 'utf8');
  const keyPem = await readFile(keyPath, 'utf8');
  return { certPem, keyPem, cert: new X509Certificate(certPem), issuedBecause: reason, leftOut };
}

function whyReissue(
  { cert, key }: { cert: X509Certificate; key: string },
  ca: LocalCa,
  names: HostName[],
  now: Date,
): string | null {
  if (!cert.verify(ca.cert.publicKey)) return 'it was signed by another CA';
  if (!cert.checkPrivateKey(createPrivateKey(key))) return 'its key did not match it';
  const covered = new Set(sanValues(cert));
  const missing = names.filter((n) => !covered.has(n.value));
  if (missing.length > 0) return `it did not cover ${missing.map((n) => n.value).join(', ')}`;
  const expires = new Date(cert.validTo);
  if (expires.getTime() - now.getTime() < RENEW_BEFORE_MS) {
    return `it expires on ${expires.toISOString().slice(0, 10)}`;
  }
  return null;
}

/** The DNS names and IP addresses a certificate covers, lower-case. */
export function sanValues(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, '').toLowerCase())
    .filter(Boolean);
}

async function issue(ca: LocalCa, names: HostName[], certPath: string, keyPath: string) {
  await writePrivateKey(`${keyPath}.pending`);
  await withTempDir(async (tmp) => {
    const csr = join(tmp, 'server.csr');
    const ext = join(tmp, 'server.cnf');
    await writeFile(ext, serverExtensions(names));
    const cn = names.find((n) => n.kind === 'dns')?.value ?? 'localhost';
    await openssl([
      'req',
      '-new',
      '-key',
      `${keyPath}.pending`,
      '-subj',
      `/O=Loupe/CN=${cn}`,
      '-out',
      csr,
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.certPath,
      '-CAkey',
      ca.keyPath,
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-days',
      String(SERVER_DAYS),
      '-sha256',
      '-extfile',
      ext,
      '-extensions',
      'v3_server',
      '-out',
      `${certPath}.pending`,
    ]);
  });
  // The key first: a crash between the two renames leaves a pair that does not match, which the
  // next start notices (the cert's key check) and re-issues.
  await rename(`${keyPath}.pending`, keyPath);
  await rename(`${certPath}.pending`, certPath);
}

function serverExtensions(names: HostName[]): string {
  const alt = names.map((n, i) => `${n.kind === 'dns' ? 'DNS' : 'IP'}.${i + 1} = ${n.value}`);
  return `[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = @alt
[alt]
${alt.join('\n')}
`;
}
