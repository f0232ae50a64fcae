// `node --import tsx bench/history/explain.ts [postgres-url]`: EXPLAIN (ANALYZE, BUFFERS) of the service's
// queries whose cost could grow with the history, on the bench's seeded database (default bench_history).
// Writes run inside a transaction that is rolled back. The SQL mirrors the function named beside each.
import pg from 'pg';

const url =
  process.argv[2] ??
  (() => {
    const u = new URL(
      process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test',
    );
    u.pathname = '/bench_history';
    return u.toString();
  })();

const c = new pg.Client({ connectionString: url });
await c.connect();
const one = async (q: string) => (await c.query(q)).rows[0] as Record<string, unknown>;
const order = await one(
  `SELECT tenant_id, id, external_id, supplier_order_id FROM orders
   WHERE tenant_id = 'ISP07' AND id = (SELECT max(id) / 2 FROM orders WHERE tenant_id = 'ISP07')`,
);
const unmatched = await one(`SELECT id FROM ksu_inbox WHERE status = 'UNMATCHED' ORDER BY id DESC LIMIT 1`);
const kci = await one(`SELECT id FROM kci_outbox WHERE tenant_id = 'ISP07' AND order_id = ${Number(order.id)} LIMIT 1`);
const lit = (v: unknown) => `'${String(v).replace(/'/g, "''")}'`;
const ext = lit(order.external_id);
const bb1 = lit(order.supplier_order_id);

