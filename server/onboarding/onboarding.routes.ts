import { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { Hono } from 'hono';
import type { ConnectService } from '../services/connect.service';
import type { TlsState } from '../tls/tls-setup';
import { iosProfile } from './ios-profile';
import { onboardingPage } from './onboarding-page';

/**
 * What a phone needs before it trusts Loupe: the set-up page, the CA certificate (Android) and an
 * iOS profile holding it. Served on every origin. Only the CA's certificate is public; its key
 * stays in the data directory, outside anything the server serves.
 */
export function trustRoutes(tls: TlsState | null, connect: ConnectService) {
  const app = new Hono();
  const page = (c: { req: { raw: Request } }, secure: boolean) => {
    const info = connect.info(connect.requestOrigin(c.req.raw));
    return onboardingPage({
      appUrls: info.appUrls,
      caFingerprint: tls?.caPem ? info.caFingerprint : null,
      caName: tls?.caPem ? commonName(tls.caPem) : '',
      secure,
    });
  };
  app.get('/setup', (c) => c.html(page(c, new URL(c.req.url).protocol === 'https:')));
  if (tls?.caPem) {
    const caPem = tls.caPem;
    app.get('/ca.crt', (c) => {
      c.header('Content-Type', 'application/x-x509-ca-cert');
      c.header('Content-Disposition', 'attachment; filename="loupe-ca.crt"');
      return c.body(new X509Certificate(caPem).raw);
    });
    app.get('/loupe-ca.mobileconfig', (c) => {
      c.header('Content-Type', 'application/x-apple-aspen-config');
      c.header('Content-Disposition', 'attachment; filename="loupe-ca.mobileconfig"');
      return c.body(iosProfile(caPem, hostname()));
    });
  }
  return { app, page };
}

/**
 * Plain http from the network (not loopback): the set-up page at `/`, the files it links to,
 * and a redirect to https for everything else. A token in the query is dropped from the
 * redirect, so it does not travel again.
 */
export function lanPlainApp(tls: TlsState | null, connect: ConnectService) {
  const trust = trustRoutes(tls, connect);
  return new Hono()
    .get('/', (c) => c.html(trust.page(c, false)))
    .route('/', trust.app)
    .all('*', (c) => {
      const url = new URL(c.req.url);
      url.protocol = 'https:';
      url.searchParams.delete('token');
      return c.redirect(url.toString(), 308);
    });
}

function commonName(pem: string): string {
  const subject = new X509Certificate(pem).subject;
  return /CN=([^\n]+)/.exec(subject)?.[1] ?? 'Loupe local CA';
}
