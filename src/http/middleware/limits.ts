import express, { type RequestHandler } from 'express';
import { ApiError } from '../errors.js';
import { unstorableField } from '../../store/storable.js';

/**
 * What one request may carry, checked before parsing goes deep (documented in openapi/*.yaml). Bodies are
 * measured after decompression (gzip, deflate and br are accepted), so a small compressed body cannot
 * inflate past the limit.
 */
export const LIMITS = {
  /** Tenant API and operator bodies (an order with every optional field filled is under 20 KB). */
  bodyBytes: 64 * 1024,
  /** A KSU (real ones are 2–10 KB). */
  ksuBodyBytes: 256 * 1024,
  /** Token requests (four short form fields). */
  tokenBodyBytes: 8 * 1024,
  /** Form fields on the token endpoints. */
  formFields: 20,
  /** Nesting of a JSON body (an order nests 4 deep; a KSU about 8). */
  jsonDepth: 32,
  ksuJsonDepth: 64,
  /** Query parameters (the widest operation takes 8). */
  queryParameters: 50,
} as const;

/**
 * The deepest nesting of `[` / `{` in JSON text, stopping as soon as `max` is exceeded. A linear scan that
 * skips strings: run before JSON.parse, so a body nested 10,000 deep never reaches the parser, a validator,
 * or a jsonb cast (PGlite spins for minutes on one).
 */
export function jsonDepthExceeds(text: string | Buffer, max: number): boolean {
  // Brackets, quotes and backslashes are ASCII: a Buffer is scanned byte by byte, without decoding it.
  const at: (i: number) => number = typeof text === 'string' ? (i) => text.charCodeAt(i) : (i) => (text as Buffer)[i]!;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = at(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

export class BodyTooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
  constructor(readonly max: number) {
    super(`body: is nested deeper than ${max} levels`);
  }
}

/** JSON bodies with the size and depth limits. */
export function jsonBody(limit: number = LIMITS.bodyBytes, depth: number = LIMITS.jsonDepth): RequestHandler {
  return express.json({
    limit,
    type: ['application/json', 'application/*+json'],
    verify: (_req, _res, buf) => {
      if (jsonDepthExceeds(buf, depth)) throw new BodyTooDeepError(depth);
    },
  });
}

/** Form bodies (token endpoints only): small, flat, few fields. */
export const formBody = (): RequestHandler =>
  express.urlencoded({ extended: false, limit: LIMITS.tokenBodyBytes, parameterLimit: LIMITS.formFields });

/** More query parameters than any operation takes is refused before the query string is parsed. */
export const queryLimits: RequestHandler = (req, _res, next) => {
  const q = req.originalUrl.indexOf('?');
  if (q >= 0 && req.originalUrl.slice(q + 1).split('&').length > LIMITS.queryParameters)
    return next(ApiError.invalid(`query: more than ${LIMITS.queryParameters} parameters`));
  next();
};

/**
 * Tenant and operator input: a string holding a NUL or a lone surrogate is refused (400 naming the field)
 * rather than stored altered; no field of these APIs has a use for either.
 */
export const rejectUnstorableStrings: RequestHandler = (req, _res, next) => {
  const bad = unstorableField(req.query, 'query') ?? unstorableField(req.body, 'body');
  if (bad) return next(ApiError.invalid(`${bad}: contains a NUL character or an unpaired surrogate`));
  next();
};
