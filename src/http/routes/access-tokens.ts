import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context.js';
import type { Tenant } from '../../config/tenants.js';
import { verifySecret, type SecretHash } from '../../auth/secrets.js';
import type { Audience } from '../../auth/tokens.js';

function credentials(req: Request): { clientId?: string; clientSecret?: string; basic: boolean } {
  const h = req.get('Authorization');
  const m = h?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (m) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0)
      return {
        clientId: decodeURIComponent(decoded.slice(0, i)),
        clientSecret: decodeURIComponent(decoded.slice(i + 1)),
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

const oauthError = (res: Response, status: number, error: string, description: string, basic = false) => {
  res.setHeader('Cache-Control', 'no-store');
  if (status === 401) res.setHeader('WWW-Authenticate', basic ? 'Basic realm="bb1-connector"' : 'Bearer');
  res.status(status).json({ error, error_description: description });
};

/** RFC 6749 §4.4 client-credentials token endpoints for tenants and for BB1's KSU clients. */
export function tokenRoutes(ctx: AppContext): Router {
  const r = Router();
  const endpoint =
    (
      audience: Audience,
      find: (clientId: string) => { tenant: Tenant; secrets: SecretHash[]; supplier?: string } | undefined,
    ) =>
    async (req: Request, res: Response) => {
      if (!req.is('application/x-www-form-urlencoded'))
        return oauthError(res, 400, 'invalid_request', 'body must be application/x-www-form-urlencoded');
      const grant = (req.body as Record<string, unknown> | undefined)?.grant_type;
      if (!grant) return oauthError(res, 400, 'invalid_request', 'grant_type is required');
      if (grant !== 'client_credentials')
        return oauthError(res, 400, 'unsupported_grant_type', 'only client_credentials is supported');
      const c = credentials(req);
      if (!c.clientId || !c.clientSecret)
        return oauthError(
          res,
          401,
          'invalid_client',
          'client credentials are required (HTTP Basic or client_id/client_secret)',
          c.basic,
        );
      const found = find(c.clientId);
      if (!found || !found.secrets.some((s) => verifySecret(c.clientSecret!, s))) {
        req.log?.info({ clientId: c.clientId, audience }, 'token refused');
        return oauthError(res, 401, 'invalid_client', 'client authentication failed', c.basic);
      }
      const { token, expiresIn } = await ctx.tokens.issue({
        tenantId: found.tenant.id,
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
    endpoint('tenant-api', (id) => {
      const t = ctx.tenants.byClientId(id);
      return t ? { tenant: t, secrets: t.clients.filter((c) => c.clientId === id).map((c) => c.secret) } : undefined;
    }),
  );
  r.post(
    '/v1/auth/supplier/access-token',
    endpoint('supplier-api', (id) => {
      const c = ctx.tenants.byInboundClientId(id);
      return c ? { tenant: c.tenant, secrets: [c.secret], supplier: c.supplierId } : undefined;
    }),
  );
  return r;
}
