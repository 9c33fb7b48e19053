/**
 * What a page loses when it is not a secure context (plain http from any address but localhost,
 * as a phone opening `http://<laptop>:8787` is): each browser feature the app relies on, and what
 * breaks without it. Checked once at start-up so the app can say so at once, instead of a
 * feature failing later with a message that blames the network.
 */
export type MissingFeature = { feature: string; breaks: string };

type Platform = {
  isSecureContext: boolean;
  crossOriginIsolated: boolean;
  crypto?: { randomUUID?: unknown; subtle?: unknown };
  navigator: { serviceWorker?: unknown; mediaDevices?: unknown; locks?: unknown };
};

export function missingSecureFeatures(p: Platform): MissingFeature[] {
  const missing: MissingFeature[] = [];
  const need = (present: unknown, feature: string, breaks: string) => {
    if (!present) missing.push({ feature, breaks });
  };
  need(p.crypto?.randomUUID, 'crypto.randomUUID', 'creating datasets and saving labels');
  need(p.crypto?.subtle, 'crypto.subtle', 'hashing photos (adding photos, sync, model checks)');
  need(p.navigator.serviceWorker, 'service workers', 'installing Loupe and working offline');
  need(p.navigator.mediaDevices, 'the camera (getUserMedia)', 'Take photo and Scan');
  need(p.navigator.locks, 'Web Locks', 'sharing one live connection between tabs');
  need(p.crossOriginIsolated, 'cross-origin isolation', 'fast models (WASM threads)');
  return missing;
}

/** The same page over https (the server serves both on one port). */
export const httpsVersion = (location: { href: string }) => {
  const url = new URL(location.href);
  url.protocol = 'https:';
  return url.toString();
};

/** Whether this page runs where the browser withholds those features. */
export const insecureOrigin = () => typeof window !== 'undefined' && !window.isSecureContext;
