import { BlockList, isIP } from 'node:net';
import type { HostName } from './machine-names';

/**
 * What Loupe's local CA may sign for, written into the CA itself (X.509 name constraints) so that
 * a phone that trusts it trusts it for this network only: were the CA key ever stolen, it could
 * not impersonate any public site. Private and link-local ranges, Tailscale's 100.64/10, local
 * name suffixes, the host name, and the names the operator gave when the CA was made.
 */
export type NameConstraints = { dns: string[]; ip: { net: string; prefix: number }[] };

const PRIVATE_RANGES = [
  { net: '10.0.0.0', prefix: 8 },
  { net: '172.16.0.0', prefix: 12 },
  { net: '192.168.0.0', prefix: 16 },
  { net: '100.64.0.0', prefix: 10 },
  { net: '169.254.0.0', prefix: 16 },
  { net: '127.0.0.0', prefix: 8 },
  { net: 'fc00::', prefix: 7 },
  { net: 'fe80::', prefix: 10 },
  { net: '::1', prefix: 128 },
];
const LOCAL_SUFFIXES = ['localhost', 'local', 'lan', 'home', 'internal', 'home.arpa', 'ts.net'];

export function defaultConstraints(names: HostName[]): NameConstraints {
  const dns = new Set(LOCAL_SUFFIXES);
  for (const n of names)
    if (n.kind === 'dns' && !allowsDns({ dns: [...dns], ip: [] }, n.value)) dns.add(n.value);
  const ip = [...PRIVATE_RANGES];
  for (const n of names) {
    if (n.kind === 'ip' && !allowsIp(ip, n.value)) {
      ip.push({ net: n.value, prefix: isIP(n.value) === 4 ? 32 : 128 });
    }
  }
  return { dns: [...dns], ip };
}

export function allows(constraints: NameConstraints, name: HostName): boolean {
  return name.kind === 'dns'
    ? allowsDns(constraints, name.value)
    : allowsIp(constraints.ip, name.value);
}

const allowsDns = (c: NameConstraints, name: string) =>
  c.dns.some((d) => name === d || name.endsWith(`.${d}`));

function allowsIp(ranges: NameConstraints['ip'], address: string): boolean {
  const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  for (const r of ranges) {
    if ((isIP(r.net) === 4 ? 'ipv4' : 'ipv6') === family) list.addSubnet(r.net, r.prefix, family);
  }
  return list.check(address, family);
}

/** The constraints as an openssl `nameConstraints` extension value. */
export function toOpensslExtension(c: NameConstraints): string {
  const dns = c.dns.map((d) => `permitted;DNS:${d}`);
  const ip = c.ip.map((r) => `permitted;IP:${r.net}/${prefixMask(r.net, r.prefix)}`);
  return ['critical', ...dns, ...ip].join(',');
}

function prefixMask(net: string, prefix: number): string {
  if (isIP(net) === 4) {
    const bits = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
  }
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) {
    const on = Math.max(0, Math.min(16, prefix - g * 16));
    groups.push(((0xffff << (16 - on)) & 0xffff).toString(16));
  }
  return groups.join(':');
}
