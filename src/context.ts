import type { Logger } from 'pino';
import type { Config } from './config/env.js';
import type { TenantDirectory } from './config/tenants.js';
import type { TokenService } from './auth/tokens.js';
import type { Db } from './store/database.js';
import type { Metrics } from './platform/metrics.js';
import type { Bb1Connector } from './suppliers/bb1/connector.js';
import type { Bb1Mappings } from './suppliers/bb1/mappings/indexed.js';

/** Everything a request handler or worker needs, built once by the composition root (main.ts). */
export interface AppContext {
  config: Config;
  log: Logger;
  db: Db;
  dbEngine: 'pglite' | 'postgres';
  tenants: TenantDirectory;
  tokens: TokenService;
  metrics: Metrics;
  bb1: Bb1Connector;
  mappings: { current: Bb1Mappings; reload(): void };
  lifecycle: { state: 'starting' | 'ok' | 'stopping' };
  /** Nudges background work after a commit (order dispatch, KSU processing, KCI delivery). */
  kick: { dispatch(): void; ksus(): void; kcis(): void };
  demoInbox?: { received: Record<string, unknown>[] };
}
