import type { ConnectInfo } from '../contract/pairing';
import { isLoopbackName, lanAddresses, urlHost } from '../tls/machine-names';
import type { TlsState } from '../tls/tls-setup';

type Listening = { host: string; port: number; tls: TlsState | null; trustProxy: boolean };

/** How a phone reaches this server, known once it listens (the port may have been 0). */
export class ConnectService {
  private listening: Listening | null = null;

  attach(listening: Listening) {
    this.listening = listening;
  }

  info(requestOrigin: string): ConnectInfo {
    const l = this.listening;
    if (!l)
      return {
        transport: 'plain',
        appUrls: [requestOrigin],
        onboardingUrl: null,
        caFingerprint: null,
        problem: null,
      };
    if (l.tls) {
      const appUrls = l.tls.hosts
        .filter((h) => !isLoopbackName(h))
        .map((h) => `https://${urlHost(h)}:${l.port}`);
      const ipv4 = lanAddresses().find((a) => !a.includes(':') && l.tls!.hosts.includes(a));
      const onboardingHost =
        l.tls.kind === 'local-ca'
          ? (ipv4 ?? l.tls.hosts.find((h) => !isLoopbackName(h)))
          : undefined;
      return {
        transport: l.tls.kind === 'local-ca' ? 'local-ca' : 'own-certificate',
        appUrls,
        onboardingUrl: onboardingHost ? `http://${urlHost(onboardingHost)}:${l.port}/` : null,
        caFingerprint: l.tls.caFingerprint,
        problem:
          appUrls.length === 0 ? 'This machine has no network address a phone can reach.' : null,
      };
    }
    if (l.trustProxy) {
      return {
        transport: 'proxy',
        appUrls: [requestOrigin],
        onboardingUrl: null,
        caFingerprint: null,
        problem: null,
      };
    }
    return {
      transport: 'plain',
      appUrls: [requestOrigin],
      onboardingUrl: null,
      caFingerprint: null,
      problem: isLoopbackName(l.host)
        ? `The server listens on ${l.host} only, which no phone can reach. Restart it with LOUPE_HOST=0.0.0.0 (it then serves HTTPS).`
        : 'The server serves plain http (LOUPE_TLS=off): phones get an insecure page without camera, offline use or photo hashing. Unset LOUPE_TLS, or put a TLS reverse proxy in front (README).',
    };
  }

  /**
   * The origin the client used. Behind a reverse proxy (LOUPE_TRUST_PROXY) that is what the proxy
   * forwarded; otherwise its headers could be anyone's and are ignored.
   */
  requestOrigin(request: Request): string {
    const url = new URL(request.url);
    if (!this.listening?.trustProxy) return url.origin;
    const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
    const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
    return `${proto === 'https' || proto === 'http' ? proto : url.protocol.slice(0, -1)}://${host || url.host}`;
  }

  /** `https://<address>/pair#code=…` for each address a phone may use. */
  pairUrls(requestOrigin: string, code: string): string[] {
    const info = this.info(requestOrigin);
    return info.appUrls.map((u) => `${u}/pair#code=${encodeURIComponent(code)}`);
  }
}
