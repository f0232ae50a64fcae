import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';

// node-postgres returns int8 as string; PGlite returns number. Normalise to number everywhere.
pg.types.setTypeParser(20, (v) => Number(v));

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  engine: 'pglite' | 'postgres';
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  pgliteDataDir?: string; // 'memory://' keeps nothing
  poolSize?: number;
  /** a pooled connection died (Postgres restart, failover, admin kill), idle or checked out */
  onConnectionError?: (err: Error) => void;
}

export async function openDatabase(opts: DatabaseOptions): Promise<DatabaseHandle> {
  if (opts.databaseUrl) {
    // A connect that cannot finish (database down or unreachable) fails after 5 s instead of waiting forever.
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      // A connection whose peer vanished without closing it (a partition, a dead load balancer) is found by
      // TCP keepalive probes rather than never: a query on it would otherwise wait forever.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    // A connection can die (Postgres restart, failover, admin kill). pg emits that on the pool for an idle
    // client, but on the client itself while it is checked out (Kysely holds one for a whole transaction):
    // without a listener there, the 'error' event would crash the process. Each client gets one for its
    // whole life; the statement in flight fails, the pool discards the client, and the next query reconnects.
    pool.on('error', (err) => opts.onConnectionError?.(err));
    pool.on('connect', (client) => {
      client.on('error', (err) => opts.onConnectionError?.(err));
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: 'postgres', close: () => db.destroy() };
  }
  // PGlite is Postgres compiled to WebAssembly. V8 first compiles it with its baseline compiler (Liftoff), then
  // recompiles hot functions with TurboFan: more code in memory and compile work competing with requests on a
  // small machine. Baseline only, measured on the bench: peak RSS 351 → 250 MB, same throughput, no 300 ms
  // stalls. Set before the module is compiled; affects only WebAssembly.
  v8.setFlagsFromString('--liftoff-only');
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = opts.pgliteDataDir ?? 'memory://';
  // Postgres's default 128 MB shared_buffers is far more than one embedded instance needs (measured: -130 MB RSS, faster reads).
  // PGlite's file writes run on the Node thread: zero-filling each new 16 MB WAL segment stalls every request
  // meanwhile (bench, A/B: steady p99 23–28 → 21–22 ms); a sparse new segment is as safe.
  const defaults = (PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams ?? [];
  const startParams = [...defaults, '-c', 'shared_buffers=16MB', '-c', 'wal_init_zero=off'];
  if (!dir.startsWith('memory://')) {
    mkdirSync(dir, { recursive: true });
    await initPgliteDir(dir, startParams);
  }
  const pglite = await PGlite.create(dir, { startParams });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return { db, engine: 'pglite', close: () => db.destroy() };
}

/**
 * A new data directory is created (initdb) in a short-lived child process: initdb grows PGlite's WASM memory
 * to ~500 MB, which a process keeps for its lifetime (measured: first start 630 MB RSS, reopening 160 MB).
 */
async function initPgliteDir(dir: string, startParams: string[]): Promise<void> {
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const code = `require(${JSON.stringify(entry)}).PGlite.create(${JSON.stringify(dir)}, { startParams: ${JSON.stringify(startParams)} }).then((db) => db.close())`;
  try {
    await promisify(execFile)(process.execPath, ['-e', code], { timeout: 120_000 });
  } catch (e) {
    throw new Error(
      `could not create the PGlite data directory ${dir}: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`,
    );
  }
}

export async function migrate(db: Db): Promise<void> {
  // Migrations are named by the change that needs them; ones developed side by side may land out of name order.
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
}
