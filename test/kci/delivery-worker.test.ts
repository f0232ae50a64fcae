import { ENGINES, freshDatabase } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { tenantsYaml } from '../helpers/stack.js';
import { waitUntil } from '../helpers/wait.js';
import { migrate, type DatabaseHandle } from '../../src/store/database.js';
import { parseTenants } from '../../src/config/tenants.js';
import { createLogger } from '../../src/platform/log.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { DeliveryWorker } from '../../src/kci/delivery-worker.js';
import { TenantOrders } from '../../src/orders/order-store.js';
import { sql } from 'kysely';
import { claimDue, enqueueKcis, listForOrder, recordOutcomes, releaseWaiting } from '../../src/kci/outbox.js';

// The worker on its own, with a real database and a real webhook, and few slots: a tenant can hold at most
// its share of them, even when one claim brings it more KCIs than that.
describe.each(ENGINES)('KCI delivery slots (%s)', (engine) => {
  let db: DatabaseHandle;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  beforeAll(async () => {
    db = await freshDatabase(engine);
    await migrate(db.db);
    sink = await startKciSink();
  });
  afterAll(async () => {
    sink.release(204);
    await sink.close();
    await db.close();
  });

  it('a tenant whose endpoint hangs keeps only its share of the slots; the others are served, and its excess waits untried', async () => {
    const tenants = parseTenants(tenantsYaml(sink.url), 'tenants.yaml', {});
    const kci = (tenantId: string, orderId: number) => ({
      tenantId,
      orderId,
      orderType: 'NEW',
      conversationId: `slots-${tenantId}-${orderId}`,
      supplier: 'BTWHOLESALEBB1',
      content: { updateType: 'INFORMATIONAL' as const, information: { type: 'UPDATE' as const } },
      entity: { id: orderId, status: 'IN_PROGRESS' } as never,
    });
    // TENANT2's two KCIs (two orders) are older, so one claim of two slots takes both.
    await db.db.transaction().execute((trx) => enqueueKcis(trx, [kci('TENANT2', 1), kci('TENANT2', 2)]));
    await db.db.transaction().execute((trx) => enqueueKcis(trx, [kci('TENANT1', 1)]));
    sink.setResponder((k) =>
      String(k.headers.authorization ?? '').startsWith('Basic') ? { status: 204, hold: true } : { status: 204 },
    );
    const worker = new DeliveryWorker(db.db, tenants, createLogger('silent'), createMetrics(), {
      retrySchedule: [1],
      timeoutMs: 60_000,
      maxInFlight: 2,
      maxInFlightPerTenant: 1,
    });
    worker.start();
    try {
      await sink.waitFor(() => sink.received.some((k) => k.headers['x-conversation-id'] === 'slots-TENANT1-1'));
      expect(sink.held).toBe(1);
      const t2 = await db.db
        .selectFrom('kci_outbox')
        .select(['order_id', 'status', 'attempts', 'lease_until'])
        .where('tenant_id', '=', 'TENANT2')
        .orderBy('order_id')
        .execute();
      // One is in flight (leased, first attempt); the other was handed back untried.
      expect(t2.map((r) => [r.status, r.attempts, r.lease_until !== null]).sort()).toEqual([
        ['PENDING', 0, false],
        ['PENDING', 1, true],
      ]);
      const waiting = t2.find((r) => r.attempts === 0)!.order_id;
      // Once TENANT2 answers, its second KCI gets its turn.
      sink.setResponder(() => ({ status: 204 }));
      sink.release(204);
      await waitUntil(
        async () =>
          (await db.db.selectFrom('kci_outbox').select('id').where('status', '=', 'DELIVERED').execute()).length === 3,
        'all three delivered',
      );
      expect(sink.received.filter((k) => k.headers['x-conversation-id'] === `slots-TENANT2-${waiting}`)).toHaveLength(
        1,
      );
    } finally {
      sink.release(204);
      await worker.stop();
    }
  }, 60_000);

  it('on stop, a delivery still hanging after the grace is abandoned and its KCI handed back untried', async () => {
    const tenants = parseTenants(tenantsYaml(sink.url), 'tenants.yaml', {});
    await db.db.transaction().execute((trx) =>
      enqueueKcis(trx, [
        {
          tenantId: 'TENANT2',
          orderId: 800,
          orderType: 'NEW',
          conversationId: 'stop-hang',
          supplier: 'BTWHOLESALEBB1',
          content: { updateType: 'INFORMATIONAL' as const, information: { type: 'UPDATE' as const } },
          entity: { id: 800 } as never,
        },
      ]),
    );
    sink.setResponder(() => ({ status: 204, hold: true }));
    const worker = new DeliveryWorker(db.db, tenants, createLogger('silent'), createMetrics(), {
      retrySchedule: [1],
      timeoutMs: 120_000,
      shutdownGraceMs: 100,
    });
    const heldBefore = sink.held;
    worker.start();
    await waitUntil(() => sink.held === heldBefore + 1, 'the delivery to hang');
    await worker.stop(); // without abandoning it, this would wait for the 120 s timeout
    const row = await db.db
      .selectFrom('kci_outbox')
      .select(['status', 'attempts', 'lease_until', 'last_error'])
      .where('tenant_id', '=', 'TENANT2')
      .where('order_id', '=', 800)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'PENDING', attempts: 0, lease_until: null, last_error: null });
    sink.setResponder(() => ({ status: 204 }));
    sink.release(204);
  }, 20_000);

  it('a KCI behind an undelivered one of its order waits out of the claims until that one is delivered; a missed release is caught', async () => {
    const kci = (n: number) => ({
      tenantId: 'TENANT1',
      orderId: 700,
      orderType: 'NEW',
      conversationId: 'waiting',
      supplier: 'BTWHOLESALEBB1',
      content: { updateType: 'INFORMATIONAL' as const, information: { type: 'UPDATE' as const, text: `kci ${n}` } },
      entity: { id: 700 } as never,
    });
    await db.db.transaction().execute((trx) => enqueueKcis(trx, [kci(1), kci(2), kci(3)]));
    const state = async () =>
      (
        await sql<{ seq: number; status: string; waiting: boolean }>`
      SELECT sequence_number AS seq, status, next_attempt_at = 'infinity' AS waiting FROM kci_outbox WHERE tenant_id = 'TENANT1' AND order_id = 700 ORDER BY 1`.execute(
          db.db,
        )
      ).rows;
    expect(await state()).toEqual([
      { seq: 1, status: 'PENDING', waiting: false },
      { seq: 2, status: 'PENDING', waiting: true },
      { seq: 3, status: 'PENDING', waiting: true },
    ]);
    expect((await listForOrder(db.db, 'TENANT1', 700)).map((e) => e.nextAttemptAt === null)).toEqual([
      false,
      true,
      true,
    ]);
    const claimed = await claimDue(db.db, 10, 30);
    expect(claimed.filter((e) => e.orderId === 700).map((e) => e.sequenceNumber)).toEqual([1]);
    await recordOutcomes(db.db, [
      { id: claimed.find((e) => e.orderId === 700)!.id, delivered: true, status: 204, at: new Date().toISOString() },
    ]);
    expect(await state()).toEqual([
      { seq: 1, status: 'DELIVERED', waiting: false },
      { seq: 2, status: 'PENDING', waiting: false },
      { seq: 3, status: 'PENDING', waiting: true },
    ]);
    // The second is delivered by a path that does not release its successor (the race recordOutcomes cannot see).
    await sql`UPDATE kci_outbox SET status = 'DELIVERED' WHERE tenant_id = 'TENANT1' AND order_id = 700 AND sequence_number = 2`.execute(
      db.db,
    );
    expect((await state())[2]).toEqual({ seq: 3, status: 'PENDING', waiting: true });
    expect(await releaseWaiting(db.db)).toBe(1);
    expect((await state())[2]).toEqual({ seq: 3, status: 'PENDING', waiting: false });
    expect(await releaseWaiting(db.db)).toBe(0);
    // With nothing undelivered before it, a new KCI is due at once.
    await sql`UPDATE kci_outbox SET status = 'DELIVERED' WHERE tenant_id = 'TENANT1' AND order_id = 700`.execute(db.db);
    await db.db.transaction().execute((trx) => enqueueKcis(trx, [kci(4)]));
    expect((await state())[3]).toEqual({ seq: 4, status: 'PENDING', waiting: false });
  });
});

