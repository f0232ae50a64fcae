// `npm run bench:console`: the operator console's pages with 100,000 orders in the database. Seeds the orders
// (and their history, KSUs, KCIs, delivery attempts and queues) set-based, then times each /ops call a page makes and the page
// HTML, over HTTP on loopback: p50/p99 per call and per page (its calls made as the page makes them).
// PGlite on disk, then PostgreSQL when it answers. Prints figures; the target is under 300 ms a page.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/env.js';
import { parseTenants } from '../src/config/tenants.js';
import { createLogger } from '../src/platform/log.js';
import { createService } from '../src/service.js';
import { openDatabase, type Db } from '../src/store/database.js';
import { dropPostgres, postgresUrl } from './postgres.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const TENANTS = ['ISP1', 'ISP2', 'ISP3', 'ISP4'];
const TOKEN = 'bench-operator-token-0123456789';

const fixture = (name: string) => JSON.parse(readFileSync(`test/fixtures/${name}`, 'utf8'));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/**
 * 100,000 orders over 90 days across four tenants, in the mix a live service has: mostly completed, some in
 * flight, a few unsettled with the supplier (the stuck ones). Each has three history events, one KSU (a real
 * BB1 KSU with its ids) and two KCIs; on top, a backlog of DEAD KCIs, UNMATCHED and FAILED KSUs and unmapped
 * codes. One statement per table.
 */
