import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/** Swagger UI's files, served from the installed package so the docs work with no network. */
export const DocsAsset = z.enum(['swagger-ui.css', 'swagger-ui-bundle.js']);
export type DocsAsset = z.infer<typeof DocsAsset>;

export const DOCS_ASSET_TYPES: Record<DocsAsset, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const swaggerUiDir = () =>
  dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const loaded = new Map<DocsAsset, Promise<Buffer>>();

/** Read once: the files only change when the package is upgraded, which restarts the server. */
export const readDocsAsset = (name: DocsAsset) => {
  let file = loaded.get(name);
  if (!file) {
    file = readFile(join(swaggerUiDir(), name));
    loaded.set(name, file);
  }
  return file;
};

// validatorUrl null: Swagger UI would otherwise fetch a badge from validator.swagger.io.
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Loupe API</title>
    <link rel="stylesheet" href="/api/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="docs"></div>
    <script src="/api/docs/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({
        url: '/api/openapi.json',
        dom_id: '#docs',
        deepLinking: true,
        persistAuthorization: true,
        validatorUrl: null,
      });
    </script>
  </body>
</html>
`;
