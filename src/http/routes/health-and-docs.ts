import express, { Router } from 'express';
import { createRequire } from 'node:module';
import type { AppContext } from '../../context.js';
import { loadServiceSpec, loadTenantUpdatesSpec } from '../openapi.js';

const require = createRequire(import.meta.url);

const DOCS_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>bb1-connector API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ urls: [{ url: '/openapi.json', name: 'bb1-connector API' }, { url: '/openapi/tenant-updates-api.json', name: 'Tenant Updates API (KCIs)' }], dom_id: '#ui' });</script>
</body></html>`;

/** /health, /ready, /metrics, /openapi.json and /docs (Swagger UI served from the local package). */
export function healthAndDocsRoutes(ctx: AppContext): Router {
  const r = Router();
  const spec = loadServiceSpec();
  const updatesSpec = loadTenantUpdatesSpec();
  r.get('/health', (_req, res) => {
    res.json({ status: ctx.runState.state === 'stopping' ? 'stopping' : 'ok', database: ctx.dbEngine });
  });
  // Not ready while starting, stopping, or while the database does not answer (see store/health.ts).
  r.get('/ready', (_req, res) => {
    const status = ctx.runState.state === 'ok' && !ctx.dbHealth.available ? 'unavailable' : ctx.runState.state;
    res.status(status === 'ok' ? 200 : 503).json({ status, database: ctx.dbEngine });
  });
  r.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  r.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  r.get('/openapi/tenant-updates-api.json', (_req, res) => {
    res.json(updatesSpec);
  });
  // absolute-path.js only: the package's index evaluates the whole browser bundle (~10 MB of heap) in Node.
  const uiDir = (require('swagger-ui-dist/absolute-path.js') as () => string)();
  r.use('/docs/assets', express.static(uiDir, { index: false }));
  r.get(['/docs', '/docs/'], (_req, res) => {
    res.type('html').send(DOCS_HTML);
  });
  return r;
}
