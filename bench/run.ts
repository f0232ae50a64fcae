// `npm run bench [-- --history [--reuse] [--drop]]`: KSU ingest and KSU→KCI delivery (steady and burst),
// the bare Express + pg floor in the same run, the cost of each hop (tenant API over a zero-latency stub BB1,
// GET of an order with 40 updates, operator queries), pure translation rate and peak RSS, on PGlite and
// (when reachable) PostgreSQL. --history repeats it all on databases seeded with a year of traffic and prints
// each figure beside the empty database's. Prints figures; asserts nothing. Loopback only, bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { runKsuLoad, startSink, ksuPoster, type LoadFigures, type LoadOptions } from './ksu-load.js';
import {
  getOrderLatency,
  opsQueries,
  servicesQueries,
  startStubBb1,
  tenantApiOverhead,
  tenantToken,
  call,
} from './hops.js';
import { translationRate } from './translate.js';
import { cpuMeter } from './cpu.js';
import { clientOf, ksuClientOf, LOAD_TENANT, BENCH_TENANTS } from './tenants.js';
import { dropPostgres, preparePglite, preparePostgres } from './history/prepare.js';
import type { HistoryScale } from './history/seed.js';

const flags = new Set(process.argv.slice(2));
for (const f of flags)
  if (!['--history', '--reuse', '--drop', '--postgres-only', '--pglite-only'].includes(f)) {
    console.error(`unknown flag ${f}; flags: --history [--reuse] [--drop] [--postgres-only | --pglite-only]`);
    process.exit(2);
  }
const HISTORY = flags.has('--history');
const env = (k: string, d: number) => Number(process.env[k] ?? d);
const LOAD: LoadOptions = {
  rate: env('BENCH_RATE', 200),
  rateSeconds: env('BENCH_RATE_SECONDS', 10),
  burst: env('BENCH_BURST', 5000),
  concurrency: env('BENCH_CONCURRENCY', 32),
};
const ORDERS = env('BENCH_ORDERS', 500);
const HOP_N = env('BENCH_HOP_CALLS', 500);
const PG_SCALE: HistoryScale = {
  orders: env('BENCH_HISTORY_ORDERS', 1_000_000),
  tenants: BENCH_TENANTS,
  ksusPerOrder: 5,
  kcisPerOrder: 5,
};
/** PGlite (one connection on the Node thread, for development and small single instances): 1/20th. */
const PGLITE_SCALE: HistoryScale = { ...PG_SCALE, orders: Math.round(PG_SCALE.orders / 20) };
const HISTORY_DB = 'bench_history';
const PGLITE_HISTORY_DIR = join(tmpdir(), 'bb1-bench-history-pglite');
const OPERATOR_TOKEN = randomBytes(24).toString('hex');
const START_PROD = (JSON.parse(readFileSync('package.json', 'utf8')).scripts['start:prod'] as string).split(/\s+/);
const PROD_NODE_FLAGS = START_PROD.filter((a) => a.startsWith('--'));
/** The environment `npm run start:prod` sets (its leading NAME=value words, e.g. MALLOC_ARENA_MAX). */
const PROD_ENV = Object.fromEntries(
  START_PROD.slice(0, START_PROD.indexOf('node')).map((a) => a.split('=', 2) as [string, string]),
);
const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

type Engine = 'pglite' | 'postgres';
interface Figures {
  load: LoadFigures;
  peakRssMb: number;
  getOrder: Awaited<ReturnType<typeof getOrderLatency>>;
  tenantApi: Awaited<ReturnType<typeof tenantApiOverhead>>;
  ops: Awaited<ReturnType<typeof opsQueries>>;
  services: Awaited<ReturnType<typeof servicesQueries>>;
  floor?: { load: LoadFigures; peakRssMb: number };
}

