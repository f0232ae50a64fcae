import type { NextFunction, Request, Response } from 'express';

/** Query parameters whose value is JSON (openapi: `content: application/json`). */
const JSON_PARAMS = new Set(['address', 'serviceSpecification', 'serviceCharacteristics']);

/**
 * JSON query values as every client sends them: Python `requests` and `curl --data-urlencode` send `+` for a space,
 * and many clients (seed 002's own example among them) leave `:` or `,` raw inside the JSON. The OpenAPI validator
 * refuses reserved characters in a query value, so each JSON value is re-encoded in one canonical form (`+` read as
 * a space, every other character as its client meant it) before validation. A value that is not valid
 * percent-encoding is left as it is, for the validator to name.
 */
export function canonicalJsonQuery(req: Request, _res: Response, next: NextFunction): void {
  const q = req.url.indexOf('?');
  if (q < 0 || req.method !== 'GET') return next();
  let changed = false;
  const pairs = req.url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0 || !JSON_PARAMS.has(pair.slice(0, eq))) return pair;
      try {
        const value = decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
        const canonical = `${pair.slice(0, eq)}=${encodeURIComponent(value)}`;
        if (canonical !== pair) changed = true;
        return canonical;
      } catch {
        return pair;
      }
    });
  if (changed) {
    const url = `${req.url.slice(0, q)}?${pairs.join('&')}`;
    const base = req.originalUrl.slice(0, req.originalUrl.length - req.url.length);
    req.url = url;
    req.originalUrl = `${base}${url}`;
  }
  next();
}
