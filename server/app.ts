import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { Tokens } from './http/auth';
import { apiRouteNotFound, AppError } from './http/app-error';
import { openApiRoutes } from './openapi/openapi.routes';
import { blobRoutes } from './routes/blobs.routes';
import { channelRoutes } from './routes/channels.routes';
import { datasetVersionRoutes } from './routes/dataset-versions.routes';
import { eventRoutes } from './routes/events.routes';
import { jobRoutes } from './routes/jobs.routes';
import { labelSyncRoutes } from './routes/label-sync.routes';
import { modelRoutes } from './routes/models.routes';
import { connectRoutes, pairingRoutes } from './routes/pairing.routes';
import { predictRoutes } from './routes/predict.routes';
import { runnerRoutes } from './routes/runner.routes';
import { runRoutes } from './routes/runs.routes';
import { isClientAbort } from './http/client-faults';
import { uploadRoutes } from './routes/uploads.routes';
import { weightsRoutes } from './routes/weights.routes';
import type { Services } from './services';

/** Bodies that are files (a bundle .zip) streamed to disk by their route against its own limit. */
const STREAMED_POSTS = new Set(['/api/dataset-versions/import']);

export function createApi(services: Services, tokens: Tokens) {
  return new Hono()
    .basePath('/api')
    .use(async (c, next) => {
      // PUT and PATCH (tus) bodies are files, streamed to disk against their own limits.
      if (c.req.method === 'PUT' || c.req.method === 'PATCH') return next();
      if (STREAMED_POSTS.has(c.req.path)) return next();
      // JSON bodies (manifests, reports) stay small: LOUPE_MAX_JSON_BYTES.
      const maxSize = services.limits.maxJsonBytes;
      return bodyLimit({
        maxSize,
        onError: () => {
          throw new AppError(413, 'too_large', `the request body is over ${maxSize} bytes`);
        },
      })(c, next);
    })
    .get('/health', async (c) => c.json(await services.health.report()))
    .route('/blobs', blobRoutes(services, tokens))
    .route('/channels', channelRoutes(services, tokens))
    .route('/connect', connectRoutes(services, tokens))
    .route('/dataset-versions', datasetVersionRoutes(services, tokens))
    .route('/events', eventRoutes(services, tokens))
    .route('/jobs', jobRoutes(services, tokens))
    .route('/label-sync', labelSyncRoutes(services, tokens))
    .route('/models', modelRoutes(services, tokens))
    .route('/models', predictRoutes(services, tokens))
    .route('/pairing', pairingRoutes(services, tokens))
    .route('/runner', runnerRoutes(services, tokens))
    .route('/runs', runRoutes(services, tokens))
    .route('/uploads', uploadRoutes(services, tokens))
    .route('/weights', weightsRoutes(services, tokens))
    .route('/', openApiRoutes())
    .notFound(apiRouteNotFound)
    .onError((error, c) => {
      if (error instanceof AppError) return c.json(error.toBody(), error.status);
      if (error instanceof HTTPException) {
        return c.json({ error: { code: 'http_error', message: error.message } }, error.status);
      }
      if (isClientAbort(error)) {
        console.log(`server: the client closed ${c.req.method} ${c.req.path} before it finished`);
        return c.json({ error: { code: 'client_closed', message: 'the client went away' } }, 400);
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
