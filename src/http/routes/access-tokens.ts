import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { AppContext } from '../../context.js';
import type { Tenant } from '../../config/tenants.js';
import { verifyClientSecret, type SecretHash } from '../../auth/secrets.js';
import { FailureLimiter } from '../../auth/rate-limit.js';
import { SUPPLIER_WIDE, type Audience } from '../../auth/tokens.js';
import { formBody, queryLimits } from '../middleware/limits.js';
import { ApiError } from '../errors.js';
import { clientError } from '../known-errors.js';

/** Longest client id or secret looked at (longer ones are refused before any hashing). */
const MAX_CREDENTIAL_LENGTH = 512;

/** How long a limited attempt waits for its 429. */
const LIMITED_ANSWER_DELAY_MS = 1000;

class CredentialsError extends Error {}

/** RFC 6749 §2.3.1: Basic credentials are the form-urlencoded id and secret. */
function formDecode(s: string, what: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new CredentialsError(`Authorization: the Basic ${what} is not valid form-urlencoding`);
  }
}

function credentials(req: Request): { clientId?: string; clientSecret?: string; basic: boolean } {
  const h = req.get('Authorization');
  const m = h?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (m) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0)
      return {
        clientId: formDecode(decoded.slice(0, i), 'client id'),
        clientSecret: formDecode(decoded.slice(i + 1), 'client secret'),
        basic: true,
      };
  }
  const b = (req.body ?? {}) as Record<string, unknown>;
  return {
    clientId: typeof b.client_id === 'string' ? b.client_id : undefined,
    clientSecret: typeof b.client_secret === 'string' ? b.client_secret : undefined,
    basic: false,
  };
}

const oauthError = (
  res: Response,
  status: number,
  error: string,
  description: string,
  opts: { basic?: boolean; retryAfterS?: number } = {},
) => {
  res.setHeader('Cache-Control', 'no-store');
  if (status === 401) res.setHeader('WWW-Authenticate', opts.basic ? 'Basic realm="bb1-connector"' : 'Bearer');
  if (opts.retryAfterS) res.setHeader('Retry-After', String(opts.retryAfterS));
  res.status(status).json({ error, error_description: description });
};

/** Body-parser and other client errors on the token endpoints, in OAuth's shape. */
const oauthErrors: ErrorRequestHandler = (err, _req, res, next) => {
  const e = err instanceof ApiError && err.status < 500 ? err : clientError(err);
  if (!e || res.headersSent) return next(err);
  oauthError(res, e.status, 'invalid_request', e.messages.join('; '));
};

/**
 * RFC 6749 §4.4 client-credentials token endpoints for tenants and for BB1's KSU clients. Secrets are checked
 * off the event loop and in the same time whether or not the client id exists; failed attempts are limited
 * per client id and per remote address (429 with Retry-After; counted in this process only).
 */
export function tokenRoutes(ctx: AppContext): Router {
  const r = Router();
  const windowMs = ctx.config.authFailureWindowS * 1000;
  const perClient = new FailureLimiter(ctx.config.authFailuresPerClient, windowMs);
  const perAddress = new FailureLimiter(ctx.config.authFailuresPerAddress, windowMs);
  const endpoint =
    (
      audience: Audience,
      find: (clientId: string) => { tenant?: Tenant; secrets: SecretHash[]; supplier?: string } | undefined,
    ) =>
    async (req: Request, res: Response) => {
      if (!req.is('application/x-www-form-urlencoded'))
        return oauthError(res, 400, 'invalid_request', 'body must be application/x-www-form-urlencoded');
      const grant = (req.body as Record<string, unknown> | undefined)?.grant_type;
      if (!grant) return oauthError(res, 400, 'invalid_request', 'grant_type is required');
      if (grant !== 'client_credentials')
        return oauthError(res, 400, 'unsupported_grant_type', 'only client_credentials is supported');
      let c: ReturnType<typeof credentials>;
      try {
        c = credentials(req);
      } catch (e) {
        if (e instanceof CredentialsError) return oauthError(res, 400, 'invalid_request', e.message);
        throw e;
      }
      if (!c.clientId || !c.clientSecret)
        return oauthError(
          res,
          401,
          'invalid_client',
          'client credentials are required (HTTP Basic or client_id/client_secret)',
          { basic: c.basic },
        );
      if (c.clientId.length > MAX_CREDENTIAL_LENGTH || c.clientSecret.length > MAX_CREDENTIAL_LENGTH)
        return oauthError(
          res,
          400,
          'invalid_request',
          `client_id and client_secret: at most ${MAX_CREDENTIAL_LENGTH} characters`,
        );
      const address = `${audience} ${req.socket.remoteAddress ?? '?'}`;
      const client = `${audience} ${c.clientId}`;
      const byAddress = perAddress.take(address);
      const byClient = byAddress.ok ? perClient.take(client) : byAddress;
      if (!byAddress.ok || !byClient.ok) {
        if (byAddress.ok) perAddress.giveBack(address);
        const retryAfterS = !byClient.ok ? byClient.retryAfterS : 1;
        req.log?.warn({ audience, retryAfterS }, 'token attempts limited');
        // Answered after a second (a timer, no CPU): a client that floods without reading Retry-After is slowed
        // to one attempt a second per connection instead of being answered as fast as it can ask.
        await new Promise((r) => setTimeout(r, LIMITED_ANSWER_DELAY_MS));
        return oauthError(res, 429, 'temporarily_unavailable', `too many failed attempts; retry in ${retryAfterS} s`, {
          retryAfterS,
        });
      }
      const found = find(c.clientId);
      const ok = await verifyClientSecret(c.clientSecret, found?.secrets ?? []);
      if (!found || !ok) {
        req.log?.info({ audience, clientId: found ? c.clientId : '(unknown)' }, 'token refused');
        return oauthError(res, 401, 'invalid_client', 'client authentication failed', { basic: c.basic });
      }
      perAddress.giveBack(address);
      perClient.giveBack(client);
      // A supplier-wide client's token names no tenant (SUPPLIER_WIDE): each of its updates names its own.
      const { token, expiresIn } = await ctx.tokens.issue({
        tenantId: found.tenant?.id ?? SUPPLIER_WIDE,
        clientId: c.clientId,
        audience,
        supplier: found.supplier,
      });
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      res.json({ access_token: token, expires_in: expiresIn, token_type: 'Bearer' });
    };
  r.post(
    '/v1/auth/tenant/access-token',
    queryLimits,
    formBody(),
    endpoint('tenant-api', (id) => {
      const t = ctx.tenants.byClientId(id);
      return t ? { tenant: t, secrets: t.clients.filter((c) => c.clientId === id).map((c) => c.secret) } : undefined;
    }),
  );
  r.post(
    '/v1/auth/supplier/access-token',
    queryLimits,
    formBody(),
    endpoint('supplier-api', (id) => {
      const c = ctx.tenants.byInboundClientId(id);
      return c ? { tenant: c.tenant, secrets: [c.secret], supplier: c.supplierId } : undefined;
    }),
  );
  r.use(['/v1/auth/tenant/access-token', '/v1/auth/supplier/access-token'], oauthErrors);
  return r;
}
