import type { Request, RequestHandler } from 'express';
import type { Config } from '../../config/env.js';
import { ApiError } from '../errors.js';
import { bearerToken } from './bearer-auth.js';
import { ConsoleSessions, readCookie, sameSecret, SESSION_COOKIE, type ConsoleSession } from '../console-session.js';

declare module 'express-serve-static-core' {
  interface Request {
    operator?: { via: 'token' } | { via: 'session'; session: ConsoleSession };
  }
}

type AccessConfig = Pick<Config, 'operatorToken' | 'publicBaseUrl'>;

export interface OperatorAccess {
  /** Lets an operator through: `Authorization: Bearer <OPERATOR_TOKEN>` (curl) or a console session cookie. */
  guard: RequestHandler;
  sessions: ConsoleSessions;
  /** Whether a browser request comes from the service's own origin (an absent Origin is a non-browser client). */
  sameOrigin(req: Request): boolean;
  /** Whether cookies are marked Secure (the service is published over https). */
  secureCookies: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const shared = new WeakMap<AccessConfig, OperatorAccess>();

/**
 * The operator guard and the console's sessions, one per configuration (so the /ops routes and the console
 * routes share the sessions, and a sign-out is seen by both). With a session cookie, a state-changing call
 * must also carry the session's CSRF token and come from our own origin; SameSite=Strict already keeps the
 * cookie off other sites' requests, these make that independent of the browser.
 */
export function operatorAccess(config: AccessConfig): OperatorAccess {
  let access = shared.get(config);
  if (access) return access;
  const sessions = new ConsoleSessions(() => config.operatorToken);
  const published = config.publicBaseUrl ? new URL(config.publicBaseUrl).origin : undefined;
  const sameOrigin = (req: Request) => {
    const site = req.get('Sec-Fetch-Site');
    if (site && site !== 'same-origin' && site !== 'none') return false;
    const origin = req.get('Origin');
    if (!origin) return true;
    return origin === `${req.protocol}://${req.get('Host')}` || origin === published;
  };
  const guard: RequestHandler = (req, _res, next) => {
    if (req.get('Authorization') !== undefined) {
      const token = bearerToken(req);
      const expected = config.operatorToken;
      if (expected && token && sameSecret(token, expected)) {
        req.operator = { via: 'token' };
        return next();
      }
      return next(ApiError.unauthorised('Authorization: the operator token is required'));
    }
    const session = sessions.verify(readCookie(req, SESSION_COOKIE));
    if (!session)
      return next(ApiError.unauthorised('Authorization: the operator token (or a console session) is required'));
    if (!SAFE_METHODS.has(req.method)) {
      if (!sameOrigin(req))
        return next(
          new ApiError(403, 'NOT_AUTHORISED', ["Origin: a console call must come from the console's origin"]),
        );
      const csrf = req.get('X-CSRF-Token');
      if (!csrf || !sameSecret(csrf, sessions.csrfToken(session)))
        return next(
          new ApiError(403, 'NOT_AUTHORISED', [
            'X-CSRF-Token: required with a console session (from the console page)',
          ]),
        );
    }
    req.operator = { via: 'session', session };
    next();
  };
  access = { guard, sessions, sameOrigin, secureCookies: published?.startsWith('https:') ?? false };
  shared.set(config, access);
  return access;
}

/** The operator guard on its own (the /ops routes): the token, or a console session. */
export const requireOperator = (config: AccessConfig): RequestHandler => operatorAccess(config).guard;
