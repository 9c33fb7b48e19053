import { escapeXml as esc } from './ios-profile';

export type OnboardingView = {
  /** `https://…` addresses of the app, best first. */
  appUrls: string[];
  /** SHA-256 of the CA, to compare with what the phone shows; null: no CA to trust. */
  caFingerprint: string | null;
  /** The CA's display name, as the phone's settings list it. */
  caName: string;
  /** Whether this page came over https already (then the steps are a reminder). */
  secure: boolean;
};

/**
 * The page a phone opens first, over plain http (it cannot trust Loupe's https yet): three steps
 * to trust the CA on Android and on iOS, then the https address. No script, no token, nothing
 * secret: anyone on the network may read it.
 */
export function onboardingPage(v: OnboardingView): string {
  const links = v.appUrls
    .map(
      (u) =>
        `<li><a class="go" href="${esc(u)}/pair">${esc(u.replace(/^https:\/\//, ''))}</a></li>`,
    )
    .join('');
  const steps = v.caFingerprint === null ? '' : caSteps(v);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect this phone to Loupe</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
  header { background: #1b1f24; color: #fff; padding: 12px 16px; font-weight: 700; }
  main { max-width: 640px; margin: 0 auto; padding: 16px; }
  section { background: #fff; border-radius: 12px; padding: 12px 16px; margin: 12px 0; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin: 0.2em 0; }
  .button, .go { display: inline-block; margin: 4px 8px 4px 0; padding: 10px 14px; border-radius: 8px;
    background: #2457d6; color: #fff; text-decoration: none; font-weight: 600; }
  details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; list-style: disclosure-closed inside; }
  details[open] summary { list-style: disclosure-open inside; }
  code { word-break: break-all; font-size: 0.8rem; }
  ol { padding-left: 1.3em; } ul.urls { list-style: none; padding: 0; }
</style>
</head>
<body>
<header>Loupe</header>
<main>
<h1>Connect this phone to Loupe</h1>
${v.secure ? '<p>This page came over HTTPS: this device already trusts Loupe.</p>' : "<p>Loupe runs on a computer in this network. To use the camera, work offline and keep your photos safe, the phone talks to it over HTTPS. That needs one set-up: trust Loupe's certificate once.</p>"}
${steps}
<section>
  <h2>${v.caFingerprint === null ? '' : '3. '}Open Loupe over HTTPS</h2>
  <ul class="urls">${links}</ul>
  <p>The browser should show a lock. Then type the pairing code shown on the computer (in the terminal where Loupe started, or under <b>Connect a phone</b> in Loupe on the computer).</p>
</section>
</main>
</body>
</html>
`;
}

function caSteps(v: OnboardingView): string {
  return `<section>
  <h2>1. Download Loupe's certificate</h2>
  <a class="button" href="/loupe-ca.mobileconfig">iPhone or iPad</a>
  <a class="button" href="/ca.crt" download="loupe-ca.crt">Android</a>
  <p>It is made on the computer that runs Loupe and is valid for addresses in this network only.
  Its SHA-256 fingerprint: <code>${esc(v.caFingerprint ?? '')}</code></p>
</section>
<section>
  <h2>2. Trust it</h2>
  <details open>
    <summary>Android</summary>
    <ol>
      <li>Open <b>Settings</b> and search for <b>CA certificate</b> (or go to Security &amp; privacy → More security settings → Encryption &amp; credentials → Install a certificate).</li>
      <li>Tap <b>CA certificate</b>, then <b>Install anyway</b>.</li>
      <li>Pick <b>loupe-ca.crt</b> from Downloads.</li>
    </ol>
  </details>
  <details open>
    <summary>iPhone or iPad</summary>
    <ol>
      <li>Tap <b>Allow</b> when Safari asks to download the profile, then open <b>Settings</b> → <b>Profile Downloaded</b> → <b>Install</b> (enter your passcode).</li>
      <li>Open <b>Settings</b> → <b>General</b> → <b>About</b> → <b>Certificate Trust Settings</b>.</li>
      <li>Turn on <b>${esc(v.caName)}</b>.</li>
    </ol>
  </details>
</section>`;
}
