import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { IdempotencyStore } from '../../store/idempotency.js';
import { ApiError } from '../errors.js';
import { unavailableError } from '../known-errors.js';

/**
 * `Idempotency-Key` on POST: a repeat returns the first response, a different body under the same
 * key → 422, a repeat while the first is still running → 409. A 5xx frees the key for a retry.
 */
export function idempotency(store: IdempotencyStore): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('Idempotency-Key');
    if (req.method !== 'POST' || !key || !req.auth) return next();
    const tenantId = req.auth.tenantId;
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.path}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');
    try {
      const claim = await store.claim(tenantId, key, fingerprint);
      if (claim.kind === 'mismatch')
        return next(ApiError.unprocessable('Idempotency-Key: was already used with a different request body'));
      if (claim.kind === 'in-progress')
        return next(
          new ApiError(409, 'INVALID_REQUEST', [
            'Idempotency-Key: the first request with this key is still being processed',
          ]),
        );
      if (claim.kind === 'replay') {
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(claim.status).json(claim.body);
        return;
      }
    } catch (e) {
      return next(e);
    }
    // The use case records its answer with what it stores (store/idempotency.ts completeKey).
    res.locals.idempotencyKey = key;
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const status = res.statusCode;
      const done = status >= 500 ? store.release(tenantId, key) : store.complete(tenantId, key, status, body);
      done.then(
        () => json(body),
        (e) => {
          const err =
            unavailableError(e) ?? new ApiError(500, 'GATEWAY_FAULT', ['could not record the idempotent response']);
          for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
          res.status(err.status);
          json(err.body());
          req.log?.error({ err: e }, 'idempotency');
        },
      );
      return res;
    };
    next();
  };
}
