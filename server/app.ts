import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { Tokens } from './http/auth';
import { AppError } from './http/app-error';
import { blobRoutes } from './routes/blobs.routes';
import { channelRoutes } from './routes/channels.routes';
import { datasetVersionRoutes } from './routes/dataset-versions.routes';
import { jobRoutes } from './routes/jobs.routes';
import { modelRoutes } from './routes/models.routes';
import { runnerRoutes } from './routes/runner.routes';
import { weightsRoutes } from './routes/weights.routes';
import type { Services } from './services';

/** JSON bodies (manifests, reports) stay small; images and models stream through their routes. */
const JSON_BODY_LIMIT = 32 * 1024 * 1024;

export function createApi(services: Services, tokens: Tokens) {
  return new Hono()
    .basePath('/api')
    .use(async (c, next) => {
      if (c.req.method === 'PUT') return next();
      return bodyLimit({
        maxSize: JSON_BODY_LIMIT,
        onError: () => {
          throw new AppError(413, 'too_large', `the request body is over ${JSON_BODY_LIMIT} bytes`);
        },
      })(c, next);
    })
    .get('/health', (c) => c.json({ ok: true }))
    .route('/blobs', blobRoutes(services, tokens))
    .route('/channels', channelRoutes(services, tokens))
    .route('/dataset-versions', datasetVersionRoutes(services, tokens))
    .route('/jobs', jobRoutes(services, tokens))
    .route('/models', modelRoutes(services, tokens))
    .route('/runner', runnerRoutes(services, tokens))
    .route('/weights', weightsRoutes(services, tokens))
    .notFound((c) =>
      c.json(
        { error: { code: 'not_found', message: `no API route ${c.req.method} ${c.req.path}` } },
        404,
      ),
    )
    .onError((error, c) => {
      if (error instanceof AppError) return c.json(error.toBody(), error.status);
      if (error instanceof HTTPException) {
        return c.json({ error: { code: 'http_error', message: error.message } }, error.status);
      }
      console.error('server: unexpected error', error);
      return c.json(
        {
          error: {
            code: 'internal',
            message: 'the server failed to handle this request; nothing was changed',
            hint: 'Try again; if it keeps failing, check the server log.',
          },
        },
        500,
      );
    });
}

/** The type the web client is generated from: `hc<AppType>`. */
export type AppType = ReturnType<typeof createApi>;
