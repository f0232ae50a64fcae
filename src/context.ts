import type { Logger } from 'pino';
import type { Config } from './config/env.js';
import type { TenantDirectory } from './config/tenants.js';
import type { TokenService } from './auth/tokens.js';
import type { Db } from './store/database.js';
import type { Metrics } from './platform/metrics.js';
import type { Events } from './platform/events.js';
import type { SupplierRegistry } from './suppliers/registry.js';
import type { OrderUseCases } from './orders/use-cases.js';
import type { makeReceiveUpdate } from './ksus/receive.js';
import type { DatabaseHealth } from './store/health.js';

/** What the HTTP edge is built with (composition root: service.ts). Use cases get only what they name. */
export interface AppContext {
  config: Config;
  log: Logger;
  db: Db;
  dbEngine: 'pglite' | 'postgres';
  /** whether the database answers (for /ready and 503s) */
  dbHealth: DatabaseHealth;
  tenants: TenantDirectory;
  tokens: TokenService;
  metrics: Metrics;
  suppliers: SupplierRegistry;
  events: Events;
  orders: OrderUseCases;
  receiveUpdate: ReturnType<typeof makeReceiveUpdate>;
  runState: { state: 'starting' | 'ok' | 'stopping' };
  demoInbox?: { received: Record<string, unknown>[] };
}
