import { join } from 'node:path';
import type { TlsSettings } from '../env';
import type { Clock } from '../services/clock';
import { loadOrCreateLocalCa } from './local-ca';
import { isLoopbackName, machineNames, uniqueNames, type HostName } from './machine-names';
import { checkOwnCertificate, covers } from './own-certificate';
import { ensureServerCertificate } from './server-certificate';

export type Credentials = { certPem: string; keyPem: string };

/** What the server presents over TLS, and the addresses a phone can use. */
export type TlsState = {
  kind: 'local-ca' | 'own';
  credentials: Credentials;
  /** Loupe's CA certificate (PEM) for phones to trust; null with the operator's own certificate. */
  caPem: string | null;
  /** SHA-256 fingerprint of that CA, shown so a user can compare it with what the phone shows. */
  caFingerprint: string | null;
  /** Names and addresses the certificate covers, the ones a phone most likely uses first. */
  hosts: string[];
  /** Lines for the start-up log: what was made and why, what was left out. */
  notices: string[];
  /** Re-checks names and expiry; the new credentials when the certificate was re-issued. */
  refresh: () => Promise<Credentials | null>;
};

/** Whether the server serves HTTPS when bound to `host` with these settings. */
export const tlsWanted = (host: string, settings: TlsSettings) =>
  settings.mode === 'on' || (settings.mode === 'auto' && !isLoopbackName(host));

/** Makes or loads the certificate the server will present; null when TLS is off. */
export async function setUpTls(
  host: string,
  settings: TlsSettings,
  dataDir: string,
  clock: Clock,
): Promise<TlsState | null> {
  if (!tlsWanted(host, settings)) return null;
  if (settings.own) return ownCertificateState(settings, clock);

  const names = () =>
    orderForPhones(
      uniqueNames([...settings.names, ...machineNames().map((n) => n.value)]),
      settings.names,
    );
  const ca = await loadOrCreateLocalCa(join(dataDir, 'tls'), names());
  const first = await ensureServerCertificate(ca, names(), clock.now());
  const notices: string[] = [];
  if (first.issuedBecause) notices.push(`made a new server certificate: ${first.issuedBecause}`);
  if (first.leftOut.length > 0) {
    notices.push(
      `not in the certificate (Loupe's local CA signs private addresses and local names only): ` +
        `${first.leftOut.map((n) => n.value).join(', ')}; use LOUPE_TLS_CERT for those`,
    );
  }
  const state: TlsState = {
    kind: 'local-ca',
    credentials: first,
    caPem: ca.certPem,
    caFingerprint: ca.cert.fingerprint256,
    hosts: names()
      .filter((n) => !first.leftOut.includes(n))
      .map((n) => n.value),
    notices,
    refresh: async () => {
      const now = names();
      const next = await ensureServerCertificate(ca, now, clock.now());
      state.hosts = now
        .filter((n) => !next.leftOut.some((l) => l.value === n.value))
        .map((n) => n.value);
      if (!next.issuedBecause) return null;
      console.log(`server: made a new server certificate: ${next.issuedBecause}`);
      state.credentials = next;
      return next;
    },
  };
  return state;
}

function ownCertificateState(settings: TlsSettings, clock: Clock): TlsState {
  const own = settings.own!;
  const candidates =
    settings.names.length > 0 ? settings.names : machineNames().map((n) => n.value);
  const checked = checkOwnCertificate(own, candidates, clock.now());
  const hosts = candidates.filter((h) => !isLoopbackName(h) && covers(checked.cert, h));
  return {
    kind: 'own',
    credentials: checked,
    caPem: null,
    caFingerprint: null,
    hosts: hosts.length > 0 ? hosts : candidates.filter((h) => covers(checked.cert, h)),
    notices: [
      `serving the certificate in ${own.cert} (valid until ${new Date(checked.cert.validTo).toISOString().slice(0, 10)})`,
    ],
    refresh: async () => null,
  };
}

/**
 * Names a phone can use, best first: the operator's names, then LAN IPv4 addresses (what a QR
 * code should carry: no mDNS needed), then IPv6, `<host>.local`, the bare host name, loopback.
 */
function orderForPhones(names: HostName[], operator: string[]): HostName[] {
  const rank = (n: HostName) => {
    if (operator.includes(n.value)) return 0;
    if (isLoopbackName(n.value)) return 5;
    if (n.kind === 'ip') return n.value.includes(':') ? 2 : 1;
    return n.value.includes('.') ? 3 : 4;
  };
  // Array.prototype.sort is stable: within a rank, the order the names came in.
  return [...names].sort((a, b) => rank(a) - rank(b));
}
