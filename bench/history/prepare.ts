// A database with a year of history: PostgreSQL (database bench_history on the server the bench uses) or
// PGlite (a data directory), created, migrated and seeded, or reused (--reuse) when its recorded seed
// matches. A reused database whose migrations are an earlier prefix of today's is migrated forward, as a
// deploy would migrate production; anything else is seeded again.
import { spawn } from 'node:child_process';
import { existsSync, rmSync, statfsSync } from 'node:fs';
import pg from 'pg';
import { sql } from 'kysely';
import { migrate, openDatabase } from '../../src/store/database.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { historyShapes } from './shapes.js';
import { seedHistory, seedServices, type HistoryScale } from './seed.js';

const SEED_VERSION = 1;
type Log = (line: string) => void;

interface SeedRecord {
  version: number;
  scale: HistoryScale;
  migrations: string[];
  seededAt: string;
  seconds: number;
}

const migrationNames = async () => Object.keys(await migrationProvider.getMigrations()).sort();

/** Whether a recorded seed can be reused as it is (or after migrating forward). */
async function reusable(rec: SeedRecord | undefined, scale: HistoryScale): Promise<boolean> {
  // Field by field: jsonb does not keep key order.
  const same = (Object.keys(scale) as (keyof HistoryScale)[]).every((k) => rec?.scale[k] === scale[k]);
  if (!rec || rec.version !== SEED_VERSION || !same) return false;
  const now = await migrationNames();
  return rec.migrations.every((m, i) => now[i] === m);
}

const freeGb = (path: string) => {
  const s = statfsSync(path);
  return (s.bavail * s.bsize) / 1e9;
};

/** Creates (or reuses) `name` on the server of `adminUrl`; returns its URL. */
export async function preparePostgres(
  adminUrl: string,
  name: string,
  scale: HistoryScale,
  reuse: boolean,
  log: Log,
): Promise<string> {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (exists && reuse) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const rec = await c
        .query<{ value: SeedRecord }>(`SELECT value FROM bench_seed WHERE key = 'seed'`)
        .then((r) => r.rows[0]?.value)
        .catch(() => undefined);
      await c.end();
      if (await reusable(rec, scale)) {
        log(`  reusing ${name} (seeded ${rec!.seededAt} in ${rec!.seconds} s)`);
        const h = await openDatabase({ databaseUrl: url, poolSize: 1 });
        await migrate(h.db);
        await h.close();
        await withClient(url, (c) => seedServices((t) => c.query(t), log));
        return url;
      }
      log(`  ${name} was seeded differently: seeding again`);
    }
    // Postgres's data directory is on this machine's one disk (a guess where it is not readable).
    const gb = freeGb('/');
    const needGb = (scale.orders / 1e6) * 30;
    if (gb < needGb + 5)
      throw new Error(`only ${gb.toFixed(0)} GB free; seeding ${scale.orders} orders needs about ${needGb} GB`);
    log(`  seeding ${name}: ${gb.toFixed(0)} GB free, about ${needGb.toFixed(1)} GB needed`);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const t0 = Date.now();
  const h = await openDatabase({ databaseUrl: url, poolSize: 1 });
  await migrate(h.db);
  await h.close();
  // Two connections, one chunk each at a time (the machine has two cores); no wait for the WAL flush; lz4
  // for the seeded rows' TOAST (half the seeding time of the default pglz; rows the service writes, such as
  // the bench's own, keep the server's default).
  const clients = await Promise.all(
    [0, 1].map(async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`SET synchronous_commit = off`);
      await c.query(`SET work_mem = '64MB'`);
      await c.query(`SET default_toast_compression = lz4`).catch(() => undefined);
      return c;
    }),
  );
  try {
    await seedHistory(
      clients.map((c) => (text, params) => c.query(text, params)),
      scale,
      historyShapes(),
      log,
      Math.max(1000, Math.round(scale.orders / 50)),
    );
    await seedServices((t) => clients[0]!.query(t), log);
    log('  VACUUM ANALYZE (as autovacuum would have, long before a year had passed)');
    await clients[0]!.query('VACUUM (ANALYZE)');
    const seconds = Math.round((Date.now() - t0) / 1000);
    const size = await clients[0]!.query<{ s: string }>(
      'SELECT pg_size_pretty(pg_database_size(current_database())) AS s',
    );
    await record(clients[0]!, scale, seconds);
    log(`  seeded in ${seconds} s; database size ${size.rows[0]!.s}`);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  return url;
}

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

async function record(
  c: { query: (t: string, p?: unknown[]) => Promise<unknown> },
  scale: HistoryScale,
  seconds: number,
) {
  const rec: SeedRecord = {
    version: SEED_VERSION,
    scale,
    migrations: await migrationNames(),
    seededAt: new Date().toISOString(),
    seconds,
  };
  await c.query('CREATE TABLE IF NOT EXISTS bench_seed (key text PRIMARY KEY, value jsonb NOT NULL)');
  await c.query(
    `INSERT INTO bench_seed (key, value) VALUES ('seed', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [JSON.stringify(rec)],
  );
}

export async function dropPostgres(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

/**
 * A PGlite data directory with the history, prepared in a child process (seeding grows PGlite's
 * WebAssembly memory, which a process keeps: the connector opens the directory afterwards in its own).
 */
export async function preparePglite(dir: string, scale: HistoryScale, reuse: boolean, log: Log): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/history/prepare.ts', '--pglite', dir, JSON.stringify(scale), reuse ? 'reuse' : ''],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) log(line);
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding PGlite failed (exit ${code})`))));
  });
}

async function seedPgliteHere(dir: string, scale: HistoryScale, reuse: boolean): Promise<void> {
  const log = (l: string) => console.log(l);
  if (reuse && existsSync(dir)) {
    const h = await openDatabase({ pgliteDataDir: dir });
    const rec = await sql<{ value: SeedRecord }>`SELECT value FROM bench_seed WHERE key = 'seed'`
      .execute(h.db)
      .then((r) => r.rows[0]?.value)
      .catch(() => undefined);
    if (await reusable(rec, scale)) {
      log(`  reusing ${dir} (seeded ${rec!.seededAt} in ${rec!.seconds} s)`);
      await migrate(h.db);
      await seedServices((t) => runPglite(h, t), log);
      await h.close();
      return;
    }
    await h.close();
    log(`  ${dir} was seeded differently: seeding again`);
  }
  rmSync(dir, { recursive: true, force: true });
  const t0 = Date.now();
  const h = await openDatabase({ pgliteDataDir: dir });
  await migrate(h.db);
  await seedHistory(
    [(text, params) => runPglite(h, text, params)],
    scale,
    historyShapes(),
    log,
    Math.max(1000, Math.round(scale.orders / 25)),
  );
  await seedServices((t) => runPglite(h, t), log);
  await sql`VACUUM (ANALYZE)`.execute(h.db);
  const seconds = Math.round((Date.now() - t0) / 1000);
  await record({ query: (t, p) => runPglite(h, t, p) }, scale, seconds);
  await h.close();
  log(`  seeded in ${seconds} s`);
}

/** A raw statement with $n parameters through Kysely (PGlite takes them as node-postgres does). */
function runPglite(h: Awaited<ReturnType<typeof openDatabase>>, text: string, params: unknown[] = []) {
  return h.db.executeQuery({ sql: text, parameters: params, query: { kind: 'RawNode' } } as never);
}

if (process.argv[2] === '--pglite') {
  await seedPgliteHere(process.argv[3]!, JSON.parse(process.argv[4]!) as HistoryScale, process.argv[5] === 'reuse');
  process.exit(0);
}