/** A process started with production's Node flags that prints JSON lines. */
function startProcess(script: string, args: string[]) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...PROD_NODE_FLAGS,
      ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []),
      script,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...PROD_ENV } },
  );
  const lines = createInterface({ input: child.stdout! });
  const nextLine = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${script} exited (${code}) before it answered`));
      child.once('exit', onExit);
      lines.once('line', (l) => {
        child.off('exit', onExit);
        resolve(JSON.parse(l) as T);
      });
    });
  return {
    pid: child.pid!,
    nextLine,
    async stop(): Promise<number> {
      const stopped = nextLine<{ peakRssMb: number }>();
      child.kill('SIGTERM');
      return (await stopped).peakRssMb;
    },
  };
}

async function supplierToken(base: string): Promise<string> {
  const k = ksuClientOf(LOAD_TENANT.id);
  const r = await call(
    'POST',
    `${base}/v1/auth/supplier/access-token`,
    {
      Authorization: `Basic ${Buffer.from(`${k.clientId}:${k.clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    'grant_type=client_credentials',
  );
  return (JSON.parse(r.body) as { access_token: string }).access_token;
}

async function runConnector(engine: Engine, db: { databaseUrl?: string; pgliteDir?: string }): Promise<Figures> {
  const sink = await startSink();
  const stub = await startStubBb1();
  const runId = randomBytes(4).toString('hex');
  const server = startProcess('dist/bench/server.js', [
    JSON.stringify({ sinkUrl: sink.url, bb1Url: stub.url, orders: ORDERS, operatorToken: OPERATOR_TOKEN, ...db }),
  ]);
  const ready = await server.nextLine<{
    port: number;
    externalIds: string[];
    updatesOrder: { id: number; externalId: string };
    serviceId: string;
  }>();
  const base = `http://127.0.0.1:${ready.port}`;
  const target = {
    url: `${base}/v1/suppliers/BTWHOLESALEBB1/ksus`,
    token: await supplierToken(base),
    externalIds: ready.externalIds,
    cugId: LOAD_TENANT.cugId,
    runId,
  };
  const load = await runKsuLoad(target, LOAD, sink, cpuMeter(server.pid, db.databaseUrl));
  // An order with 40 updates: 40 KSUs one after another, each delivered as a KCI.
  const one = ksuPoster({ ...target, externalIds: [ready.updatesOrder.externalId], runId: `${runId}u` });
  const codes = Array.from({ length: 40 }, (_, i) => String(7_000_000 + i));
  for (const c of codes) await one.post(0, c);
  one.close();
  await sink.waitFor(codes);
  const c = clientOf(LOAD_TENANT.id);
  const token = await tenantToken(base, c.clientId, c.clientSecret);
  const getOrder = await getOrderLatency(base, token, ready.updatesOrder.id, HOP_N);
  const tenantApi = await tenantApiOverhead(base, stub.url, token, HOP_N);
  const ops = await opsQueries(base, OPERATOR_TOKEN, 20, LOAD_TENANT.id, ready.updatesOrder);
  const services = await servicesQueries(base, token, ready.serviceId, 100);
  const peakRssMb = await server.stop();
  await stub.close();
  await sink.close();
  const figures: Figures = { load, peakRssMb, getOrder, tenantApi, ops, services };
  if (engine === 'postgres') {
    // The floor on the same database, the same load generator (202 only: it translates and delivers nothing).
    const floor = startProcess('dist/bench/floor-server.js', [db.databaseUrl!]);
    const { port } = await floor.nextLine<{ port: number }>();
    const floorLoad = await runKsuLoad(
      { ...target, url: `http://127.0.0.1:${port}/ksus`, runId: `${runId}f` },
      LOAD,
      undefined,
      cpuMeter(floor.pid, db.databaseUrl),
    );
    figures.floor = { load: floorLoad, peakRssMb: await floor.stop() };
  }
  return figures;
}

const f1 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const f0 = (x: number | undefined) => (x === undefined ? '–' : Math.round(x).toLocaleString('en-GB'));

const cpu = (l: LoadFigures) =>
  l.burst.cpu ? `${f1(l.burst.cpu.processMs)} / ${l.burst.cpu.databaseMs ? f1(l.burst.cpu.databaseMs) : 'in it'}` : '–';

function rows(f: Figures): [string, string][] {
  const l = f.load;
  const r: [string, string][] = [
    [`202 at ${LOAD.rate}/s p50 / p99 (ms)`, `${f1(l.steady.p50)} / ${f1(l.steady.p99)}`],
    [`KSU→KCI delivered at ${LOAD.rate}/s p50 / p99 (ms)`, `${f1(l.steady.e2eP50)} / ${f1(l.steady.e2eP99)}`],
    [`burst ingest (KSU/s), 202 p99 (ms)`, `${f0(l.burst.ingest)}, ${f1(l.burst.p99)}`],
    [`burst translated+delivered (KSU/s)`, f0(l.burst.done)],
    [`burst KSU→KCI p50 / p99 (ms)`, `${f1(l.burst.e2eP50)} / ${f1(l.burst.e2eP99)}`],
    [`burst CPU per KSU: service / database (ms)`, cpu(l)],
    [`GET order (${f.getOrder.updates} updates) p50 / p99 (ms)`, `${f1(f.getOrder.p50)} / ${f1(f.getOrder.p99)}`],
    [
      `availability p50 / p99 (ms), stub's own`,
      `${f1(f.tenantApi.availability.p50)} / ${f1(f.tenantApi.availability.p99)}, ${f1(f.tenantApi.stub.p50)} / ${f1(f.tenantApi.stub.p99)}`,
    ],
    [`tenant-API overhead p50 / p99 (ms)`, `${f1(f.tenantApi.overhead.p50)} / ${f1(f.tenantApi.overhead.p99)}`],
    [`order create 201 p50 / p99 (ms)`, `${f1(f.tenantApi.create.p50)} / ${f1(f.tenantApi.create.p99)}`],
    ...Object.entries(f.services).map(([p, x]): [string, string] => [
      `${p} p50 / p99 (ms)`,
      `${f1(x.p50)} / ${f1(x.p99)}`,
    ]),
    ...Object.entries(f.ops).map(([p, x]): [string, string] => [`${p} p50 / p99 (ms)`, `${f1(x.p50)} / ${f1(x.p99)}`]),
    [`connector peak RSS (MB)`, String(f.peakRssMb)],
  ];
  if (f.floor) {
    const b = f.floor.load;
    r.push(
      [`floor: 202 at ${LOAD.rate}/s p50 / p99 (ms)`, `${f1(b.steady.p50)} / ${f1(b.steady.p99)}`],
      [`floor: burst ingest (KSU/s), 202 p99 (ms)`, `${f0(b.burst.ingest)}, ${f1(b.burst.p99)}`],
      [`floor: burst CPU per KSU: service / database (ms)`, cpu(b)],
      [`connector ÷ floor: burst ingest`, (l.burst.ingest / b.burst.ingest).toFixed(2)],
      [`connector ÷ floor: burst 202 p99`, (l.burst.p99 / b.burst.p99).toFixed(2)],
      [`connector ÷ floor: 202 p99 at ${LOAD.rate}/s`, (l.steady.p99 / b.steady.p99).toFixed(2)],
    );
  }
  return r;
}

function printTable(title: string, columns: [string, Figures][]) {
  const all = columns.map(([, f]) => rows(f));
  const w0 = Math.max(...all[0]!.map(([k]) => k.length));
  const ws = columns.map(([h], i) => Math.max(h.length, ...all[i]!.map(([, v]) => v.length)));
  console.log(`\n== ${title}`);
  console.log(`${''.padEnd(w0)}  ${columns.map(([h], i) => h.padStart(ws[i]!)).join('  ')}`);
  for (let r = 0; r < all[0]!.length; r++)
    console.log(`${all[0]![r]![0].padEnd(w0)}  ${all.map((x, i) => (x[r]?.[1] ?? '').padStart(ws[i]!)).join('  ')}`);
}

async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 1500 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function withFreshPostgres<T>(f: (url: string) => Promise<T>): Promise<T> {
  const name = `bb1bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  try {
    return await f(u.toString());
  } finally {
    await dropPostgres(ADMIN_URL, name);
  }
}

const rate = translationRate();
console.log(
  `translation (parseKsu + translateKsu over seed 003's 27 KSUs, no I/O): ${f0(rate.perCpuSecond)} KSUs per CPU second (one core)`,
);
const log = (l: string) => console.log(l);

if (!process.env.BENCH_SKIP_PGLITE && !flags.has('--postgres-only')) {
  const cols: [string, Figures][] = [['empty', await runConnector('pglite', {})]];
  if (HISTORY) {
    console.log(`\nPGlite history: ${PGLITE_SCALE.orders.toLocaleString('en-GB')} orders (1/20th of PostgreSQL's)`);
    await preparePglite(PGLITE_HISTORY_DIR, PGLITE_SCALE, flags.has('--reuse'), log);
    cols.push([
      `${PGLITE_SCALE.orders / 1000}k orders`,
      await runConnector('pglite', { pgliteDir: PGLITE_HISTORY_DIR }),
    ]);
  }
  printTable(`pglite (${ORDERS} load orders)`, cols);
}
if (flags.has('--pglite-only')) console.log('\n== postgres: skipped (--pglite-only)');
else if (await postgresReachable()) {
  const cols: [string, Figures][] = [
    ['empty', await withFreshPostgres((url) => runConnector('postgres', { databaseUrl: url }))],
  ];
  if (HISTORY) {
    console.log(`\nPostgreSQL history: ${PG_SCALE.orders.toLocaleString('en-GB')} orders in ${HISTORY_DB}`);
    const url = await preparePostgres(ADMIN_URL, HISTORY_DB, PG_SCALE, flags.has('--reuse'), log);
    cols.push([`${PG_SCALE.orders / 1e6}M orders`, await runConnector('postgres', { databaseUrl: url })]);
  }
  printTable(`postgres (${ORDERS} load orders)`, cols);
} else console.log('\n== postgres: not reachable, skipped');
if (flags.has('--drop')) {
  if (await postgresReachable()) await dropPostgres(ADMIN_URL, HISTORY_DB);
  const { rmSync } = await import('node:fs');
  rmSync(PGLITE_HISTORY_DIR, { recursive: true, force: true });
  console.log(`\ndropped ${HISTORY_DB} and ${PGLITE_HISTORY_DIR}`);
}
process.exit(0);
