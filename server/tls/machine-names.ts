import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';

/** A name or address a client may use to reach this server, as it goes into a certificate. */
export type HostName = { kind: 'dns' | 'ip'; value: string };

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

/**
 * Every name and address this machine answers to: its LAN addresses (what a phone in the same
 * network types or scans), loopback, its host name and `<host>.local` (mDNS), and the names the
 * operator adds (LOUPE_TLS_NAMES: a Tailscale name, a DNS entry of the router).
 */
export function machineNames(extra: string[] = []): HostName[] {
  const host = hostname().toLowerCase();
  const names = [...LOOPBACK, ...lanAddresses(), ...extra];
  if (host && host !== 'localhost')
    names.push(host, host.endsWith('.local') ? host : `${host}.local`);
  return uniqueNames(names);
}

/** The machine's non-loopback addresses (IPv4 first: phones are usually handed one). */
export function lanAddresses(): string[] {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const usable = all.filter(
    (a) => !a.internal && !(a.family === 'IPv6' && a.address.startsWith('fe80')),
  );
  usable.sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1));
  return usable.map((a) => a.address);
}

export function toHostName(value: string): HostName {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return { kind: isIP(v) ? 'ip' : 'dns', value: v };
}

export function uniqueNames(values: string[]): HostName[] {
  const seen = new Set<string>();
  const out: HostName[] = [];
  for (const value of values) {
    const name = toHostName(value);
    if (!name.value || seen.has(name.value)) continue;
    seen.add(name.value);
    out.push(name);
  }
  return out;
}

/** Whether a Host header (or name) means this machine's loopback, which browsers trust over http. */
export function isLoopbackName(host: string): boolean {
  const v = host.toLowerCase().replace(/^\[|\]$/g, '');
  return v === 'localhost' || v.endsWith('.localhost') || v === '::1' || /^127\./.test(v);
}

/** A Host header without its port: `loupe.lan:8787` -> `loupe.lan`, `[::1]:8787` -> `::1`. */
export function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colons = host.split(':').length - 1;
  return colons === 1 ? host.slice(0, host.indexOf(':')) : host;
}

/** A host as it stands in a URL: IPv6 addresses in brackets. */
export const urlHost = (name: string) => (isIP(name) === 6 ? `[${name}]` : name);
