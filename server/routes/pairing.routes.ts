import { Hono } from 'hono';
import { PairingClaim } from '../contract/pairing';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { validate } from '../http/validate';
import type { Services } from '../services';

/** Logging a new device in with a code from one that is (README, "A phone on the same network"). */
export const pairingRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .post('/codes', requireRole(tokens, 'user'), (c) => {
      const origin = s.connect.requestOrigin(c.req.raw);
      return c.json(
        s.pairing.issue((code) => s.connect.pairUrls(origin, code)),
        201,
      );
    })
    .post('/claim', validate('json', PairingClaim), (c) =>
      c.json(s.pairing.claim(c.req.valid('json').code, tokens.userToken)),
    );

/** What a phone needs to reach this server: addresses, the CA's onboarding page, its fingerprint. */
export const connectRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>().get('/', requireRole(tokens, 'user'), (c) =>
    c.json(s.connect.info(s.connect.requestOrigin(c.req.raw))),
  );
