import express, { Router } from 'express';
import { createRequire } from 'node:module';
import type { AppContext } from '../../context.js';
import { DOC_SPECS, loadServiceSpec, loadStandaloneSpec } from '../openapi.js';

const require = createRequire(import.meta.url);

// Swagger UI's standalone layout (its top bar holds the spec selector) needs the standalone preset next to the
// bundle; without both, `urls` is ignored and the page says "No API definition provided." validatorUrl: null
// keeps the page from calling an outside validator.
const DOCS_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>bb1-connector API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({
  urls: ${JSON.stringify([...DOC_SPECS.map((d) => ({ url: `/openapi/${d.name}.json`, name: d.title })), { url: '/openapi.json', name: 'The whole service (one document)' }])},
  'urls.primaryName': 'Tenant API', dom_id: '#ui', deepLinking: true, validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });</script>
</body></html>`;

/** /health, /ready, /metrics, /openapi.json and /docs (Swagger UI served from the local package). */
export function healthAndDocsRoutes(ctx: AppContext): Router {
  const r = Router();
  const spec = loadServiceSpec();
  const standalone = new Map(DOC_SPECS.map((d) => [`/openapi/${d.name}.json`, loadStandaloneSpec(d.name)]));
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
  r.get([...standalone.keys()], (req, res) => {
    res.json(standalone.get(req.path));
  });
  // absolute-path.js only: the package's index evaluates the whole browser bundle (~10 MB of heap) in Node.
  const uiDir = (require('swagger-ui-dist/absolute-path.js') as () => string)();
  r.use('/docs/assets', express.static(uiDir, { index: false }));
  r.get(['/docs', '/docs/'], (_req, res) => {
    res.type('html').send(DOCS_HTML);
  });
  return r;
}
