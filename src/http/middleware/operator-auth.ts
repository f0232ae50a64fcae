import type { RequestHandler } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors.js';
import { bearerToken } from './bearer-auth.js';

/** Requires `Authorization: Bearer <OPERATOR_TOKEN>` (compared in constant time). */
export function requireOperator(config: { operatorToken?: string }): RequestHandler {
  return (req, _res, next) => {
    const expected = config.operatorToken;
    const got = bearerToken(req);
    if (
      !expected ||
      !got ||
      got.length !== expected.length ||
      !timingSafeEqual(Buffer.from(got), Buffer.from(expected))
    ) {
      return next(ApiError.unauthorised('Authorization: the operator token is required'));
    }
    next();
  };
}