// Only on PostgreSQL can a delivery be recorded while a successor is being written (PGlite has one connection).
(ENGINES.includes('postgres') ? describe : describe.skip)(
  "a successor written while its predecessor's delivery is recorded (postgres)",
  () => {
    it('is made due, whichever commits first', async () => {
      const db = await freshDatabase('postgres');
      try {
        await migrate(db.db);
        const order = await new TenantOrders(db.db, 'TENANT1').create({
          externalId: (id) => `TENANT1-${id}-0000f00d`,
          supplier: 'BTWHOLESALEBB1',
          orderType: 'NEW',
          conversationId: 'race',
          request: {},
          entity: (id, now) => ({
            id,
            orderType: 'NEW',
            supplier: 'BTWHOLESALEBB1',
            status: 'IN_PROGRESS',
            created: now,
            updated: now,
          }),
        });
        const kci = (n: number) => ({
          tenantId: 'TENANT1',
          orderId: order.id,
          orderType: 'NEW',
          conversationId: 'race',
          supplier: 'BTWHOLESALEBB1',
          content: { updateType: 'INFORMATIONAL' as const, information: { type: 'UPDATE' as const, text: `kci ${n}` } },
          entity: { id: order.id } as never,
        });
        await db.db.transaction().execute((trx) => enqueueKcis(trx, [kci(1)]));
        const [first] = await claimDue(db.db, 10, 30);
        // A KSU batch holds the order and writes KCI 2 (it sees KCI 1 undelivered, so KCI 2 waits)...
        let inserted!: () => void;
        const written = new Promise<void>((r) => {
          inserted = r;
        });
        let commit!: () => void;
        const gate = new Promise<void>((r) => {
          commit = r;
        });
        const applying = db.db.transaction().execute(async (trx) => {
          await sql`SELECT 1 FROM orders WHERE tenant_id = 'TENANT1' AND id = ${order.id} FOR UPDATE`.execute(trx);
          await enqueueKcis(trx, [kci(2)]);
          inserted();
          await gate;
        });
        await written;
        // ...while KCI 1's delivery is recorded; then the batch commits.
        let settled = false;
        const recording = recordOutcomes(db.db, [
          { id: first!.id, delivered: true, status: 204, at: new Date().toISOString() },
        ]).finally(() => {
          settled = true;
        });
        // The batch commits only once the recording has either finished or is waiting for a lock.
        await waitUntil(
          async () =>
            settled ||
            Number(
              (
                await sql<{
                  n: number;
                }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(
                  db.db,
                )
              ).rows[0]!.n,
            ) > 0,
          'the recording to finish or wait',
        );
        commit();
        await Promise.all([applying, recording]);
        const rows = (
          await sql<{ seq: number; status: string; waiting: boolean }>`
        SELECT sequence_number AS seq, status, next_attempt_at = 'infinity' AS waiting FROM kci_outbox WHERE order_id = ${order.id} ORDER BY 1`.execute(
            db.db,
          )
        ).rows;
        expect(rows).toEqual([
          { seq: 1, status: 'DELIVERED', waiting: false },
          { seq: 2, status: 'PENDING', waiting: false },
        ]);
      } finally {
        await db.close();
      }
    });
  },
);
