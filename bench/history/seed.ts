// Seeds a year of traffic with set-based SQL (generate_series, one statement per table and chunk of
// orders): orders, their KSUs (with the order_history rows applying them wrote), their KCIs and the counters
// the service numbers them with. Every INSERT names only the columns it fills, so columns added later with
// defaults keep working. Mostly finished orders, applied KSUs and delivered KCIs, with the tail a live system
// has: recent orders still open, KSUs no order matched, a few FAILED, DEAD KCIs (one blocking its successor),
// KCIs waiting for a retry.
import type { HistoryShapes } from './shapes.js';

export interface HistoryScale {
  orders: number;
  tenants: number;
  /** KSUs and KCIs per order (5 and 5: 1M orders → 5M of each) */
  ksusPerOrder: number;
  kcisPerOrder: number;
}

export type Exec = (text: string, params?: unknown[]) => Promise<unknown>;

export const tenantId = (i: number) => `ISP${String(i).padStart(2, '0')}`;
export const cugOf = (i: number) => `CUG50000000${String(i).padStart(2, '0')}`;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
/**
 * A template as one SQL concatenation: its text between placeholders as literals, each @@NAME@@ the SQL
 * expression vars[NAME]. One pass per row (nested replace() calls copied the text once per placeholder).
 */
function fill(template: string, vars: Record<string, string>): string {
  const parts = template.split(/@@(\w+)@@/);
  return `(${parts
    .map((p, i) => {
      if (i % 2 === 0) return lit(p);
      const v = vars[p];
      if (!v) throw new Error(`template placeholder @@${p}@@ has no value`);
      return `(${v})`;
    })
    .join(' || ')})`;
}
const pick = (templates: string[], index: string, vars: Record<string, string>) =>
  `CASE ${index} ${templates.map((t, i) => `WHEN ${i} THEN ${fill(t, vars)}`).join(' ')} END`;
