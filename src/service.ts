import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config/env.js';
import type { TenantDirectory } from './config/tenants.js';
import { TokenService } from './auth/tokens.js';
import { openDatabase, migrate, type DatabaseHandle } from './store/database.js';
import { DatabaseHealth } from './store/health.js';
import { RetentionJob } from './store/retention.js';
import { readBacklog } from './store/backlog.js';
import { createMetrics, registerBacklogGauges } from './platform/metrics.js';
import { TypedEvents, type ConnectorEvents } from './platform/events.js';
import { createSuppliers, SUPPLIER_MODULES, type SupplierModule, type SupplierRegistry } from './suppliers/registry.js';
import { createOrderUseCases } from './orders/use-cases.js';
import { Dispatcher } from './orders/dispatch.js';
import { KsuProcessor } from './ksus/apply.js';
import { InboxWriter, requeueUnmatched } from './ksus/inbox.js';
import { IngestActivity } from './ksus/ingest-activity.js';
import { makeReceiveUpdate } from './ksus/receive.js';
import { DeliveryWorker } from './kci/delivery-worker.js';
import { Reconciler } from './ksus/reconcile.js';
import { releaseAbandonedKeys } from './store/idempotency.js';
import { createApp } from './http/app.js';
import type { AppContext } from './context.js';

export interface Service {
  ctx: AppContext;
  app: ReturnType<typeof createApp>;
  suppliers: SupplierRegistry;
  dispatcher: Dispatcher;
  ksus: KsuProcessor;
  delivery: DeliveryWorker;
  reconciler: Reconciler;
  retention: RetentionJob;
  listen(port?: number): Promise<Server>;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  config: Config;
  tenants: TenantDirectory;
  log: Logger;
  /** the environment the suppliers read their own settings from (BB1_BASE_URL, …); default process.env */
  env?: Record<string, string | undefined>;
  /** the suppliers to run (default: every registered one) */
  modules?: SupplierModule[];
  /** the plain inbound client secret of a tenant, where known (the demo tenant: its sandbox calls back with it) */
  inboundSecret?: (tenantId: string) => string | undefined;
  demoInbox?: boolean;
  database?: DatabaseHandle;
  workers?: boolean;
}

/** Builds the whole service (used by main.ts and by the tests, so tests run the real thing). */
export async function createService(o: ServiceOptions): Promise<Service> {
  const { config, log, tenants } = o;
  const handle =
    o.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      pgliteDataDir: config.pgliteDataDir,
      onConnectionError: (err) => {
        log.warn({ err: { message: err.message } }, 'database connection lost; reconnecting on next use');
        dbHealth.report(err);
      },
    }));
  const dbHealth: DatabaseHealth = new DatabaseHealth(handle.db, log);
  await migrate(handle.db);
  const db = handle.db;
  const metrics = createMetrics();
  registerBacklogGauges(
    metrics,
    () => readBacklog(db),
    (e) => log.warn({ err: (e as Error).message }, 'backlog gauges: database read failed'),
  );
  // The built-in suppliers and those the tenants file configures (its top-level `suppliers:` list).
  const modules = [...(o.modules ?? SUPPLIER_MODULES)];
  for (const m of tenants.configuredSuppliers) if (!modules.some((x) => x.id === m.id)) modules.push(m);
  const suppliers = createSuppliers(
    { env: o.env ?? process.env, mappingsDir: config.mappingsDir, metrics, log },
    modules,
  );
  const events = new TypedEvents<ConnectorEvents>((event, err) => log.error({ err, event }, 'event listener failed'));
  const runState: AppContext['runState'] = { state: 'starting' };
  // One connection (PGlite) means nothing else applies updates meanwhile; Postgres runs several loops.
  const exclusive = handle.engine === 'pglite';
  // Ingest first: during a burst of supplier updates the applier steps aside (bounded) so each is answered sooner.
  const ingest = new IngestActivity();
  const ctx: AppContext = {
    config,
    log,
    db,
    dbEngine: handle.engine,
    dbHealth,
    tenants,
    tokens: await TokenService.create(db),
    metrics,
    suppliers,
    events,
    orders: createOrderUseCases({ db, suppliers, events }),
    // Group commit: updates arriving together are stored with one INSERT (each 202 still waits for its commit).
    // Measured on the bench: PGlite ~95 → ~420 KSU/s; PostgreSQL burst ~1,100 → ~1,600 KSU/s, steady p99 unchanged.
    receiveUpdate: makeReceiveUpdate({
      db,
      tenants,
      suppliers,
      inbox: new InboxWriter(db),
      metrics,
      events,
      activity: ingest,
    }),
    runState,
    demoInbox: o.demoInbox ? { received: [] } : undefined,
  };
  const dispatcher = new Dispatcher({ db, log, tenants, suppliers, events }, { ...config.dispatch, exclusive });
  // PGlite: one loop, batches of 50 (a burst let in first is then applied in fewer transactions: on the
  // bench 350 → 430 KSU/s translated and delivered after a burst, against 10 a batch).
  const ksus = new KsuProcessor(
    { db, log, metrics, suppliers, events, ingest },
    exclusive ? { loops: 1, batch: 50, exclusive } : { loops: 3, batch: 100, exclusive },
  );
  const delivery = new DeliveryWorker(db, tenants, log, metrics, {
    retrySchedule: config.kciRetrySchedule,
    timeoutMs: config.kciTimeoutMs,
    engine: handle.engine,
  });
  const reconciler = new Reconciler({ db, log, tenants, suppliers, events }, config.reconcile);
  const workers = o.workers ?? true;
  if (workers) {
    events.on('sends-due', () => dispatcher.kick());
    events.on('updates-stored', () => ksus.kick());
    events.on('kcis-enqueued', () => delivery.wake());
    // Updates that arrived before their order was known are matched once it is.
    events.on('orders-identified', (orders) => {
      requeueUnmatched(db, orders).then(
        () => ksus.kick(),
        (e) => log.error({ err: e }, 'matching waiting KSUs failed'),
      );
    });
  }
  const retention = new RetentionJob(db, log, config.retention);
  const app = createApp(ctx);
  let server: Server | undefined;
  let poll: NodeJS.Timeout | undefined;
  return {
    ctx,
    app,
    suppliers,
    dispatcher,
    ksus,
    delivery,
    retention,
    reconciler,
    async listen(port = config.port) {
      await dispatcher.recover();
      // Alone on its database (embedded), no request can still be running: keys claimed by the last process
      // and never answered are released (what it stored answered its key in the same transaction).
      if (exclusive) await releaseAbandonedKeys(db);
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
      const listening = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      await suppliers.start({
        publicBaseUrl: config.publicBaseUrl ?? listening,
        inboundSecret: o.inboundSecret,
        accountsOf: (id) =>
          tenants
            .all()
            .filter((t) => id in t.accounts)
            .map((t) => ({ tenantId: t.id, account: t.accounts[id] })),
      });
      if (workers) {
        retention.start();
        reconciler.start();
        delivery.start();
        dispatcher.kick();
        ksus.kick();
        poll = setInterval(() => {
          dispatcher.kick();
          ksus.kick();
        }, 1000);
        poll.unref();
      }
      dbHealth.start();
      runState.state = 'ok';
      return server;
    },
    async stop() {
      runState.state = 'stopping';
      dbHealth.stop();
      if (poll) clearInterval(poll);
      if (server) {
        server.closeIdleConnections?.();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      events.clear();
      await Promise.all([dispatcher.drain(), ksus.drain(), delivery.stop(), retention.stop(), reconciler.stop()]);
      await suppliers.stop();
      if (!o.database) await handle.close();
    },
  };
}
