import express, { type Express, type Request, type RequestHandler } from 'express';
import { jsonBody, queryLimits, rejectUnstorableStrings } from './middleware/limits.js';
import { canonicalJsonQuery } from './middleware/json-query.js';
import { requireOperator } from './middleware/operator-auth.js';
import * as OpenApiValidator from 'express-openapi-validator';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { loadServiceSpec } from './openapi.js';
import { echoCorrelationHeaders } from './middleware/correlation.js';
import { requireBearer } from './middleware/bearer-auth.js';
import { idempotency } from './middleware/idempotency.js';
import { IdempotencyStore } from '../store/idempotency.js';
import { healthAndDocsRoutes } from './routes/health-and-docs.js';
import { tokenRoutes } from './routes/access-tokens.js';
import { supplierKsuRoutes } from './routes/supplier-ksus.js';
import { addressRoutes } from './routes/addresses.js';
import { availabilityRoutes } from './routes/service-availability.js';
import { appointmentRoutes } from './routes/appointments.js';
import { serviceOrderRoutes } from './routes/service-orders.js';
import { amendmentRoutes } from './routes/service-order-amendments.js';
import { cancellationRoutes } from './routes/service-order-cancellations.js';
import { opsRoutes } from './routes/ops.js';
import { serviceRoutes } from './routes/services.js';
import { demoInboxRoutes } from './routes/demo-inbox.js';
import { opsOrderRoutes } from './routes/ops-orders.js';
import { opsQueueRoutes } from './routes/ops-queues.js';
import { opsSendRoutes } from './routes/ops-sends.js';
import { consoleRoutes } from './routes/console.js';

declare module 'express-serve-static-core' {
  interface Request {
    log?: Logger;
  }
}

const LOG_BINDINGS = Symbol('log bindings');
const REQUEST_LOG = Symbol('request logger');
type LoggedRequest = Request & { [LOG_BINDINGS]?: { log: Logger; requestId?: string }; [REQUEST_LOG]?: Logger };

/**
 * `req.log`: a child logger naming the request, made on first use (most requests never log anything but
 * their access line, and a child logger costs a redaction pass over its bindings).
 */
function installRequestLogger(app: Express): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: LoggedRequest): Logger | undefined {
      const b = this[LOG_BINDINGS];
      if (!b) return undefined;
      return (this[REQUEST_LOG] ??= b.log.child({
        requestId: requestIdOf(this),
        conversationId: this.get('X-Conversation-ID'),
      }));
    },
    set(this: LoggedRequest, v: Logger) {
      this[REQUEST_LOG] = v;
    },
  });
}

/** The caller's X-Request-ID, or one made up for this request (the same every time it is asked). */
function requestIdOf(req: LoggedRequest): string {
  const b = req[LOG_BINDINGS]!;
  return (b.requestId ??= req.get('X-Request-ID') ?? randomUUID());
}

function requestLogging(log: Logger, ctx: AppContext): RequestHandler {
  const logsRequests = () => log.isLevelEnabled('info');
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    (req as LoggedRequest)[LOG_BINDINGS] = { log };
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const route = (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : req.path);
      ctx.metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, ms / 1000);
      if (!logsRequests()) return;
      req.log!.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          tenant: req.auth?.tenantId,
        },
        'request',
      );
    });
    next();
  };
}

/**
 * Builds the Express app: supplier KSUs (raw body) → tokens (form body, OAuth errors) → query limits →
 * health and docs → JSON body (size and depth limits) → bearer / operator token → unstorable strings →
 * OpenAPI validation → idempotency → routes. Limits: middleware/limits.ts.
 */
export function createApp(ctx: AppContext): Express {
  const app = express();
  installRequestLogger(app);
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.set('trust proxy', false);
  app.use(requestLogging(ctx.log, ctx));
  app.use(echoCorrelationHeaders);
  // First: the supplier's updates, the busiest route (its body is raw and its query unused).
  app.use(supplierKsuRoutes(ctx.tokens, ctx.receiveUpdate, ctx.log));
  app.use(tokenRoutes(ctx));
  app.use(queryLimits);
  app.use(healthAndDocsRoutes(ctx));
  app.use(demoInboxRoutes(ctx));
  app.use(jsonBody());
  app.use(consoleRoutes(ctx));
  app.use('/v1', requireBearer(ctx.tokens, 'tenant-api'));
  app.use('/ops', requireOperator(ctx.config));
  app.use(rejectUnstorableStrings);
  app.use(canonicalJsonQuery);
  app.use(
    OpenApiValidator.middleware({
      apiSpec: loadServiceSpec() as never,
      validateRequests: { allowUnknownQueryParameters: false, coerceTypes: true, removeAdditional: false },
      validateResponses: ctx.config.validateResponses ? { removeAdditional: false } : false,
      validateSecurity: false,
      validateFormats: true,
      ignoreUndocumented: false,
      ignorePaths: /^\/(health|ready|metrics|openapi|docs|demo|console)/,
    }),
  );
  app.use(opsRoutes(ctx));
  app.use(opsOrderRoutes(ctx));
  app.use(opsQueueRoutes(ctx));
  app.use(opsSendRoutes(ctx));
  app.use(idempotency(new IdempotencyStore(ctx.db, ctx.config.idempotencyInProgressTimeoutS)));
  app.use(addressRoutes(ctx));
  app.use(availabilityRoutes(ctx));
  app.use(appointmentRoutes(ctx));
  app.use(serviceOrderRoutes(ctx));
  app.use(amendmentRoutes(ctx));
  app.use(cancellationRoutes(ctx));
  app.use(serviceRoutes(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.log, ctx.dbHealth));
  return app;
}