const iso = (e: string) => `to_char((${e}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The statements for one chunk of orders [$1, $2]: order n (1-based) belongs to tenant (n-1) % tenants + 1
 * with id (n-1) / tenants + 1, is created at a time spread evenly over the year before now, and gets its
 * KSUs and KCIs two days apart; the newest 3 % are still open.
 */
export function chunkStatements(s: HistoryScale, shapes: HistoryShapes) {
  const { orders: N, tenants: T, ksusPerOrder: K, kcisPerOrder: C } = s;
  const o = `
    o AS (
      SELECT n, t.tenant_id, t.cug, ((n - 1) / ${T} + 1)::int AS id, lpad(n::text, 8, '0') AS bb1,
        t.tenant_id || '-' || ((n - 1) / ${T} + 1) || '-' || substr(md5(n::text), 1, 8) AS external_id,
        c.created, c.created + interval '${2 * K} days' AS updated, ${iso('c.created')} AS created_s,
        ${iso(`c.created + interval '${2 * K} days'`)} AS updated_s,
        CASE WHEN n > ${N} * 0.97 THEN (ARRAY['ACKNOWLEDGED', 'IN_PROGRESS', 'IN_PROGRESS', 'HELD'])[1 + n % 4]
             WHEN n % 200 = 0 THEN 'HELD'
             WHEN n % 100 BETWEEN 1 AND 5 THEN 'CANCELLED'
             WHEN n % 100 = 6 THEN 'REJECTED'
             ELSE 'COMPLETED' END AS status,
        CASE WHEN n % 100 < 80 THEN 'NEW' WHEN n % 100 < 92 THEN 'MODIFY' ELSE 'CEASE' END AS order_type,
        n > ${N} * 0.97 AS recent
      FROM generate_series($1::int, $2::int) AS n,
        LATERAL (SELECT 'ISP' || lpad((((n - 1) % ${T}) + 1)::text, 2, '0') AS tenant_id,
                        'CUG50000000' || lpad((((n - 1) % ${T}) + 1)::text, 2, '0') AS cug) t,
        LATERAL (SELECT now() - interval '365 days' + (n - 1) * (interval '365 days' / ${N}) AS created) c)`;
  const orderVars = (a: string) => ({
    OID: `${a}.id::text`,
    EXT: `${a}.external_id`,
    BB1: `${a}.bb1`,
    CUG: `${a}.cug`,
    STATUS: `${a}.status`,
    TYPE: `${a}.order_type`,
    CREATED: `${a}.created_s`,
    UPDATED: `${a}.updated_s`,
  });
  const orders = `
    WITH ${o}
    INSERT INTO orders (tenant_id, id, external_id, supplier, order_type, status, supplier_order_id, conversation_id,
      entity, request, supplier_state, lifecycle, outbound, send_state, created_at, updated_at)
    SELECT o.tenant_id, o.id, o.external_id, 'BTWHOLESALEBB1', o.order_type, o.status, o.bb1, 'conv-' || o.n,
      ${fill(shapes.entity, orderVars('o'))}::jsonb, ${lit(shapes.request)}::jsonb,
      ${fill(shapes.supplierState, orderVars('o'))}::jsonb, ${lit(shapes.lifecycle)}::jsonb,
      ${fill(shapes.outbound, orderVars('o'))}::jsonb,
      CASE WHEN o.status = 'REJECTED' THEN 'REJECTED' ELSE 'SENT' END, o.created, o.updated
    FROM o`;
  // KSUs in time order (ids grow with received_at within a chunk), and the history rows applying them wrote.
  // One in 2,000 names an order the connector does not know (UNMATCHED); one in 20,000 is FAILED.
  const ksuTemplates = shapes.ksus.map((k) => k.raw);
  const ksus = `
    WITH ${o},
    k AS (
      SELECT o.*, g.k, (o.n - 1) * ${K} + g.k AS seq, x.received, ${iso("x.received - interval '2 seconds'")} AS time_s,
        gen_random_uuid()::text AS evt
      FROM o, generate_series(0, ${K - 1}) AS g(k),
        LATERAL (SELECT o.created + g.k * interval '2 days' + interval '1 minute' AS received) x),
    r AS (
      SELECT k.*, ((k.seq % 2000) = 1) AS unmatched, ((k.seq % 20000) = 2) AS failed,
        CASE WHEN k.seq % 2000 = 1 THEN 'UNKNOWN-' || k.seq ELSE k.external_id END AS ext FROM k),
    ins AS (
      INSERT INTO ksu_inbox (event_id, tenant_id, supplier, received_at, raw, body, event_type, event_time,
        external_id, supplier_order_id, status, error, order_id, applied_at)
      SELECT r.evt, r.tenant_id, 'BTWHOLESALEBB1', r.received, t.raw, t.raw::jsonb,
        CASE r.k % ${ksuTemplates.length} ${shapes.ksus.map((x, i) => `WHEN ${i} THEN ${lit(x.eventType)}`).join(' ')} END,
        r.received - interval '2 seconds', r.ext, CASE WHEN r.unmatched THEN 'X' || r.seq ELSE r.bb1 END,
        CASE WHEN r.unmatched THEN 'UNMATCHED' WHEN r.failed THEN 'FAILED' ELSE 'APPLIED' END,
        CASE WHEN r.failed THEN 'productOrder.productOrderItem[0].id: is required' END,
        CASE WHEN r.unmatched OR r.failed THEN NULL ELSE r.id END,
        CASE WHEN r.unmatched OR r.failed THEN NULL ELSE r.received + interval '15 milliseconds' END
      FROM r, LATERAL (SELECT ${pick(ksuTemplates, `r.k % ${ksuTemplates.length}`, {
        EXT: 'r.ext',
        BB1: 'r.bb1',
        EVT: 'r.evt',
        TIME: 'r.time_s',
        CUG: 'r.cug',
      })} AS raw) t
      ORDER BY r.received
      RETURNING id, tenant_id, order_id, received_at, event_type, status)
    INSERT INTO order_history (tenant_id, order_id, at, event, detail)
    SELECT tenant_id, order_id, received_at, 'KSU ' || event_type,
      jsonb_build_object('inboxId', id, 'codes', '[]'::jsonb, 'kci', 'UPDATE', 'stale', false)
    FROM ins WHERE status = 'APPLIED'
    UNION ALL
    SELECT o.tenant_id, o.id, o.created, e.event, NULL FROM o, (VALUES ('RECEIVED'), ('SEND_SENT')) AS e(event)`;
  // KCIs delivered, but for the tail: 0.1 % of orders have a DEAD KCI blocking the next (waiting, no due
  // time); a tenth of the open orders wait for a retry of their last KCI, due in two hours.
  const kcis = `
    WITH ${o},
    c AS (
      SELECT o.*, g.s, x.received, ${iso('x.received')} AS received_s,
        ${iso("x.received - interval '2 seconds'")} AS issued_s, gen_random_uuid() AS kid,
        CASE WHEN o.n % 1000 = 7 AND g.s = ${C - 1} THEN 'DEAD'
             WHEN o.n % 1000 = 7 AND g.s = ${C} THEN 'WAITING'
             WHEN o.recent AND o.n % 10 = 3 AND g.s = ${C} THEN 'RETRY'
             ELSE 'DELIVERED' END AS st
      FROM o, generate_series(1, ${C}) AS g(s),
        LATERAL (SELECT o.created + (g.s - 1) * interval '2 days' + interval '1 minute' AS received) x)
    INSERT INTO kci_outbox (id, tenant_id, order_id, sequence_number, conversation_id, body, status, attempts,
      next_attempt_at, last_error, last_status, delivered_at, created_at)
    SELECT c.kid, c.tenant_id, c.id, c.s, 'conv-' || c.n,
      ${pick(shapes.kcis, `(c.s - 1) % ${shapes.kcis.length}`, {
        ...orderVars('c'),
        KID: 'c.kid::text',
        SEQ: 'c.s::text',
        ISSUED: 'c.issued_s',
        RECEIVED: 'c.received_s',
      })}::jsonb,
      CASE c.st WHEN 'DELIVERED' THEN 'DELIVERED' WHEN 'DEAD' THEN 'DEAD' ELSE 'PENDING' END,
      CASE c.st WHEN 'DELIVERED' THEN 1 WHEN 'DEAD' THEN 8 WHEN 'RETRY' THEN 2 ELSE 0 END,
      CASE c.st WHEN 'WAITING' THEN 'infinity'::timestamptz WHEN 'RETRY' THEN now() + interval '2 hours'
        ELSE c.received + interval '20 milliseconds' END,
      CASE c.st WHEN 'DEAD' THEN 'tenant answered 410' WHEN 'RETRY' THEN 'tenant answered 503' END,
      CASE c.st WHEN 'DELIVERED' THEN 204 WHEN 'DEAD' THEN 410 WHEN 'RETRY' THEN 503 END,
      CASE WHEN c.st = 'DELIVERED' THEN c.received + interval '60 milliseconds' END,
      c.received + interval '20 milliseconds'
    FROM c ORDER BY c.received`;
  const counters = `
    WITH ${o}
    INSERT INTO counters (tenant_id, name, value) SELECT tenant_id, 'kci:' || id, ${C} FROM o`;
  return { orders, ksus, kcis, counters };
}

/**
 * Seeds the history into a migrated, empty database, `chunk` orders per statement, chunks shared out over
 * the connections given (one statement each at a time). Reports progress through `log`.
 */
export async function seedHistory(
  execs: Exec[],
  scale: HistoryScale,
  shapes: HistoryShapes,
  log: (line: string) => void,
  chunk = 20_000,
): Promise<void> {
  const q = chunkStatements(scale, shapes);
  const chunks: [number, number][] = [];
  for (let lo = 1; lo <= scale.orders; lo += chunk) chunks.push([lo, Math.min(scale.orders, lo + chunk - 1)]);
  let next = 0;
  let done = 0;
  const t0 = Date.now();
  await Promise.all(
    execs.map(async (exec) => {
      while (next < chunks.length) {
        const [lo, hi] = chunks[next++]!;
        for (const stmt of [q.orders, q.ksus, q.kcis, q.counters]) await exec(stmt, [lo, hi]);
        done += hi - lo + 1;
        log(
          `  seeded ${done.toLocaleString('en-GB')} / ${scale.orders.toLocaleString('en-GB')} orders (${Math.round((Date.now() - t0) / 1000)} s)`,
        );
      }
    }),
  );
  // Tenant i's orders are n = i, i + tenants, … ≤ orders.
  const values = Array.from(
    { length: scale.tenants },
    (_, i) => `('${tenantId(i + 1)}', 'order', ${Math.floor((scale.orders - (i + 1)) / scale.tenants) + 1})`,
  );
  await execs[0]!(`INSERT INTO counters (tenant_id, name, value) VALUES ${values.join(', ')}`);
}

/** The service id the history gives the service an order provided (BB1's order id is unique per order). */
export const historyServiceId = (bb1OrderId: string) => `BBEU${bb1OrderId}`;

/**
 * Each completed provide's service (a tenant's services, as the services store keeps them after BB1's
 * COMPLETED KSU): one set-based statement, skipped when the database has services already (so a database
 * seeded before services were part of the history gets them when it is reused).
 */
export async function seedServices(
  exec: (text: string) => Promise<{ rows: { has: boolean }[] } | unknown>,
  log: (line: string) => void,
): Promise<void> {
  const r = (await exec('SELECT EXISTS (SELECT 1 FROM services) AS has')) as { rows: { has: boolean }[] };
  if (r.rows[0]?.has) return;
  const t0 = Date.now();
  await exec(`
    INSERT INTO services (tenant_id, service_id, supplier, status, technology, address, characteristics, orders, source,
      created_at, updated_at)
    SELECT o.tenant_id, 'BBEU' || o.supplier_order_id, o.supplier, 'ACTIVE', 'FTTP', o.request->'address',
      jsonb_build_object('SERVICE_ID', 'BBEU' || o.supplier_order_id, 'LINE_PROFILE', 'FTTP 1000_110M',
        'CARE_LEVEL', 'Standard', 'SERVICE_ASSET_ID', 'BBEU' || o.supplier_order_id || '-A'),
      jsonb_build_array(jsonb_build_object('orderId', o.id, 'orderType', o.order_type, 'status', o.status)),
      'ORDER', o.updated_at, o.updated_at
    FROM orders o
    WHERE o.status = 'COMPLETED' AND o.order_type = 'NEW' AND o.supplier_order_id IS NOT NULL
    ON CONFLICT DO NOTHING`);
  await exec('ANALYZE services'); // as autovacuum would soon after
  const n = (await exec('SELECT count(*)::int AS has FROM services')) as { rows: { has: number }[] };
  log(
    `  seeded ${Number(n.rows[0]!.has).toLocaleString('en-GB')} services (completed provides) in ${Math.round((Date.now() - t0) / 1000)} s`,
  );
}
