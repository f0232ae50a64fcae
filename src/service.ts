import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config/env.js';
import type { TenantDirectory } from './config/tenants.js';
import { TokenService } from './auth/tokens.js';
import { openDatabase, migrate, type DatabaseHandle } from './store/database.js';
import { createMetrics, registerBacklogGauges } from './platform/metrics.js';
import { readBacklog } from './store/backlog.js';
import { Bb1Connector } from './suppliers/bb1/connector.js';
import { loadBb1Mappings } from './suppliers/bb1/mappings/load.js';
import { createApp } from './http/app.js';
import { Dispatcher } from './orders/dispatch.js';
import { KsuProcessor } from './ksus/apply.js';
import { DeliveryWorker } from './kci/delivery-worker.js';
import type { AppContext } from './context.js';

export interface Service {
  ctx: AppContext;
  app: ReturnType<typeof createApp>;
  dispatcher: Dispatcher;
  ksus: KsuProcessor;
  delivery: DeliveryWorker;
  listen(port?: number): Promise<Server>;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  config: Config;
  tenants: TenantDirectory;
  log: Logger;
  bb1BaseUrl: string;
  demoInbox?: boolean;
  database?: DatabaseHandle;
  workers?: boolean;
}

/** Builds the whole service (used by main.ts and by the tests, so tests run the real thing). */
export async function createService(o: ServiceOptions): Promise<Service> {
  const { config, log } = o;
  const handle =
    o.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      pgliteDataDir: config.pgliteDataDir,
      onIdleError: (err) => log.warn({ err: err.message }, 'database connection lost; reconnecting on next use'),
    }));
  await migrate(handle.db);
  const metrics = createMetrics();
  registerBacklogGauges(
    metrics,
    () => readBacklog(handle.db),
    (e) => log.warn({ err: (e as Error).message }, 'backlog gauges: database read failed'),
  );
  const mappingsRef = { current: loadBb1Mappings(config.mappingsDir) };
  const lifecycle: AppContext['lifecycle'] = { state: 'starting' };
  const kick = { dispatch: () => {}, ksus: () => {}, kcis: () => {} };
  const ctx: AppContext = {
    config,
    log,
    db: handle.db,
    dbEngine: handle.engine,
    tenants: o.tenants,
    tokens: await TokenService.create(handle.db),
    metrics,
    bb1: new Bb1Connector(
      { baseUrl: o.bb1BaseUrl, tokenUrl: config.bb1TokenUrl, timeoutMs: config.bb1TimeoutMs },
      mappingsRef,
      metrics,
    ),
    mappings: Object.assign(mappingsRef, {
      reload() {
        mappingsRef.current = loadBb1Mappings(config.mappingsDir);
        log.info('mapping tables reloaded');
      },
    }),
    lifecycle,
    kick,
    demoInbox: o.demoInbox ? { received: [] } : undefined,
  };
  const dispatcher = new Dispatcher(ctx);
  const ksus = new KsuProcessor(ctx);
  const delivery = new DeliveryWorker(handle.db, o.tenants, log, metrics, {
    retrySchedule: config.kciRetrySchedule,
    timeoutMs: config.kciTimeoutMs,
    engine: handle.engine,
  });
  const workers = o.workers ?? true;
  if (workers) {
    kick.dispatch = () => dispatcher.kick();
    kick.ksus = () => ksus.kick();
    kick.kcis = () => delivery.wake();
  }
  const app = createApp(ctx);
  let server: Server | undefined;
  let poll: NodeJS.Timeout | undefined;
  return {
    ctx,
    app,
    dispatcher,
    ksus,
    delivery,
    async listen(port = config.port) {
      await dispatcher.recover();
      server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(port, '0.0.0.0', () => resolve(s));
        s.once('error', (e: NodeJS.ErrnoException) =>
          reject(
            new Error(
              e.code === 'EADDRINUSE'
                ? `port ${port} is already in use (set PORT)`
                : `cannot listen on port ${port}: ${e.message}`,
            ),
          ),
        );
      });
      if (workers) {
        delivery.start();
        dispatcher.kick();
        ksus.kick();
        poll = setInterval(() => {
          dispatcher.kick();
          ksus.kick();
        }, 1000);
        poll.unref();
      }
      lifecycle.state = 'ok';
      return server;
    },
    async stop() {
      lifecycle.state = 'stopping';
      if (poll) clearInterval(poll);
      if (server) {
        server.closeIdleConnections?.();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      kick.dispatch = kick.ksus = kick.kcis = () => {};
      await Promise.all([dispatcher.drain(), ksus.drain(), delivery.stop()]);
      if (!o.database) await handle.close();
    },
  };
}
