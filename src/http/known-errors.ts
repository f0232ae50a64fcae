import { ApiError } from './errors.js';
import { isDatabaseTransient } from '../store/health.js';

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
  message?: string;
  limit?: number;
  errors?: unknown;
}

/**
 * Errors that body-parser, Express and zlib raise for a client's mistake (each carries a 4xx status)
 * → the error model, naming what was wrong. Anything else → undefined (not a client error).
 */
export function clientError(err: unknown): ApiError | undefined {
  const e = err as HttpishError | undefined;
  if (!e || typeof e !== 'object') return undefined;
  const status = e.status ?? e.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500 || Array.isArray(e.errors)) return undefined;
  switch (e.type) {
    case 'entity.parse.failed':
      return new ApiError(400, 'MALFORMED_REQUEST', ['body: is not valid JSON']);
    case 'entity.too.deep':
      return new ApiError(400, 'MALFORMED_REQUEST', [String(e.message)]);
    case 'entity.too.large':
      return new ApiError(413, 'INVALID_REQUEST', [`body: is larger than the limit (${e.limit ?? '?'} bytes)`]);
    case 'parameters.too.many':
      return new ApiError(413, 'INVALID_REQUEST', ['body: has too many form fields']);
    case 'charset.unsupported':
      return new ApiError(415, 'MALFORMED_REQUEST', [`Content-Type: ${e.message}`]);
    case 'encoding.unsupported':
      return new ApiError(415, 'MALFORMED_REQUEST', [`Content-Encoding: ${e.message}; use gzip, deflate, br or none`]);
    case 'request.aborted':
    case 'request.size.invalid':
      return new ApiError(400, 'MALFORMED_REQUEST', ['body: ended before its Content-Length']);
  }
  if (typeof e.code === 'string' && /^(Z_|ERR__)/.test(e.code))
    return new ApiError(400, 'MALFORMED_REQUEST', ['body: could not be decompressed as its Content-Encoding says']);
  if (/^Failed to decode param/.test(e.message ?? ''))
    return new ApiError(400, 'MALFORMED_REQUEST', ['path: is not valid percent-encoded UTF-8']);
  return new ApiError(status === 413 || status === 415 ? status : 400, 'MALFORMED_REQUEST', [
    `request: ${e.message ?? 'is malformed'}`,
  ]);
}

/** Seconds a client is asked to wait when the database is unavailable. */
export const DATABASE_RETRY_AFTER_S = 5;

/** The database is unavailable, or the statement met a transient conflict: 503 with Retry-After. */
export function unavailableError(err: unknown): ApiError | undefined {
  if (!isDatabaseTransient(err)) return undefined;
  return new ApiError(503, 'GATEWAY_FAULT', ['the service cannot reach its database just now; retry later'], {
    'Retry-After': String(DATABASE_RETRY_AFTER_S),
  });
}
