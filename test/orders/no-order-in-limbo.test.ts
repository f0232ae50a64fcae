import { readFileSync } from 'node:fs';
import { ENGINES, type Engine } from '../helpers/db.js';
import { startKciSink, type ReceivedKci } from '../helpers/sink.js';
import { startBb1Stub, bb1OrderBook, type CreateFault } from '../helpers/bb1-stub.js';
import { startStack, provideBody, OPERATOR_TOKEN, type Stack } from '../helpers/stack.js';
import { waitUntil } from '../helpers/wait.js';
import { BB1_PATHS } from '../../src/suppliers/bb1/client.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FAST = {
  BB1_TIMEOUT_MS: '1000',
  SUPPLIER_RETRY_BASE_MS: '50',
  SUPPLIER_RETRY_MAX_MS: '200',
  SUPPLIER_SEND_WINDOW_S: '60',
};
const kinds = (ks: ReceivedKci[]) =>
  ks.map(
    (k) =>
      `${k.body.updateType}:${((k.body.information ?? k.body.actionRequired) as Json)?.type ?? (k.body.error as Json)?.code}`,
  );
const orderRow = (stack: Stack, tenant: string, id: number) =>
  stack.db.db
    .selectFrom('orders')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const ops = (stack: Stack, method: 'get' | 'post', path: string) =>
  stack.http[method](path).set('Authorization', `Bearer ${OPERATOR_TOKEN}`);

async function setUp(engine: Engine, env: Record<string, string>) {
  const stub = await startBb1Stub();
  const sink = await startKciSink();
  const stack = await startStack({ engine, kciUrl: sink.url, bb1: stub.url, env: { ...FAST, ...env } });
  return {
    stub,
    sink,
    stack,
    async close() {
      await stack.stop();
      await stub.close();
      await sink.close();
    },
  };
}

