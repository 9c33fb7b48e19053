import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { z } from 'zod';
import { validate } from '../http/validate';
import { DOCS_ASSET_TYPES, DOCS_PAGE, DocsAsset, readDocsAsset } from './docs-page';
import { openApiDocument } from './document';

const AssetParam = z.object({ file: DocsAsset });

/** The API's OpenAPI document and its interactive docs; no token: they describe, hold no data. */
export const openApiRoutes = () =>
  new Hono()
    .get('/openapi.json', (c) => c.json(openApiDocument()))
    .get('/docs', (c) => c.html(DOCS_PAGE))
    .get('/docs/:file', compress(), validate('param', AssetParam), async (c) => {
      const { file } = c.req.valid('param');
      return c.body(new Uint8Array(await readDocsAsset(file)), 200, {
        'content-type': DOCS_ASSET_TYPES[file],
        'cache-control': 'public, max-age=3600',
      });
    });
