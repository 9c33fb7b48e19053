import { createHash, X509Certificate } from 'node:crypto';

/**
 * An iOS configuration profile that installs Loupe's CA (iOS opens a `.crt` as text, but offers
 * to install a `.mobileconfig`). UUIDs come from the CA's fingerprint, so downloading it twice
 * gives the same profile and iOS replaces rather than duplicates it.
 */
export function iosProfile(caPem: string, hostLabel: string): string {
  const der = new X509Certificate(caPem).raw.toString('base64');
  const uuid = (salt: string) => {
    const h = createHash('sha256').update(salt).update(caPem).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
  };
  const label = escapeXml(hostLabel);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadCertificateFileName</key><string>loupe-ca.crt</string>
      <key>PayloadContent</key><data>${der}</data>
      <key>PayloadDescription</key><string>Lets this device open Loupe on ${label} over HTTPS.</string>
      <key>PayloadDisplayName</key><string>Loupe local CA (${label})</string>
      <key>PayloadIdentifier</key><string>app.loupe.ca.${uuid('ca')}</string>
      <key>PayloadType</key><string>com.apple.security.root</string>
      <key>PayloadUUID</key><string>${uuid('ca')}</string>
      <key>PayloadVersion</key><integer>1</integer>
    </dict>
  </array>
  <key>PayloadDisplayName</key><string>Loupe on ${label}</string>
  <key>PayloadIdentifier</key><string>app.loupe.profile.${uuid('profile')}</string>
  <key>PayloadRemovalDisallowed</key><false/>
  <key>PayloadType</key><string>Configuration</string>
  <key>PayloadUUID</key><string>${uuid('profile')}</string>
  <key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
`;
}

export const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
