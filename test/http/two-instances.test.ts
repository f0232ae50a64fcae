import { ENGINES, freshDatabase } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { startBb1Stub } from '../helpers/bb1-stub.js';
import { startStack, provideBody, type Stack } from '../helpers/stack.js';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import { TenantOrders } from '../../src/orders/order-store.js';
import { BB1_PATHS } from '../../src/suppliers/bb1/client.js';
import { waitUntil } from '../helpers/wait.js';

// Two connector instances on one PostgreSQL database, as a scaled-out deployment runs: BB1 sends each
// order's KSUs to either instance; both apply and deliver. Every KSU is applied once, in the order it was
// received for its order; every KCI is delivered once, in sequence, whichever instance does the work.
const onPostgres = ENGINES.includes('postgres') ? describe : describe.skip;

onPostgres('two instances sharing one PostgreSQL database', () => {
  const ORDERS = 16;
  const KSUS_PER_ORDER = 6;
  let shared: DatabaseHandle & { url?: string };
  let second: DatabaseHandle;
  let a: Stack;
  let b: Stack;
  let stub: Awaited<ReturnType<typeof startBb1Stub>>;
  let sink: Awaited<ReturnType<typeof startKciSink>>;

  beforeAll(async () => {
    stub = await startBb1Stub();
    let n = 0;
    stub.on('POST', BB1_PATHS.order, (_req, res) => {
      n += 1;
      res.status(202).json({ id: `0077${String(n).padStart(4, '0')}` });
    });
    sink = await startKciSink();
    shared = await freshDatabase('postgres');
    second = await openDatabase({ databaseUrl: shared.url!, onConnectionError: () => {} });
    a = await startStack({ engine: 'postgres', kciUrl: sink.url, bb1: stub.url, database: shared });
    b = await startStack({ engine: 'postgres', kciUrl: sink.url, bb1: stub.url, database: second });
  }, 60_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await second?.close();
    await shared?.close();
    await stub?.close();
    await sink?.close();
  });

  it('applies each KSU once and in order per order, and delivers each KCI once, in sequence', async () => {
    // Orders placed through both instances (a token from one is valid at the other: the keys are shared).
    const orders: { id: number; externalId: string; bb1Id: string }[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const via = i % 2 ? b : a;
      const r = await via.call('post', '/v1/service-orders', provideBody(), {
        headers: { 'X-Conversation-ID': `two-${i}` },
      });
      expect(r.status).toBe(201);
      orders.push({ id: r.body.id, externalId: '', bb1Id: '' });
    }
    await waitUntil(
      async () =>
        (await shared.db.selectFrom('orders').select('id').where('supplier_order_id', 'is not', null).execute())
          .length === ORDERS,
      'every order sent to BB1',
    );
    for (const o of orders) {
      const row = await shared.db
        .selectFrom('orders')
        .select(['external_id', 'supplier_order_id'])
        .where('tenant_id', '=', 'TENANT1')
        .where('id', '=', o.id)
        .executeTakeFirstOrThrow();
      o.externalId = row.external_id;
      o.bb1Id = row.supplier_order_id!;
    }
    const tokens = { a: await a.supplierToken(), b: await b.supplierToken() };
    // Each order's KSUs in sequence (each one stored before the next is sent), alternating instances;
    // the orders all at once. Every KSU brings a new code, so each is one UPDATE KCI carrying that code.
    const start = Date.parse('2026-11-20T09:00:00Z');
    await Promise.all(
      orders.map(async (o, oi) => {
        for (let k = 0; k < KSUS_PER_ORDER; k++) {
          const via = (oi + k) % 2 ? b : a;
          const code = String(7_000_000 + oi * 100 + k);
          const body = {
            event: {
              productOrder: {
                externalId: o.externalId,
                id: o.bb1Id,
                relatedParty: { role: 'BtCug', id: 'CUG5009999999' },
                productOrderItem: [
                  {
                    id: '100',
                    internalId: '1',
                    action: 'add',
                    state: 'inProgress',
                    subStatus: 'In Progress',
                    product: { productOffering: { id: 'E0000160' }, id: 'asset-root' },
                  },
                ],
                errorMessage: [
                  {
                    subCode: code,
                    message: `Informational : ${code} : step ${k + 1}`,
                    productOrderItem: [{ itemId: '100' }],
                  },
                ],
              },
            },
            eventType: 'ProductOrderStateChangeEvent',
            eventTime: new Date(start + k * 60_000).toISOString(),
            eventId: `two-${oi}-${k}`,
          };
          const r = await via.http
            .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
            .set('Authorization', `Bearer ${via === a ? tokens.a : tokens.b}`)
            .send(body);
          expect(r.status).toBe(202);
        }
      }),
    );
    // 1 SENT_TO_SUPPLIER + one UPDATE per KSU, for every order.
    await sink.waitFor(() => orders.every((o) => sink.forOrder(o.id).length >= 1 + KSUS_PER_ORDER), 30_000);

    const ids = sink.received.map((k) => k.body.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [oi, o] of orders.entries()) {
      const kcis = sink.forOrder(o.id);
      expect(kcis.map((k) => k.body.sequenceNumber)).toEqual(
        Array.from({ length: 1 + KSUS_PER_ORDER }, (_, i) => i + 1),
      );
      const codes = kcis.slice(1).map((k) => (k.body.information as { supplierCodes?: string[] }).supplierCodes);
      expect(codes).toEqual(Array.from({ length: KSUS_PER_ORDER }, (_, k) => [String(7_000_000 + oi * 100 + k)]));
    }
    const applied = await shared.db
      .selectFrom('ksu_inbox')
      .select(['status'])
      .where('event_id', 'like', 'two-%')
      .execute();
    expect(applied).toHaveLength(ORDERS * KSUS_PER_ORDER);
    expect(applied.every((r) => r.status === 'APPLIED')).toBe(true);
    // Each KSU applied once and each KCI delivered once, counted over both instances (once the outcomes are
    // recorded: the sink sees a KCI before its sender has read the answer).
    await waitUntil(
      async () =>
        (await shared.db.selectFrom('kci_outbox').select('id').where('status', '=', 'DELIVERED').execute()).length ===
        ORDERS * (1 + KSUS_PER_ORDER),
      'every delivery recorded',
    );
    const total = async (s: Stack, name: string, label: Record<string, string>) =>
      (
        (await s.service.ctx.metrics.registry.getSingleMetric(name)!.get()).values as {
          value: number;
          labels: Record<string, string>;
        }[]
      )
        .filter((v) => Object.entries(label).every(([k, x]) => v.labels[k] === x))
        .reduce((n, v) => n + v.value, 0);
    expect((await total(a, 'ksus_applied_total', {})) + (await total(b, 'ksus_applied_total', {}))).toBe(
      ORDERS * KSUS_PER_ORDER,
    );
    expect(
      (await total(a, 'kci_delivery_attempts_total', { result: 'delivered' })) +
        (await total(b, 'kci_delivery_attempts_total', { result: 'delivered' })),
    ).toBe(ORDERS * (1 + KSUS_PER_ORDER));
  }, 90_000);

  it('a KSU whose predecessor for the same order is held by another instance waits for it instead of overtaking it', async () => {
    // Workers off: this instance's KSU processor runs only when the test says, so the interleaving is exact.
    const db = await freshDatabase('postgres');
    const solo = await startStack({ engine: 'postgres', kciUrl: sink.url, database: db, workers: false });
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      const order = await new TenantOrders(db.db, 'TENANT1').create({
        externalId: (id) => `TENANT1-${id}-0000beef`,
        supplier: 'BTWHOLESALEBB1',
        orderType: 'NEW',
        conversationId: 'held',
        request: {},
        entity: (id, now) => ({
          id,
          orderType: 'NEW',
          supplier: 'BTWHOLESALEBB1',
          status: 'SENT_TO_SUPPLIER',
          created: now,
          updated: now,
        }),
      });
      await db.db.updateTable('orders').set({ send_state: 'SENT', supplier_order_id: '00770999' }).execute();
      const token = await solo.supplierToken();
      const send = async (k: number, code: string, label: string) => {
        const r = await solo.http
          .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
          .set('Authorization', `Bearer ${token}`)
          .send({
            event: {
              productOrder: {
                externalId: order.externalId,
                id: '00770999',
                relatedParty: { role: 'BtCug', id: 'CUG5009999999' },
                productOrderItem: [
                  {
                    id: '100',
                    internalId: '1',
                    action: 'add',
                    state: 'inProgress',
                    subStatus: 'In Progress',
                    product: { productOffering: { id: 'E0000160' }, id: 'asset-root' },
                  },
                ],
                errorMessage: [
                  {
                    subCode: code,
                    message: `Informational : ${code} : ${label}`,
                    productOrderItem: [{ itemId: '100' }],
                  },
                ],
              },
            },
            eventType: 'ProductOrderStateChangeEvent',
            eventTime: `2026-11-20T09:0${k}:00.000Z`,
            eventId: `held-${k}`,
          });
        expect(r.status).toBe(202);
        return r.body.id as number;
      };
      const first = await send(1, '7100001', 'first');
      const second = await send(2, '7100002', 'second');
      // "Another instance" is applying the first KSU: its row is locked in an open transaction.
      await other.query('BEGIN');
      await other.query('SELECT id FROM ksu_inbox WHERE id = $1 FOR UPDATE', [first]);
      expect(await solo.service.ksus.run()).toBe(0);
      const waiting = await db.db
        .selectFrom('ksu_inbox')
        .select(['id', 'status'])
        .where('id', 'in', [first, second])
        .orderBy('id')
        .execute();
      expect(waiting.map((r) => r.status)).toEqual(['PENDING', 'PENDING']);
      expect(await db.db.selectFrom('kci_outbox').select('id').execute()).toEqual([]);
      // The other instance lets go (here without applying it); both are then applied, the first first.
      await other.query('ROLLBACK');
      expect(await solo.service.ksus.run()).toBe(2);
      const kcis = await db.db
        .selectFrom('kci_outbox')
        .select(['sequence_number', 'body'])
        .orderBy('sequence_number')
        .execute();
      expect(
        kcis.map((k) => [
          k.sequence_number,
          (k.body as { information: { supplierCodes: string[] } }).information.supplierCodes,
        ]),
      ).toEqual([
        [1, ['7100001']],
        [2, ['7100002']],
      ]);
    } finally {
      await other.end();
      await solo.stop();
      await db.close();
    }
  }, 60_000);
});
