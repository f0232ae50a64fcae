import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { DomainError, type DomainErrorKind } from '../orders/errors.js';
import { SupplierError, passThrough } from '../suppliers/errors.js';
import { clientError, unavailableError } from './known-errors.js';

export type ErrorCode =
  | 'GATEWAY_FAULT'
  | 'INVALID_REQUEST'
  | 'MALFORMED_REQUEST'
  | 'NOT_AUTHORISED'
  | 'NOT_FOUND'
  | 'NOT_IMPLEMENTED'
  | 'SUPPLIER_FAULT'
  | 'SUPPLIER_TIMED_OUT'
  | 'TENANT_FAULT';

export interface ErrorBody {
  uuid: string;
  code: ErrorCode;
  messages: string[];
}

/** An error with the contract's `{uuid, code, messages}` body and an HTTP status. */
export class ApiError extends Error {
  readonly uuid = randomUUID();
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly messages: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(messages.join('; '));
  }
  body(): ErrorBody {
    return { uuid: this.uuid, code: this.code, messages: this.messages };
  }

  static invalid(...messages: string[]) {
    return new ApiError(400, 'INVALID_REQUEST', messages);
  }
  static notFound(what: string) {
    return new ApiError(404, 'NOT_FOUND', [`${what} not found`]);
  }
  static unprocessable(...messages: string[]) {
    return new ApiError(422, 'INVALID_REQUEST', messages);
  }
  static unauthorised(message: string, wwwAuthenticate = 'Bearer') {
    return new ApiError(401, 'NOT_AUTHORISED', [message], { 'WWW-Authenticate': wwwAuthenticate });
  }
}

export function sendError(res: Response, err: ApiError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json(err.body());
}

interface ValidatorError {
  status?: number;
  errors?: { path?: string; message?: string; errorCode?: string }[];
  message?: string;
}

/** `/body/serviceOrderItem/serviceCharacteristics/0/name` → `body.serviceOrderItem.serviceCharacteristics[0].name`; `/params/id` → `path.id`. */
export function fieldPath(raw: string | undefined): string {
  if (!raw) return 'request';
  const parts = raw
    .replace(/^[./]+/, '')
    .split(/[./]/)
    .filter(Boolean);
  if (parts[0] === 'params') parts[0] = 'path';
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** express-openapi-validator errors → messages that name the field. */
function fromValidator(e: ValidatorError): ApiError | undefined {
  if (!e || typeof e.status !== 'number' || !Array.isArray(e.errors)) return undefined;
  const messages = e.errors.map((x) => `${fieldPath(x.path)}: ${x.message ?? 'is invalid'}`);
  if (e.status === 404) return new ApiError(404, 'NOT_FOUND', ['no such resource']);
  if (e.status === 405)
    return new ApiError(405 as number, 'INVALID_REQUEST', messages.length ? messages : ['method not allowed']);
  if (e.status === 415) return new ApiError(415, 'MALFORMED_REQUEST', messages);
  if (e.status === 401 || e.status === 403) return new ApiError(e.status, 'NOT_AUTHORISED', messages);
  if (e.status >= 500)
    return new ApiError(500, 'GATEWAY_FAULT', [
      'response failed validation against the OpenAPI definition',
      ...messages,
    ]);
  return new ApiError(400, 'INVALID_REQUEST', messages);
}

const DOMAIN: Record<DomainErrorKind, { status: number; code: ErrorCode }> = {
  invalid: { status: 400, code: 'INVALID_REQUEST' },
  'not-found': { status: 404, code: 'NOT_FOUND' },
  'not-entitled': { status: 403, code: 'NOT_AUTHORISED' },
  conflict: { status: 409, code: 'INVALID_REQUEST' },
  unprocessable: { status: 422, code: 'INVALID_REQUEST' },
};

/** A use case's error (or a supplier's) in the contract's error model (docs/contract.md §3). */
export function toApiError(e: unknown): ApiError | undefined {
  if (e instanceof DomainError) return new ApiError(DOMAIN[e.kind].status, DOMAIN[e.kind].code, e.messages);
  if (e instanceof SupplierError) {
    switch (e.kind) {
      case 'rejected':
        return new ApiError(422, 'INVALID_REQUEST', [passThrough(e)]);
      case 'timeout':
        return new ApiError(504, 'SUPPLIER_TIMED_OUT', [`${e.supplier} did not answer in time`]);
      case 'unauthorised':
        return new ApiError(502, 'SUPPLIER_FAULT', [passThrough(new Error('Not authorised'))]);
      default:
        return new ApiError(502, 'SUPPLIER_FAULT', [passThrough(e)]);
    }
  }
  return undefined;
}

export const notFoundHandler: RequestHandler = (req, _res, next) =>
  next(new ApiError(404, 'NOT_FOUND', [`no route for ${req.method} ${req.path}`]));

/** `database.report` hears of every error, so an unavailable database is noticed (and /ready turns 503) at once. */
export function errorHandler(log: Logger, database?: { report(err: unknown): void }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let apiErr: ApiError;
    database?.report(err);
    if (err instanceof ApiError) apiErr = err;
    else if (toApiError(err)) apiErr = toApiError(err)!;
    else
      apiErr =
        fromValidator(err as ValidatorError) ??
        clientError(err) ??
        unavailableError(err) ??
        new ApiError(500, 'GATEWAY_FAULT', ['unexpected error; quote the uuid to support']);
    // req.log carries the request and conversation ids: support finds the uuid a tenant quotes.
    const reqLog = req.log ?? log;
    if (apiErr.status >= 500) reqLog.error({ err, errorUuid: apiErr.uuid, path: req.path }, 'request failed');
    else
      reqLog.info(
        { errorUuid: apiErr.uuid, status: apiErr.status, code: apiErr.code, messages: apiErr.messages, path: req.path },
        'request rejected',
      );
    if (res.headersSent) return;
    sendError(res, apiErr);
  };
}
