import type { ZodObject, ZodType } from 'zod';
import type { Role } from '../http/auth';

/**
 * A request body: JSON checked by a zod schema, or raw bytes streamed to disk (of the media types
 * in `raw`), which may also come as multipart/form-data with one `multipartFiles` part per file.
 */
export type RequestBody =
  | { json: ZodType; description?: string }
  | { raw: string[]; description: string; multipartFiles?: string };

/** One documented answer: JSON, raw bytes, a server-sent event stream, or nothing. */
export type Reply =
  | { description: string; json: ZodType }
  | { description: string; raw: string[] }
  | { description: string; events: ZodType }
  | { description: string };

/**
 * One route of the API as the OpenAPI document shows it. `path` is written as in the Hono route
 * (`/api/jobs/:id`), so an entry can be copied from the code; the drift test matches them.
 * Schemas are the contract's zod schemas (or small ones in replies.ts for shapes the contract
 * lacks), never JSON Schema written by hand.
 */
export type Operation = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Tokens that may call it; empty: no token needed. */
  auth: Role[];
  params?: ZodObject;
  query?: ZodObject;
  headers?: ZodObject;
  body?: RequestBody;
  /** Success answers by status. */
  replies: Record<number, Reply>;
  /** Failures beyond the invalid request (400) and token ones (401, 403) every route documents. */
  errors?: Record<number, string>;
};

/** Raw bytes: what the upload and download routes stream. */
export const BINARY = ['application/octet-stream'];