async function seed(db: Db) {
  const request = JSON.stringify(fixture('requests/provide-fttp-appointed.json'));
  const ksu = JSON.stringify(fixture('seed003/01-access-in-progress.json'));
  const t0 = performance.now();
  await sql`
    INSERT INTO orders (tenant_id, id, external_id, supplier, order_type, status, supplier_order_id, conversation_id,
      entity, request, supplier_state, outbound, send_state, created_at, updated_at)
    SELECT t, n, t || '-' || n || '-' || substr(md5(i::text), 1, 8), 'BTWHOLESALEBB1', 'NEW', s.status,
      CASE WHEN s.status NOT IN ('RECEIVED_BY_GATEWAY', 'SENT_TO_SUPPLIER') THEN lpad(i::text, 8, '0') END,
      'conv-' || i,
      jsonb_build_object('id', n, 'orderType', 'NEW', 'supplier', 'BTWHOLESALEBB1', 'status', s.status,
        'serviceId', CASE WHEN s.status IN ('COMPLETED', 'IN_PROGRESS') THEN 'BBONE' || lpad(i::text, 7, '0') END,
        'created', c, 'updated', c + interval '3 days'),
      ${request}::jsonb, '{}'::jsonb, ${request}::jsonb || jsonb_build_object('externalId', i), s.send_state,
      c, least(now(), c + interval '3 days')
    FROM generate_series(1, ${ORDERS}) AS i,
      LATERAL (SELECT ${TENANTS}::text[] AS ts) AS x,
      LATERAL (SELECT x.ts[1 + i % 4] AS t, (i + 3) / 4 AS n, now() - interval '90 days' * (1 - i::float8 / ${ORDERS}) AS c) AS v,
      LATERAL (SELECT CASE WHEN i % 100 < 70 THEN 'COMPLETED' WHEN i % 100 < 85 THEN 'IN_PROGRESS'
        WHEN i % 100 < 90 THEN 'ACKNOWLEDGED' WHEN i % 100 < 92 THEN 'SENT_TO_SUPPLIER' WHEN i % 100 < 95 THEN 'CANCELLED'
        WHEN i % 100 < 97 THEN 'REJECTED' ELSE 'PENDING_AMENDMENT' END AS status,
        CASE WHEN i % 1000 = 7 THEN 'UNCERTAIN' WHEN i % 100 = 96 THEN 'REJECTED' ELSE 'SENT' END AS send_state) AS s`.execute(
    db,
  );
  await sql`
    INSERT INTO order_history (tenant_id, order_id, at, event, detail)
    SELECT o.tenant_id, o.id, o.created_at + e.d, e.event, e.detail
    FROM orders o, (VALUES (interval '0', 'RECEIVED', NULL::jsonb), (interval '2 s', 'SEND_SENT', NULL),
      (interval '1 min', 'KSU ProductOrderStateChangeEvent', '{"codes": ["510"], "kci": "ACKNOWLEDGED", "stale": false}'::jsonb)) AS e(d, event, detail)`.execute(
    db,
  );
  await sql`
    INSERT INTO ksu_inbox (event_id, tenant_id, supplier, received_at, raw, body, event_type, event_time, external_id,
      supplier_order_id, status, order_id, applied_at)
    SELECT 'ev-' || o.tenant_id || '-' || o.id, o.tenant_id, o.supplier, o.created_at + interval '1 min', k.body::text, k.body,
      'ProductOrderStateChangeEvent', o.created_at + interval '1 min', o.external_id, o.supplier_order_id, 'APPLIED', o.id,
      o.created_at + interval '1 min'
    FROM orders o, LATERAL (SELECT jsonb_set(jsonb_set(${ksu}::jsonb, '{event,productOrder,externalId}', to_jsonb(o.external_id)),
      '{event,productOrder,id}', to_jsonb(coalesce(o.supplier_order_id, ''))) AS body) AS k`.execute(db);
  // Two KCIs an order; the newest 500 orders of ISP2 and ISP3 have a DEAD first KCI (a tenant outage) with the
  // second waiting behind it.
  await sql`
    INSERT INTO kci_outbox (id, tenant_id, order_id, sequence_number, conversation_id, body, status, attempts,
      next_attempt_at, last_error, last_status, delivered_at, created_at)
    SELECT md5(o.tenant_id || o.id || s)::uuid, o.tenant_id, o.id, s, o.conversation_id,
      jsonb_build_object('id', md5(o.tenant_id || o.id || s)::uuid, 'sequenceNumber', s, 'updateType', 'INFORMATIONAL',
        'information', jsonb_build_object('type', CASE s WHEN 1 THEN 'UPDATE' ELSE 'ACKNOWLEDGED' END, 'text', 'Order Acknowledge'),
        'entity', o.entity),
      CASE WHEN d.dead AND s = 1 THEN 'DEAD' WHEN d.dead THEN 'PENDING' ELSE 'DELIVERED' END, CASE WHEN d.dead AND s = 1 THEN 8 ELSE 1 END,
      CASE WHEN d.dead AND s = 2 THEN 'infinity'::timestamptz ELSE o.created_at END,
      CASE WHEN d.dead AND s = 1 THEN 'tenant answered 503' END, CASE WHEN d.dead AND s = 1 THEN 503 ELSE 204 END,
      CASE WHEN NOT d.dead THEN o.created_at + interval '1 min' END, o.created_at + (s || ' min')::interval
    FROM orders o, generate_series(1, 2) AS s,
      LATERAL (SELECT o.tenant_id IN ('ISP2', 'ISP3') AND o.id > ${ORDERS / 4 - 250} AS dead) AS d`.execute(db);
  // Each KCI's delivery attempts as the worker records them: one for a delivered KCI, eight 503s for a DEAD one.
  await sql`
    INSERT INTO kci_attempts (kci_id, attempt, tenant_id, at, status, latency_ms, error, response_excerpt)
    SELECT k.id, a, k.tenant_id, k.created_at + (a || ' min')::interval, k.last_status, 5 + (a * 37 + k.order_id) % 90,
      CASE WHEN k.status = 'DEAD' THEN 'tenant answered 503' END, CASE WHEN k.status = 'DEAD' THEN 'busy' END
    FROM kci_outbox k, generate_series(1, k.attempts) AS a WHERE k.status <> 'PENDING'`.execute(db);
  await sql`
    INSERT INTO ksu_inbox (event_id, tenant_id, supplier, received_at, raw, body, event_type, external_id, supplier_order_id, status, error)
    SELECT 'stray-' || i, 'ISP1', 'BTWHOLESALEBB1', now() - (i || ' min')::interval, ${ksu}, ${ksu}::jsonb,
      'ProductOrderStateChangeEvent', 'UNKNOWN-' || i, '9' || lpad(i::text, 7, '0'),
      CASE WHEN i % 5 = 0 THEN 'FAILED' ELSE 'UNMATCHED' END, CASE WHEN i % 5 = 0 THEN 'productOrder: missing' END
    FROM generate_series(1, 250) AS i`.execute(db);
  await sql`
    INSERT INTO unmapped_codes (supplier, code, count, first_seen, last_seen)
    SELECT 'BTWHOLESALEBB1', (9000 + i)::text, i * 7, now() - (i || ' days')::interval, now() - (i || ' hours')::interval
    FROM generate_series(1, 30) AS i`.execute(db);
  await sql`ANALYZE`.execute(db);
  return (performance.now() - t0) / 1000;
}