const queries: [string, string][] = [
  ['listOutbox (GET /ops/kcis)', `SELECT * FROM kci_outbox ORDER BY created_at DESC LIMIT 100`],
  ['listOutbox status=DEAD', `SELECT * FROM kci_outbox WHERE status = 'DEAD' ORDER BY created_at DESC LIMIT 100`],
  ['listOutbox status=PENDING', `SELECT * FROM kci_outbox WHERE status = 'PENDING' ORDER BY created_at DESC LIMIT 100`],
  [
    'listOutbox status=DELIVERED',
    `SELECT * FROM kci_outbox WHERE status = 'DELIVERED' ORDER BY created_at DESC LIMIT 100`,
  ],
  ['listOutbox tenant', `SELECT * FROM kci_outbox WHERE tenant_id = 'ISP07' ORDER BY created_at DESC LIMIT 100`],
  ['GET /ops/ksus', `SELECT * FROM ksu_inbox ORDER BY id DESC LIMIT 100`],
  ['GET /ops/ksus status=UNMATCHED', `SELECT * FROM ksu_inbox WHERE status = 'UNMATCHED' ORDER BY id DESC LIMIT 100`],
  ['GET /ops/ksus status=FAILED', `SELECT * FROM ksu_inbox WHERE status = 'FAILED' ORDER BY id DESC LIMIT 100`],
  ['GET /ops/ksus status=APPLIED', `SELECT * FROM ksu_inbox WHERE status = 'APPLIED' ORDER BY id DESC LIMIT 100`],
  [
    'KsuProcessor.applyBatch: lock the batch orders',
    `SELECT tenant_id, id FROM orders WHERE external_id = ANY(ARRAY[${ext}]::text[]) OR supplier_order_id = ANY(ARRAY[${bb1}]::text[])
     ORDER BY tenant_id, id FOR UPDATE`,
  ],
  [
    'KsuProcessor.applyBatch: lock, supplier named',
    `SELECT tenant_id, id FROM orders WHERE external_id = ANY(ARRAY[${ext}]::text[])
       OR (supplier = ANY(ARRAY['BTWHOLESALEBB1']::text[]) AND supplier_order_id = ANY(ARRAY[${bb1}]::text[]))
     ORDER BY tenant_id, id FOR UPDATE`,
  ],
  [
    'KsuProcessor.deferredBehindOthers',
    `SELECT external_id, supplier_order_id, min(id) AS first FROM ksu_inbox
     WHERE status = 'PENDING' AND id < ${Number(unmatched.id) + 1000} AND NOT (id = ANY(ARRAY[1]::bigint[]))
       AND (external_id = ANY(ARRAY[${ext}]::text[]) OR supplier_order_id = ANY(ARRAY[${bb1}]::text[]))
     GROUP BY external_id, supplier_order_id`,
  ],
  [
    'requeueUnmatched',
    `UPDATE ksu_inbox k SET status = 'PENDING'
     WHERE k.status = 'UNMATCHED' AND EXISTS (
       SELECT 1 FROM orders o WHERE o.external_id = k.external_id OR (o.supplier = k.supplier AND o.supplier_order_id = k.supplier_order_id))`,
  ],
  [
    'requeueUnmatched for the orders just sent or created',
    `UPDATE ksu_inbox k SET status = 'PENDING'
     FROM orders o
     WHERE (o.tenant_id, o.id) IN (SELECT * FROM unnest(ARRAY['ISP07']::text[], ARRAY[${Number(order.id)}]::int[]))
       AND k.status = 'UNMATCHED'
       AND (k.external_id = o.external_id OR (k.supplier = o.supplier AND k.supplier_order_id = o.supplier_order_id))`,
  ],
  [
    'findOrderForSupplier by supplier order id',
    `SELECT * FROM orders WHERE supplier = 'BTWHOLESALEBB1' AND supplier_order_id = ${bb1}`,
  ],
  [
    'enqueueKcis: an undelivered predecessor?',
    `SELECT EXISTS (SELECT 1 FROM kci_outbox p WHERE p.tenant_id = 'ISP07' AND p.order_id = ${Number(order.id)} AND p.status <> 'DELIVERED')`,
  ],
  [
    'claimDue',
    `UPDATE kci_outbox k SET lease_until = now() + make_interval(secs => 20), attempts = k.attempts + 1
     WHERE k.id IN (
       SELECT o.id FROM kci_outbox o
       WHERE o.status = 'PENDING' AND o.next_attempt_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
         AND NOT (o.tenant_id = ANY(ARRAY[]::text[]))
         AND NOT EXISTS (SELECT 1 FROM kci_outbox p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.order_id
                         AND p.sequence_number < o.sequence_number AND p.status <> 'DELIVERED')
       ORDER BY o.next_attempt_at, o.sequence_number LIMIT 200 FOR UPDATE SKIP LOCKED)
     RETURNING k.id`,
  ],
  [
    'releaseWaiting',
    `UPDATE kci_outbox k SET next_attempt_at = now()
     WHERE k.status = 'PENDING' AND k.next_attempt_at = 'infinity'
       AND NOT EXISTS (SELECT 1 FROM kci_outbox p WHERE p.tenant_id = k.tenant_id AND p.order_id = k.order_id
                       AND p.sequence_number < k.sequence_number AND p.status <> 'DELIVERED')`,
  ],
  ['recordOutcomes: one KCI', `UPDATE kci_outbox SET status = 'DELIVERED' WHERE id = ${lit(kci.id)}`],
  [
    "recordOutcomes: the delivered KCI's successor made due",
    `WITH done AS (UPDATE kci_outbox k SET status = 'DELIVERED', lease_until = NULL WHERE k.id = ${lit(kci.id)}
       RETURNING k.tenant_id, k.order_id, k.sequence_number, k.status)
     UPDATE kci_outbox n SET next_attempt_at = now() FROM done d
     WHERE d.status = 'DELIVERED' AND n.tenant_id = d.tenant_id AND n.order_id = d.order_id
       AND n.sequence_number = d.sequence_number + 1 AND n.status = 'PENDING' AND NOT isfinite(n.next_attempt_at)`,
  ],
  [
    'readBacklog (KSUs)',
    `SELECT status, count(*)::int AS n, min(received_at) FROM ksu_inbox WHERE status IN ('PENDING', 'UNMATCHED') GROUP BY status`,
  ],
  [
    'readBacklog (KCIs)',
    `SELECT count(*)::int, min(created_at) FROM kci_outbox WHERE status = 'PENDING'
     UNION ALL SELECT count(*)::int, NULL FROM kci_outbox WHERE status = 'DEAD'`,
  ],
  [
    'GET /v1/service-orders/{id}: its KCIs',
    `SELECT * FROM kci_outbox WHERE tenant_id = 'ISP07' AND order_id = ${Number(order.id)} ORDER BY sequence_number`,
  ],
];

for (const [name, q] of queries) {
  await c.query('BEGIN');
  try {
    const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${q}`);
    const lines = r.rows.map((x: Record<string, string>) => x['QUERY PLAN']!);
    console.log(`\n-- ${name}: ${lines.find((l) => l.startsWith('Execution Time'))}`);
    for (const l of lines) if (!/^(Planning|Execution)/.test(l)) console.log(`   ${l}`);
  } finally {
    await c.query('ROLLBACK');
  }
}
await c.end();
