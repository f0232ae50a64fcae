import type { Request, RequestHandler } from 'express';
import { InvalidTokenError, type Audience, type TokenService } from '../../auth/tokens.js';
import { ApiError } from '../errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    auth?: { tenantId: string; clientId: string; supplier?: string };
  }
}

export function bearerToken(req: Request): string | undefined {
  const h = req.get('Authorization');
  const m = h?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i);
  return m?.[1];
}

/** Requires a valid bearer token of the given audience and records who is calling. */
export function requireBearer(tokens: TokenService, audience: Audience): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req);
    if (!token) return next(ApiError.unauthorised('Authorization: a Bearer token is required'));
    try {
      req.auth = await tokens.verify(token, audience);
      next();
    } catch (e) {
      const reason = e instanceof InvalidTokenError ? e.message : 'token invalid';
      next(
        ApiError.unauthorised(
          `Authorization: ${reason}`,
          `Bearer error="invalid_token", error_description="${reason}"`,
        ),
      );
    }
  };
}
