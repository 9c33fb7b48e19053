import type { ZodType } from 'zod';
import packageJson from '../../package.json';
import type { Operation, Reply, RequestBody } from './operation';
import { API_OPERATIONS } from './operations';
import { convertSchemas, type JsonSchema } from './schemas';

const API_ERROR = { $ref: '#/components/schemas/ApiError' };
const BYTES = { type: 'string', format: 'binary' };

const TAGS: Record<string, string> = {
  sync: 'Images by SHA-256 and sealed dataset versions: how the PWA syncs a dataset.',
  training: 'Training jobs: queue, watch live, cancel, download what they produced.',
  models: 'Model versions the browser downloads and runs.',
  runner: 'The gpu-runner protocol (docs/runner-protocol.md); needs the runner token.',
  server: 'The server itself and this document.',
};

/** `/api/jobs/:id` (Hono) as OpenAPI writes it: `/api/jobs/{id}`. */
export const openApiPath = (honoPath: string) =>
  honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, '{$1}');

const operationId = (op: Operation) =>
  op.method +
  op.path
    .replace(/^\/api\//, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');

/** Every zod schema the operations use, so they are converted in one pass. */
function* schemasOf(operations: Operation[]) {
  for (const op of operations) {
    for (const object of [op.params, op.query, op.headers]) if (object) yield object;
    if (op.body && 'json' in op.body) yield op.body.json;
    for (const reply of Object.values(op.replies)) {
      if ('json' in reply) yield reply.json;
      if ('events' in reply) yield reply.events;
    }
  }
}

type SchemaOf = (schema: ZodType) => JsonSchema;
type Converted = { schemaOf: SchemaOf; objectOf: SchemaOf };

/** One parameter per field of the entry's params, query and headers objects. */
function parameters(op: Operation, { objectOf }: Converted) {
  const where = [
    ['path', op.params],
    ['query', op.query],
    ['header', op.headers],
  ] as const;
  const documented = where.flatMap(([place, object]) => {
    if (!object) return [];
    const json = objectOf(object) as {
      properties: Record<string, JsonSchema>;
      required?: string[];
    };
    return Object.entries(json.properties).map(([name, property]) => {
      const { description, ...schema } = property;
      const required = place === 'path' || (json.required ?? []).includes(name);
      return { name, in: place, required, schema, ...(description ? { description } : {}) };
    });
  });
  // A path parameter the entry gives no schema for is still part of the path.
  const bare = [...op.path.matchAll(/:([A-Za-z0-9_]+)/g)]
    .map((m) => m[1]!)
    .filter((name) => !op.params?.shape[name])
    .map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  return [...documented, ...bare];
}

function requestBody(body: RequestBody, schemaOf: SchemaOf) {
  if ('json' in body) {
    const content = { 'application/json': { schema: schemaOf(body.json) } };
    return { required: true, content, ...(body.description && { description: body.description }) };
  }
  const content: Record<string, { schema: JsonSchema }> = Object.fromEntries(
    body.raw.map((type) => [type, { schema: BYTES }]),
  );
  const part = body.multipartFiles;
  if (part) {
    const properties = { [part]: { type: 'array', items: BYTES } };
    content['multipart/form-data'] = { schema: { type: 'object', properties, required: [part] } };
  }
  return { required: true, description: body.description, content };
}

function reply(r: Reply, schemaOf: SchemaOf) {
  if ('json' in r) {
    return {
      description: r.description,
      content: { 'application/json': { schema: schemaOf(r.json) } },
    };
  }
  if ('raw' in r) {
    const content = Object.fromEntries(r.raw.map((type) => [type, { schema: BYTES }]));
    return { description: r.description, content };
  }
  if ('events' in r) {
    const stream = {
      schema: {
        type: 'string',
        description:
          'Server-sent events. Each has an `id` (increasing), an `event` (its type) and a JSON ' +
          '`data` line that matches the schema in x-sse-data; `: keep-alive` comments keep idle ' +
          'connections open.',
      },
      'x-sse-data': schemaOf(r.events),
    };
    return { description: r.description, content: { 'text/event-stream': stream } };
  }
  return { description: r.description };
}

/** The failures every route shares, then the entry's own; each has the ApiError body. */
function failures(op: Operation) {
  const texts: Record<number, string> = {};
  const validated = op.params || op.query || op.headers || (op.body && 'json' in op.body);
  if (validated) texts[400] = 'invalid request (error.details lists each field that failed)';
  if (op.auth.length > 0) {
    texts[401] = 'missing or wrong token';
    if (op.auth.length === 1) texts[403] = `the token is not a ${op.auth[0]} token`;
  }
  for (const [status, text] of Object.entries(op.errors ?? {})) {
    const code = Number(status);
    texts[code] = texts[code] ? `${texts[code]}; or ${text}` : text;
  }
  const content = { 'application/json': { schema: API_ERROR } };
  return Object.fromEntries(
    Object.entries(texts).map(([status, description]) => [status, { description, content }]),
  );
}

function operation(op: Operation, converted: Converted) {
  const { schemaOf } = converted;
  const params = parameters(op, converted);
  return {
    operationId: operationId(op),
    tags: [op.tag],
    summary: op.summary,
    ...(op.description && { description: op.description }),
    security: op.auth.map((role) => ({ [`${role}Token`]: [] })),
    ...(params.length > 0 && { parameters: params }),
    ...(op.body && { requestBody: requestBody(op.body, schemaOf) }),
    responses: {
      ...Object.fromEntries(
        Object.entries(op.replies).map(([status, r]) => [status, reply(r, schemaOf)]),
      ),
      ...failures(op),
    },
  };
}

/** The OpenAPI 3.1 document of the whole API, built from the operation table and the contract. */
export function buildOpenApiDocument(operations: Operation[]) {
  const { components, ...converted } = convertSchemas(schemasOf(operations));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = (paths[openApiPath(op.path)] ??= {});
    if (path[op.method]) throw new Error(`${op.method} ${op.path} is documented twice`);
    path[op.method] = operation(op, converted);
  }
  const used = [...new Set(operations.map((op) => op.tag))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Loupe API',
      version: packageJson.version,
      description:
        'Every route except health and this documentation needs a bearer token: the user token ' +
        '(the one in the address the server prints at start-up) or, for the runner routes, the ' +
        'runner token (both are in the data directory, tokens.json). Errors always have the ' +
        'ApiError shape: a code, a message saying what went wrong, and often a hint saying what ' +
        'to do.',
    },
    tags: used.map((name) => ({ name, ...(TAGS[name] && { description: TAGS[name] }) })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        userToken: { type: 'http', scheme: 'bearer', description: 'the user token' },
        runnerToken: { type: 'http', scheme: 'bearer', description: 'a gpu-runner token' },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

let built: OpenApiDocument | undefined;

/** Built once, on the first request for it. */
export const openApiDocument = () => (built ??= buildOpenApiDocument(API_OPERATIONS));