async function run(engine: 'pglite' | 'postgres', url?: string) {
  const dir = url ? undefined : mkdtempSync(join(tmpdir(), 'bb1-bench-console-'));
  const handle = await openDatabase(url ? { databaseUrl: url } : { pgliteDataDir: dir! });
  const tenants = parseTenants(
    `tenants:\n${TENANTS.map((t) => `  - id: ${t}\n    clients: [{ clientId: ${t.toLowerCase()}-app, clientSecret: ${t}-secret-value }]\n    kci: { url: http://127.0.0.1:9/kcis }\n    suppliers:\n      BTWHOLESALEBB1: { clientId: b, clientSecret: b-secret, cugId: CUG500999999${t.slice(-1)}, retailerId: ZYX, billingAccountId: "1", ksuClient: { clientId: ${t.toLowerCase()}-ksu, clientSecret: ksu-secret-${t} } }\n`).join('')}`,
    'bench',
    {},
  );
  const service = await createService({
    config: loadConfig({ PORT: '0', LOG_LEVEL: 'silent', OPERATOR_TOKEN: TOKEN, PGLITE_DATA_DIR: 'memory://' }),
    tenants,
    log: createLogger('silent'),
    env: { BB1_BASE_URL: 'http://127.0.0.1:9' },
    database: handle,
    workers: false,
  });
  const seconds = await seed(handle.db);
  const server = await service.listen(0);
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const signIn = await fetch(`${base}/console/session`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `token=${TOKEN}`,
  });
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const get = async (path: string) => {
    const t = performance.now();
    const r = await fetch(`${base}${path}`, { headers: { Cookie: cookie } });
    const text = await r.text();
    if (!r.ok && r.status !== 404) throw new Error(`${path}: ${r.status}`);
    const body: unknown = r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    return { ms: performance.now() - t, status: r.status, body };
  };
  const json = async (path: string) => (await get(path)).body;
  const pick = async (q: string) =>
    (
      await sql<{ v: string }>`SELECT v FROM (${sql.raw(q)}) x(v) ORDER BY random() LIMIT ${RUNS}`.execute(handle.db)
    ).rows.map((r) => r.v);
  const [externalIds, bb1Ids, serviceIds, orderKeys] = await Promise.all([
    pick('SELECT external_id FROM orders'),
    pick('SELECT supplier_order_id FROM orders WHERE supplier_order_id IS NOT NULL'),
    pick("SELECT entity->>'serviceId' FROM orders WHERE entity->>'serviceId' IS NOT NULL"),
    pick("SELECT tenant_id || '/' || id FROM orders"),
  ]);
  const cursor = ((await json('/ops/orders?limit=50')) as { nextCursor: string }).nextCursor;
  const calls: Record<string, number[]> = {};
  const pages: Record<string, number[]> = {};
  const timed = async (name: string, path: string) => {
    const r = await get(path);
    (calls[name] ??= []).push(r.ms);
    return r;
  };
  const page = async (name: string, f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    (pages[name] ??= []).push(performance.now() - t);
  };
  let attemptsEndpoint = true;
  let tenantsEndpoint = true;
  for (let i = 0; i < RUNS; i++) {
    await page('console page HTML + app.js', async () => {
      await timed('GET /console', '/console');
      await timed('GET /console/assets/app.js', '/console/assets/app.js');
    });
    const tenantsCall = async () => {
      if (tenantsEndpoint && (await timed('GET /ops/tenants', '/ops/tenants')).status === 404) tenantsEndpoint = false;
    };
    await page('find: recent orders', async () => {
      await tenantsCall();
      await timed('GET /ops/orders (no filter)', '/ops/orders?limit=50');
    });
    await page('find: by externalId', () =>
      timed('GET /ops/orders?externalId', `/ops/orders?limit=50&externalId=${externalIds[i]}`),
    );
    await page('find: by BB1 order id', () =>
      timed('GET /ops/orders?supplierOrderId', `/ops/orders?limit=50&supplierOrderId=${bb1Ids[i]}`),
    );
    await page('find: by SERVICE_ID', () =>
      timed('GET /ops/orders?serviceId', `/ops/orders?limit=50&serviceId=${serviceIds[i]}`),
    );
    const [tenant, id] = orderKeys[i]!.split('/');
    await page('find: tenant + id', () =>
      timed('GET /ops/orders?tenant&id', `/ops/orders?limit=50&tenant=${tenant}&id=${id}`),
    );
    await page('find: by tenant', () =>
      timed('GET /ops/orders?tenant', `/ops/orders?limit=50&tenant=${TENANTS[i % 4]}`),
    );
    await page('find: by status', () =>
      timed(
        'GET /ops/orders?status',
        `/ops/orders?limit=50&status=${['IN_PROGRESS', 'REJECTED', 'CANCELLED', 'COMPLETED'][i % 4]}`,
      ),
    );
    await page('find: stuck 30 min', () =>
      timed('GET /ops/orders?stuckMinutes', '/ops/orders?limit=50&stuckMinutes=30'),
    );
    await page('find: next page', () => timed('GET /ops/orders?cursor', `/ops/orders?limit=50&cursor=${cursor}`));
    await page('timeline', async () => {
      const r = (await timed('GET /ops/orders/{tenant}/{id}/timeline', `/ops/orders/${tenant}/${id}/timeline`))
        .body as { events: { kind: string; kci?: { id: string } }[] };
      if (attemptsEndpoint)
        await Promise.all(
          r.events
            .filter((e) => e.kind === 'KCI')
            .map(async (e) => {
              if ((await timed('GET /ops/kcis/{id}/attempts', `/ops/kcis/${e.kci!.id}/attempts`)).status === 404)
                attemptsEndpoint = false;
            }),
        );
    });
    await page('queues', async () => {
      const [q] = await Promise.all([
        timed('GET /ops/queues', '/ops/queues').then((r) => r.body),
        timed('GET /ops/ksus?status=UNMATCHED', '/ops/ksus?status=UNMATCHED&limit=50'),
        timed('GET /ops/ksus?status=FAILED', '/ops/ksus?status=FAILED&limit=50'),
        timed('GET /ops/unmapped-codes', '/ops/unmapped-codes?limit=200'),
      ]);
      await Promise.all(
        (q as { deadKcis: { tenantId: string }[] }).deadKcis.map((t) =>
          timed('GET /ops/kcis?status=DEAD&tenant', `/ops/kcis?status=DEAD&tenant=${t.tenantId}&limit=100`),
        ),
      );
    });
    await page('tenants', tenantsCall);
  }
  const fmt = (xs: number[]) =>
    `p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms  p99 ${pct(xs, 99).toFixed(1).padStart(6)} ms`;
  console.log(
    `\n== ${engine}: ${ORDERS.toLocaleString('en-GB')} orders seeded in ${seconds.toFixed(1)} s; ${RUNS} runs of each page`,
  );
  console.log('pages (their calls made as the page makes them):');
  for (const [name, xs] of Object.entries(pages)) console.log(`  ${name.padEnd(30)} ${fmt(xs)}`);
  console.log('calls:');
  for (const [name, xs] of Object.entries(calls)) console.log(`  ${name.padEnd(42)} ${fmt(xs)}`);
  if (!tenantsEndpoint) console.log('  (GET /ops/tenants: not in this version, 404)');
  if (!attemptsEndpoint) console.log('  (GET /ops/kcis/{id}/attempts: not in this version, 404)');
  if (process.env.BENCH_EXPLAIN) await explain(handle.db, externalIds[0]!, bb1Ids[0]!, serviceIds[0]!);
  await service.stop();
  await handle.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** BENCH_EXPLAIN=1: the plans of the find queries (what migration 0006's indexes are for). */
async function explain(db: Db, externalId: string, bb1Id: string, serviceId: string) {
  const cols = sql`tenant_id, id`;
  const queries = {
    recent: sql`SELECT ${cols} FROM orders ORDER BY created_at DESC, tenant_id DESC, id DESC LIMIT 51`,
    tenant: sql`SELECT ${cols} FROM orders WHERE tenant_id = 'ISP2' ORDER BY created_at DESC, tenant_id DESC, id DESC LIMIT 51`,
    status: sql`SELECT ${cols} FROM orders WHERE status = 'REJECTED' ORDER BY created_at DESC, tenant_id DESC, id DESC LIMIT 51`,
    externalId: sql`SELECT ${cols} FROM orders WHERE external_id = ${externalId} ORDER BY created_at DESC LIMIT 51`,
    supplierOrderId: sql`SELECT ${cols} FROM orders WHERE supplier_order_id = ${bb1Id} ORDER BY created_at DESC LIMIT 51`,
    serviceId: sql`SELECT ${cols} FROM orders WHERE entity->>'serviceId' = ${serviceId} ORDER BY created_at DESC LIMIT 51`,
    stuck: sql`SELECT ${cols} FROM orders WHERE (send_state IN ('PENDING', 'SENDING', 'UNCERTAIN') OR status IN ('RECEIVED_BY_GATEWAY', 'SENT_TO_SUPPLIER'))
      AND updated_at < now() - make_interval(mins => 30) ORDER BY updated_at, tenant_id, id LIMIT 51`,
    failedKsus: sql`SELECT id FROM ksu_inbox WHERE status = 'FAILED' ORDER BY id DESC LIMIT 100`,
    deadKcis: sql`SELECT id FROM kci_outbox WHERE status = 'DEAD' AND tenant_id = 'ISP2' ORDER BY created_at DESC LIMIT 100`,
  };
  for (const [name, q] of Object.entries(queries)) {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, COSTS OFF) ${q}`.execute(db);
    console.log(`\n-- ${name}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  }
}

if (!process.env.BENCH_SKIP_PGLITE) await run('pglite');
const url = await postgresUrl();
if (url) {
  try {
    await run('postgres', url);
  } finally {
    await dropPostgres(url);
  }
} else console.log('\n== postgres: not reachable, skipped');
process.exit(0);
