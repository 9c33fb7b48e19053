import QRCode from 'qrcode';
import type { ConnectInfo, PairingCode } from '../contract/pairing';

/**
 * What `npm start` prints: the address for this computer and, for a phone, a QR code of the
 * set-up page (or of the pairing address when no CA needs trusting) and a pairing code.
 */
export async function startBanner(o: {
  localUrl: string;
  userToken: string;
  dataDir: string;
  runner: string;
  connect: ConnectInfo;
  pairing: PairingCode | null;
}): Promise<string> {
  const lines = [
    '',
    '  Loupe is running.',
    `  On this computer: ${o.localUrl}/?token=${o.userToken}`,
    `  (the token logs this browser in; it is kept in ${o.dataDir}/tokens.json)`,
    `  Data: ${o.dataDir}    gpu-runner: ${o.runner}`,
    '',
  ];
  const c = o.connect;
  if (c.problem) {
    lines.push(`  A phone: ${c.problem}`, '');
    return lines.join('\n');
  }
  if (!o.pairing || c.appUrls.length === 0) return lines.join('\n');
  const scan = c.onboardingUrl ?? o.pairing.pairUrls[0]!;
  lines.push('  A phone on the same network:');
  if (c.onboardingUrl) {
    lines.push(`  1. Scan this code with the phone's camera (${c.onboardingUrl}) and follow its`);
    lines.push("     steps to trust Loupe's certificate once.");
  } else {
    lines.push(`  1. Scan this code with the phone's camera (${c.appUrls[0]}/pair).`);
  }
  lines.push(
    indent(
      await QRCode.toString(scan, { type: 'terminal', small: true, errorCorrectionLevel: 'L' }),
    ),
  );
  lines.push(
    `  2. On the phone, open ${c.appUrls[0]}/pair and type the pairing code  ${o.pairing.code}`,
  );
  lines.push(
    `     (it works once, for 10 minutes; "Connect a phone" in Loupe makes new ones: ${o.localUrl}/connect).`,
  );
  if (c.appUrls.length > 1)
    lines.push(`     Other addresses of this computer: ${c.appUrls.slice(1).join('  ')}`);
  if (c.caFingerprint) lines.push(`     Loupe's CA fingerprint (SHA-256): ${c.caFingerprint}`);
  lines.push('');
  return lines.join('\n');
}

const indent = (block: string) =>
  block
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n');