describe.each(ENGINES)('no order in limbo (%s)', (engine) => {
  it('creates that time out, reset, or answer 500/502/503/504/429 (taken by BB1 or not) each reach BB1 exactly once', async () => {
    // One fault per order, on its first POST; BB1 takes it or not before the fault, as a real BB1 might.
    const MODES: CreateFault[] = [
      { take: true, then: 'hang' },
      { take: false, then: 'hang' },
      { take: true, then: 'reset' },
      { take: false, then: 'reset' },
      { take: true, then: 500 },
      { take: false, then: 500 },
      { take: true, then: 502 },
      { take: false, then: 502 },
      { take: true, then: 504 },
      { take: false, then: 504 },
      { take: false, then: 503, retryAfter: '1' },
      { take: false, then: 429, retryAfter: '1' },
    ];
    const t = await setUp(engine, {});
    const modeOf = new Map<string, CreateFault>();
    const book = bb1OrderBook(t.stub, {
      fault: (externalId, attempt) => {
        if (attempt > 1) return undefined;
        const m = MODES[modeOf.size % MODES.length]!;
        modeOf.set(externalId, m);
        return m;
      },
    });
    try {
      const ids: number[] = [];
      for (let i = 0; i < MODES.length; i++) {
        const r = await t.stack.call('post', '/v1/service-orders', provideBody({ notes: `fault ${i}` }));
        expect(r.status).toBe(201);
        ids.push(r.body.id);
      }
      await t.sink.waitFor(() => ids.every((id) => t.sink.forOrder(id).length >= 1), 60000);
      for (const id of ids) {
        // The tenant is told once that it was sent, and nothing else.
        expect(kinds(t.sink.forOrder(id))).toEqual(['INFORMATIONAL:UPDATE']);
        expect(t.sink.forOrder(id)[0]!.body.entity).toMatchObject({ status: 'SENT_TO_SUPPLIER' });
        const row = await orderRow(t.stack, 'TENANT1', id);
        // At BB1 exactly once, under the id BB1 gave it.
        expect(book.held.get(row.external_id)?.id).toBe(row.supplier_order_id);
        expect(row.send_state).toBe('SENT');
      }
      expect(book.duplicates).toEqual([]);
      expect(book.held.size).toBe(MODES.length);
      // Refusals that BB1 surely did not act on were sent again; ambiguous ones were looked for first.
      const posts = (m: CreateFault) => book.attempts.get([...modeOf].find(([, x]) => x === m)![0]);
      for (const m of MODES) expect(posts(m)).toBe(m.take ? 1 : 2);
      // Retry-After was honoured: the second POST of the 429 and 503 orders came at least a second later.
      for (const m of MODES.filter((x) => x.retryAfter)) {
        const externalId = [...modeOf].find(([, x]) => x === m)![0];
        const at = t.stub.calls
          .filter((c) => c.method === 'POST' && (c.body as Json).externalId === externalId)
          .map((c) => c.at);
        expect(at).toHaveLength(2);
        expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1000);
      }
      // Ambiguous answers were looked for before any second POST; refusals BB1 surely did not act on were not.
      for (const [externalId, m] of modeOf) {
        const mine = t.stub.calls.filter(
          (c) =>
            c.path === BB1_PATHS.order &&
            ((c.method === 'POST' && (c.body as Json).externalId === externalId) ||
              (c.method === 'GET' && (c.query as Json).externalId === externalId)),
        );
        expect(mine[1]?.method).toBe(typeof m.then === 'number' && [429, 503].includes(m.then) ? 'POST' : 'GET');
      }
    } finally {
      book.release();
      await t.close();
    }
  }, 120000);

  it('when BB1 cannot tell in time: an ERROR KCI (SUPPLIER_TIMED_OUT, FAILED_TO_SEND), listed for operators, who resend, fail or adopt', async () => {
    const t = await setUp(engine, { SUPPLIER_SEND_WINDOW_S: '1' });
    let down = true;
    const book = bb1OrderBook(t.stub, {
      fault: () => (down ? { take: false, then: 'hang' } : undefined),
      queryDown: () => down,
    });
    try {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push((await t.stack.call('post', '/v1/service-orders', provideBody())).body.id);
      await t.sink.waitFor(() => ids.every((id) => t.sink.forOrder(id).length >= 1), 30000);
      for (const id of ids) {
        const k = t.sink.forOrder(id)[0]!.body;
        expect(k).toMatchObject({
          updateType: 'ERROR',
          error: { code: 'SUPPLIER_TIMED_OUT' },
          entity: { id, status: 'FAILED_TO_SEND' },
        });
        expect((k.error as Json).messages[0]).toMatch(/^BTWHOLESALEBB1 could not confirm in time whether it received/);
      }
      const listed = await ops(t.stack, 'get', '/ops/sends/unresolved');
      expect(listed.status).toBe(200);
      expect(listed.body.orders.map((o: Json) => o.id).sort()).toEqual([...ids].sort());
      expect(listed.body.orders[0]).toMatchObject({
        tenantId: 'TENANT1',
        status: 'FAILED_TO_SEND',
        supplier: 'BTWHOLESALEBB1',
      });
      expect(listed.body.orders[0].lastError).toEqual(expect.any(String));

      const resolve = (id: number, body: unknown) =>
        ops(t.stack, 'post', `/ops/sends/orders/TENANT1/${id}/resolve`).send(body as object);
      // Bad input is a 4xx naming the field.
      const bad = await resolve(ids[0]!, { action: 'FORGET' });
      expect(bad.status).toBe(400);
      expect(bad.body.messages.join(' ')).toMatch(/action/);
      expect((await resolve(ids[0]!, { action: 'ADOPT' })).status).toBe(422);
      expect((await resolve(999999, { action: 'MARK_FAILED' })).status).toBe(404);

      down = false;
      // ADOPT: BB1 had it after all; the tenant is told.
      const adopted = await resolve(ids[0]!, { action: 'ADOPT', supplierOrderId: '00777001' });
      expect(adopted.status).toBe(200);
      expect(adopted.body).toMatchObject({
        sendState: 'SENT',
        status: 'SENT_TO_SUPPLIER',
        supplierOrderId: '00777001',
      });
      await t.sink.waitFor(() => t.sink.forOrder(ids[0]!).length >= 2);
      expect(t.sink.forOrder(ids[0]!)[1]!.body).toMatchObject({
        updateType: 'INFORMATIONAL',
        information: { type: 'UPDATE' },
        entity: { status: 'SENT_TO_SUPPLIER', supplierOrderNumber: '00777001' },
      });
      // MARK_FAILED: it stays failed, nothing more is sent or said.
      const failed = await resolve(ids[1]!, { action: 'MARK_FAILED' });
      expect(failed.body).toMatchObject({ sendState: 'FAILED', status: 'FAILED_TO_SEND' });
      // RESEND: sent again with the same externalId.
      const resent = await resolve(ids[2]!, { action: 'RESEND' });
      expect(resent.status).toBe(200);
      await t.sink.waitFor(() => t.sink.forOrder(ids[2]!).length >= 2);
      expect(t.sink.forOrder(ids[2]!)[1]!.body).toMatchObject({ entity: { status: 'SENT_TO_SUPPLIER' } });
      const row = await orderRow(t.stack, 'TENANT1', ids[2]!);
      expect(book.held.get(row.external_id)?.id).toBe(row.supplier_order_id);
      // Resolved once: a second decision is refused, and the list is empty.
      expect((await resolve(ids[0]!, { action: 'RESEND' })).status).toBe(409);
      expect((await ops(t.stack, 'get', '/ops/sends/unresolved')).body).toEqual({ orders: [], requests: [] });
      expect(t.sink.forOrder(ids[1]!)).toHaveLength(1);
      expect(book.duplicates).toEqual([]);
    } finally {
      book.release();
      await t.close();
    }
  }, 90000);

  it('a cancellation whose POST timed out is looked for: taken → not sent again; not taken → sent again once', async () => {
    const t = await setUp(engine, {});
    const book = bb1OrderBook(t.stub, {
      view: (o) => ({
        id: o.id,
        externalId: o.externalId,
        state: cancelled.has(o.id) ? 'assessingCancellation' : 'acknowledged',
        productOrderItem: [],
      }),
    });
    const cancelled = new Set<string>();
    let cancelPosts = 0;
    t.stub.on('POST', BB1_PATHS.cancel, (req, res) => {
      cancelPosts += 1;
      // The first cancellation is taken and its answer lost; the second is lost before BB1 acts, then taken.
      if (cancelPosts === 1) cancelled.add((req.body as Json).productOrder.id);
      if (cancelPosts <= 2) return req.socket.destroy();
      cancelled.add((req.body as Json).productOrder.id);
      res.status(201).json({ id: `cancel-${cancelPosts}` });
    });
    try {
      const ids: number[] = [];
      for (let i = 0; i < 2; i++) ids.push((await t.stack.call('post', '/v1/service-orders', provideBody())).body.id);
      await t.sink.waitFor(() => ids.every((id) => t.sink.forOrder(id).length >= 1));
      for (const id of ids) {
        const r = await t.stack.call('post', '/v1/service-order-cancellations', {
          orderId: id,
          reasonCode: 'NO_LONGER_REQUIRED',
        });
        expect(r.status).toBe(201);
        await waitUntil(async () => {
          const q = await t.stack.db.db
            .selectFrom('order_requests')
            .selectAll()
            .where('order_id', '=', id)
            .executeTakeFirst();
          return q?.send_state === 'SENT';
        }, `cancellation of order ${id} sent`);
      }
      // Three POSTs in all: the first was taken (found, not sent again), the second was not (sent again).
      expect(cancelPosts).toBe(3);
      expect(book.duplicates).toEqual([]);
    } finally {
      await t.close();
    }
  }, 60000);

  it('an amendment whose PATCH was reset is looked for: BB1 shows its revision moved on, so it is not sent again', async () => {
    const t = await setUp(engine, {});
    const revision = new Map<string, string>();
    bb1OrderBook(t.stub, {
      view: (o) => ({
        id: o.id,
        externalId: o.externalId,
        productOrderItem: [{ id: '100', internalId: revision.get(o.id) ?? '0000000100', state: 'acknowledged' }],
      }),
    });
    try {
      const id = (await t.stack.call('post', '/v1/service-orders', provideBody())).body.id;
      await t.sink.waitFor(() => t.sink.forOrder(id).length >= 1);
      const row = await orderRow(t.stack, 'TENANT1', id);
      const bb1Id = row.supplier_order_id!;
      // BB1's create event gives the items' revisions (what an amendment names).
      const ksu = {
        event: {
          productOrder: {
            externalId: row.external_id,
            id: bb1Id,
            relatedParty: [{ role: 'BtCug', id: 'CUG5009999999' }],
            productOrderItem: [
              { id: '100', internalId: '0000000100', action: 'add', product: { productOffering: { id: 'E0000160' } } },
            ],
          },
        },
        eventType: 'ProductOrderCreateEvent',
        eventTime: new Date().toISOString(),
        eventId: `limbo-${engine}-create`,
      };
      const k = await t.stack.http
        .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
        .set('Authorization', `Bearer ${await t.stack.supplierToken()}`)
        .send(ksu);
      expect(k.status).toBe(202);
      await waitUntil(async () => (await orderRow(t.stack, 'TENANT1', id)).status === 'ACKNOWLEDGED', 'acknowledged');
      let patches = 0;
      t.stub.on('PATCH', `${BB1_PATHS.order}/${bb1Id}`, (req) => {
        patches += 1;
        // BB1 applies the amendment (a new revision), but the answer is lost.
        revision.set(bb1Id, '0000000200');
        req.socket.destroy();
      });
      const r = await t.stack.call('post', '/v1/service-order-amendments', { orderId: id, notes: 'Use the side gate' });
      expect(r.status).toBe(201);
      await waitUntil(async () => {
        const q = await t.stack.db.db
          .selectFrom('order_requests')
          .selectAll()
          .where('order_id', '=', id)
          .executeTakeFirst();
        return q?.send_state === 'SENT';
      }, 'the amendment found at BB1');
      expect(patches).toBe(1);
    } finally {
      await t.close();
    }
  }, 60000);

  it('reconciliation: an open order with no news is refreshed from BB1, and a KSU BB1 never delivered becomes its KCI', async () => {
    const committed = JSON.parse(
      readFileSync('test/fixtures/seed003/07-access-order-committed-by-supplier.json', 'utf8'),
    ) as Json;
    let showCommitted = false;
    const t = await setUp(engine, { RECONCILE_AFTER_S: '0.3', RECONCILE_INTERVAL_S: '0.2' });
    bb1OrderBook(t.stub, {
      view: (o) =>
        showCommitted
          ? { ...committed.event.productOrder, id: o.id, externalId: o.externalId }
          : { id: o.id, externalId: o.externalId, productOrderItem: [] },
    });
    try {
      const id = (await t.stack.call('post', '/v1/service-orders', provideBody())).body.id;
      await t.sink.waitFor(() => t.sink.forOrder(id).length >= 1);
      // BB1 commits the order, but its KSU never arrives.
      showCommitted = true;
      await t.sink.waitFor(() => kinds(t.sink.forOrder(id)).includes('INFORMATIONAL:COMMITTED'), 30000);
      const k = t.sink.forOrder(id).find((x) => (x.body.information as Json)?.type === 'COMMITTED')!.body;
      expect(k.entity).toMatchObject({ status: 'IN_PROGRESS', committedDate: expect.any(String) });
      // Asked again later, the same view says nothing new: stored once, no second KCI.
      const reconciledAt = (await orderRow(t.stack, 'TENANT1', id)).reconciled_at;
      await waitUntil(async () => {
        const r = (await orderRow(t.stack, 'TENANT1', id)).reconciled_at;
        return Boolean(r && reconciledAt && new Date(r) > new Date(reconciledAt));
      }, 'another reconciliation pass');
      const stored = await t.stack.db.db.selectFrom('ksu_inbox').selectAll().execute();
      expect(stored.filter((s) => String(s.event_id).startsWith('RECONCILE-')).map((s) => s.status)).toEqual([
        'APPLIED',
      ]);
      expect(kinds(t.sink.forOrder(id)).filter((x) => x === 'INFORMATIONAL:COMMITTED')).toHaveLength(1);
    } finally {
      await t.close();
    }
  }, 60000);

  it("a hanging BB1 call delays only its own order: another tenant's is sent meanwhile, and one tenant holds at most DISPATCH_PER_TENANT calls", async () => {
    const t = await setUp(engine, { BB1_TIMEOUT_MS: '60000', DISPATCH_PER_TENANT: '2' });
    const cugOf = (body: Json) => (body.relatedParty as Json[]).find((p) => p.role === 'BtCug')!.id;
    const book = bb1OrderBook(t.stub, {
      fault: (_e, _n, body) => (cugOf(body) === 'CUG5009999999' ? { take: true, then: 'hang' } : undefined),
    });
    try {
      for (let i = 0; i < 5; i++) await t.stack.call('post', '/v1/service-orders', provideBody());
      const t1Posts = () =>
        t.stub.calls.filter(
          (c) => c.method === 'POST' && c.path === BB1_PATHS.order && cugOf(c.body as Json) === 'CUG5009999999',
        ).length;
      await waitUntil(() => t1Posts() === 2, "two of tenant 1's calls hanging");
      const other = await t.stack.call('post', '/v1/service-orders', provideBody(), { tenant: 'TENANT2' });
      await t.sink.waitFor(() =>
        t.sink.received.some(
          (k) =>
            k.headers.authorization &&
            (k.body.entity as Json).id === other.body.id &&
            k.body.updateType === 'INFORMATIONAL',
        ),
      );
      // Tenant 1's calls still hang, and no more of them were started.
      expect(t1Posts()).toBe(2);
      const rows = await t.stack.db.db
        .selectFrom('orders')
        .select(['send_state'])
        .where('tenant_id', '=', 'TENANT1')
        .execute();
      expect(rows.map((r) => r.send_state).sort()).toEqual(['PENDING', 'PENDING', 'PENDING', 'SENDING', 'SENDING']);
    } finally {
      book.release();
      await t.close();
    }
  }, 60000);
});
