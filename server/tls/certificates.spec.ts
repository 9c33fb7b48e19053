import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateLocalCa } from './local-ca';
import { uniqueNames } from './machine-names';
import { allows, defaultConstraints } from './name-constraints';
import { checkOwnCertificate, TlsSetupError } from './own-certificate';
import { ensureServerCertificate, sanValues } from './server-certificate';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-tls-spec-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const names = (...v: string[]) => uniqueNames(v);
const DAY = 86_400_000;

describe('the local CA and the server certificate', () => {
  it('makes a CA whose key only this user can read, and a certificate for every name', async () => {
    const ca = await loadOrCreateLocalCa(join(dir, 'tls'), names('loupe.lan', '192.168.1.20'));
    expect(statSync(ca.keyPath).mode & 0o777).toBe(0o600);
    expect(ca.cert.ca).toBe(true);
    const text = execFileSync('openssl', ['x509', '-in', ca.certPath, '-noout', '-text'], {
      encoding: 'utf8',
    });
    expect(text).toMatch(/Name Constraints: critical/);
    expect(text).toMatch(/Permitted:[\s\S]*DNS:lan[\s\S]*IP:192\.168\.0\.0\/255\.255\.0\.0/);

    const server = await ensureServerCertificate(
      ca,
      names('loupe.lan', '192.168.1.20', 'localhost'),
      new Date(),
    );
    expect(server.issuedBecause).toBe('there was none yet');
    expect(server.cert.verify(ca.cert.publicKey)).toBe(true);
    expect(sanValues(server.cert).sort()).toEqual(['192.168.1.20', 'localhost', 'loupe.lan']);
    expect(server.cert.checkHost('loupe.lan')).toBe('loupe.lan');
    // openssl itself accepts the chain for a TLS server.
    writeFileSync(join(dir, 'leaf.pem'), server.certPem);
    const verified = execFileSync(
      'openssl',
      ['verify', '-CAfile', ca.certPath, '-purpose', 'sslserver', join(dir, 'leaf.pem')],
      { encoding: 'utf8' },
    );
    expect(verified).toMatch(/OK/);
  });

  it('re-issues for a changed address with the same CA, and keeps a certificate that still fits', async () => {
    const tlsDir = join(dir, 'tls');
    const ca = await loadOrCreateLocalCa(tlsDir, names('192.168.1.20'));
    const caPem = readFileSync(ca.certPath, 'utf8');
    const first = await ensureServerCertificate(ca, names('192.168.1.20', 'localhost'), new Date());

    const again = await ensureServerCertificate(ca, names('192.168.1.20', 'localhost'), new Date());
    expect(again.issuedBecause).toBeNull();
    expect(again.cert.serialNumber).toBe(first.cert.serialNumber);

    // DHCP handed the machine a new address: a new certificate, signed by the same CA.
    const moved = await ensureServerCertificate(ca, names('192.168.1.31', 'localhost'), new Date());
    expect(moved.issuedBecause).toBe('it did not cover 192.168.1.31');
    expect(sanValues(moved.cert)).toContain('192.168.1.31');
    const reloaded = await loadOrCreateLocalCa(tlsDir, names('192.168.1.31'));
    expect(readFileSync(reloaded.certPath, 'utf8')).toBe(caPem);
    expect(moved.cert.verify(reloaded.cert.publicKey)).toBe(true);
  });

  it('re-issues a month before expiry', async () => {
    const ca = await loadOrCreateLocalCa(join(dir, 'tls'), names('loupe.lan'));
    const first = await ensureServerCertificate(ca, names('loupe.lan'), new Date());
    const validTo = Date.parse(first.cert.validTo);
    const later = await ensureServerCertificate(
      ca,
      names('loupe.lan'),
      new Date(validTo - 40 * DAY),
    );
    expect(later.issuedBecause).toBeNull();
    const near = await ensureServerCertificate(
      ca,
      names('loupe.lan'),
      new Date(validTo - 20 * DAY),
    );
    expect(near.issuedBecause).toMatch(/^it expires on \d{4}-\d\d-\d\d$/);
    expect(near.cert.serialNumber).not.toBe(first.cert.serialNumber);
  });

  it('leaves out what the CA may not sign, and says so', async () => {
    const ca = await loadOrCreateLocalCa(join(dir, 'tls'), names('loupe.lan'));
    const cert = await ensureServerCertificate(
      ca,
      names('loupe.lan', '8.8.8.8', 'example.com'),
      new Date(),
    );
    expect(cert.leftOut.map((n) => n.value)).toEqual(['8.8.8.8', 'example.com']);
    expect(sanValues(cert.cert)).toEqual(['loupe.lan']);
  });

  it('constrains the CA to private ranges, local names and the names it was made for', () => {
    const c = defaultConstraints(names('my-laptop', 'cards.example.org'));
    const ok = (v: string) => allows(c, uniqueNames([v])[0]!);
    expect(
      [
        '10.2.3.4',
        '172.20.0.1',
        '192.168.0.9',
        '100.100.1.1',
        'fd12::1',
        'my-laptop',
        'my-laptop.local',
        'x.ts.net',
        'cards.example.org',
      ].every(ok),
    ).toBe(true);
    expect(['8.8.8.8', '172.32.0.1', '2001:db8::1', 'bank.com', 'example.org'].some(ok)).toBe(
      false,
    );
  });
});

describe("the operator's own certificate", () => {
  const make = (name: string, san: string, days = 30) => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, `${name}.key`),
        '-out',
        join(dir, `${name}.crt`),
        '-days',
        String(days),
        '-subj',
        `/CN=${name}`,
        '-addext',
        `subjectAltName=${san}`,
      ],
      { stdio: 'ignore' },
    );
    return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  };

  it('is accepted when it matches its key, is valid and covers the host', () => {
    const own = make('cards', 'DNS:cards.example.ts.net');
    const checked = checkOwnCertificate(own, ['cards.example.ts.net'], new Date());
    expect(checked.cert.subject).toMatch(/CN=cards/);
  });

  it("refuses a key that is not the certificate's", () => {
    const a = make('a', 'DNS:a.lan');
    const b = make('b', 'DNS:b.lan');
    expect(() => checkOwnCertificate({ cert: a.cert, key: b.key }, ['a.lan'], new Date())).toThrow(
      /LOUPE_TLS_KEY .* is not the key of LOUPE_TLS_CERT/,
    );
  });

  it('refuses an expired certificate, saying when it expired', () => {
    const own = make('old', 'DNS:old.lan', 1);
    const after = new Date(Date.parse(new X509Certificate(readFileSync(own.cert)).validTo) + DAY);
    expect(() => checkOwnCertificate(own, ['old.lan'], after)).toThrow(/expired on \d{4}-/);
  });

  it('refuses a certificate that does not cover the host clients use', () => {
    const own = make('other', 'DNS:other.lan');
    let error: unknown;
    try {
      checkOwnCertificate(own, ['cards.lan'], new Date());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TlsSetupError);
    expect((error as Error).message).toMatch(
      /covers DNS:other\.lan, but not cards\.lan\. Set LOUPE_TLS_NAMES/,
    );
  });

  it('says which file cannot be read', () => {
    expect(() =>
      checkOwnCertificate(
        { cert: join(dir, 'none.crt'), key: join(dir, 'none.key') },
        ['x'],
        new Date(),
      ),
    ).toThrow(/LOUPE_TLS_CERT names .*none\.crt, which cannot be read/);
  });
});
