import { z } from 'zod';
import type { Operation } from '../operation';
import { DocsAsset } from '../docs-page';

export const docsOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/openapi.json',
    tag: 'server',
    summary: 'This OpenAPI document',
    auth: [],
    replies: { 200: { description: 'OpenAPI 3.1', json: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'get',
    path: '/api/docs',
    tag: 'server',
    summary: 'Interactive documentation (this page)',
    auth: [],
    replies: { 200: { description: 'an HTML page', raw: ['text/html'] } },
  },
  {
    method: 'get',
    path: '/api/docs/:file',
    tag: 'server',
    summary: "The documentation page's script and style, served with no network",
    auth: [],
    params: z.object({ file: DocsAsset }),
    replies: { 200: { description: 'the file', raw: ['text/javascript', 'text/css'] } },
  },
];
