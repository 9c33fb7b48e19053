import { compileErrors, validate } from '@readme/openapi-parser';
import { Hono } from 'hono';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/test-server';
import { buildOpenApiDocument, openApiPath, type OpenApiDocument } from './document';
import { API_OPERATIONS } from './operations';

let t: TestApi;
let document: OpenApiDocument;
beforeAll(async () => {
  t = await createTestApi();
  document = buildOpenApiDocument(API_OPERATIONS);
});
afterAll(() => t.close());

/** The routes a Hono app serves, as "GET /api/jobs/{id}"; `use()` middleware is not a route. */
const servedRoutes = (app: Hono) =>
  new Set(
    app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${openApiPath(r.path)}`),
  );

const documentedRoutes = (doc: OpenApiDocument) =>
  new Set(
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    ),
  );

/** What differs between the app and the document: both lists must be empty. */
const drift = (app: Hono, doc: OpenApiDocument) => {
  const served = servedRoutes(app);
  const documented = documentedRoutes(doc);
  return {
    undocumented: [...served].filter((r) => !documented.has(r)).sort(),
    notServed: [...documented].filter((r) => !served.has(r)).sort(),
  };
};

const operation = (path: string, method: string) =>
  (document.paths[path] as Record<string, OpenAPIV3_1.OperationObject>)[method]!;

const response = (path: string, method: string, status: string) =>
  operation(path, method).responses![status] as OpenAPIV3_1.ResponseObject;

describe('the OpenAPI document', () => {
  it('documents every route the API serves, and only those', () => {
    // A new route fails here until it has an entry in server/openapi/operations/.
    expect(drift(t.api, document)).toEqual({ undocumented: [], notServed: [] });
  });

  it('notices a route added without documentation', () => {
    const app = new Hono().route('/', t.api).post('/api/jobs/:id/retry', (c) => c.json({}));
    expect(drift(app, document).undocumented).toContain('POST /api/jobs/{id}/retry');
    expect(drift(t.api, document).undocumented).not.toContain('POST /api/jobs/{id}/retry');
  });

  it('is valid OpenAPI 3.1', async () => {
    const result = await validate(structuredClone(document) as OpenAPIV3_1.Document, {
      resolve: { external: false },
    });
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(document.openapi).toBe('3.1.0');
  });

  it('takes bodies and answers from the zod contract, by reference', () => {
    const create = operation('/api/jobs', 'post');
    const body = create.requestBody as OpenAPIV3_1.RequestBodyObject;
    expect(body.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/CreateJobRequest',
    });
    // The input form: fields with defaults may be left out, and show the default.
    // CreateJobRequest is JobSettings plus a refinement JSON Schema cannot state: a $ref to it.
    const named = (name: string) => document.components.schemas[name] as OpenAPIV3_1.SchemaObject;
    const request = named('CreateJobRequest') as { $ref?: string };
    const config = request.$ref ? named(request.$ref.split('/').pop()!) : named('CreateJobRequest');
    expect(config.required).toEqual(['datasetVersionId', 'task']);
    expect(config.properties?.epochs).toMatchObject({ default: 10, minimum: 1, maximum: 1000 });
    const list = response('/api/jobs', 'get', '200');
    expect(list.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/JobPage',
    });
  });

  it('gives every failure the ApiError shape, and says which token a route needs', () => {
    const cancel = operation('/api/jobs/{id}/cancel', 'post');
    for (const status of ['400', '401', '403', '404', '409']) {
      const failure = response('/api/jobs/{id}/cancel', 'post', status);
      expect(failure.content?.['application/json']?.schema).toEqual({
        $ref: '#/components/schemas/ApiError',
      });
    }
    expect(document.components.schemas.ApiError).toBeDefined();
    expect(cancel.security).toEqual([{ userToken: [] }]);
    expect(operation('/api/blobs/{sha256}', 'get').security).toEqual([
      { userToken: [] },
      { runnerToken: [] },
    ]);
    expect(operation('/api/health', 'get').security).toEqual([]);
  });

  it('shows raw uploads as bytes and live events as an event stream', () => {
    for (const [path, method] of [
      ['/api/blobs/{sha256}', 'put'],
      ['/api/runner/jobs/{jobId}/artifacts/{name}', 'put'],
      ['/api/weights', 'put'],
    ] as const) {
      const body = operation(path, method).requestBody as OpenAPIV3_1.RequestBodyObject;
      expect(body.content['application/octet-stream']?.schema).toEqual({
        type: 'string',
        format: 'binary',
      });
    }
    const events = response('/api/jobs/{id}/events', 'get', '200');
    expect(events.content?.['text/event-stream']).toMatchObject({
      'x-sse-data': { $ref: '#/components/schemas/JobEvent' },
    });
  });

  it('documents path, query and header parameters with their schemas', () => {
    const put = operation('/api/runner/jobs/{jobId}/checkpoint', 'put');
    expect(put.parameters).toEqual([
      expect.objectContaining({ name: 'jobId', in: 'path', required: true }),
      expect.objectContaining({ name: 'epoch', in: 'query', required: true }),
      expect.objectContaining({ name: 'x-lease-token', in: 'header', required: true }),
    ]);
    const blob = operation('/api/blobs/{sha256}', 'get').parameters?.[0];
    expect(blob).toMatchObject({ schema: { $ref: '#/components/schemas/Sha256' } });
  });
});
