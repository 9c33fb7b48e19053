import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import type { HostName } from './machine-names';
import { defaultConstraints, toOpensslExtension, type NameConstraints } from './name-constraints';
import { openssl } from './openssl';

/** Loupe's own certificate authority: made once per data directory, trusted once per phone. */
export type LocalCa = {
  dir: string;
  certPath: string;
  keyPath: string;
  certPem: string;
  cert: X509Certificate;
  constraints: NameConstraints;
};

const CA_DAYS = 3650;

/** Loads the CA kept in `dir` (data/tls), or makes one: an EC P-256 key readable by this user only. */
export async function loadOrCreateLocalCa(dir: string, names: HostName[]): Promise<LocalCa> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  const constraintsPath = join(dir, 'ca-constraints.json');
  if (!existsSync(certPath) || !existsSync(keyPath) || !existsSync(constraintsPath)) {
    const constraints = defaultConstraints(names);
    await writePrivateKey(keyPath);
    await withTempDir(async (tmp) => {
      const config = join(tmp, 'ca.cnf');
      await writeFile(config, caConfig(constraints));
      await openssl([
        'req',
        '-x509',
        '-new',
        '-key',
        keyPath,
        '-sha256',
        '-days',
        String(CA_DAYS),
        '-config',
        config,
        '-extensions',
        'v3_ca',
        '-out',
        `${certPath}.new`,
      ]);
    });
    await rename(`${certPath}.new`, certPath);
    await writeFile(constraintsPath, JSON.stringify(constraints, null, 2));
  }
  const certPem = await readFile(certPath, 'utf8');
  const constraints = JSON.parse(await readFile(constraintsPath, 'utf8')) as NameConstraints;
  return { dir, certPath, keyPath, certPem, cert: new X509Certificate(certPem), constraints };
}

/** A new EC P-256 private key, written with mode 600 before any byte of it is on disk. */
export async function writePrivateKey(path: string): Promise<void> {
  const pem = await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  await writeFile(`${path}.new`, pem, { mode: 0o600 });
  await rename(`${path}.new`, path);
}

export async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-tls-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function caConfig(constraints: NameConstraints): string {
  return `[req]
distinguished_name = dn
prompt = no
[dn]
CN = Loupe local CA (${hostname().replace(/[^\w.-]/g, '') || 'this computer'})
O = Loupe
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
nameConstraints = ${toOpensslExtension(constraints)}
`;
}
