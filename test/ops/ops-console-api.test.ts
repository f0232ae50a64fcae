import { ENGINES } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { startStack, provideBody, OPERATOR_TOKEN, type Stack } from '../helpers/stack.js';
import { waitUntil } from '../helpers/wait.js';
import { expectMatchesSpec } from '../helpers/spec.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The /ops/* endpoints the console reads, called as curl would (bearer token), on the real stack with the BB1 sandbox. */
describe.each(ENGINES)('operator API for the console (%s)', (engine) => {
  let stack: Stack;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let failTenant2 = false;
  let conv = 0;

  beforeAll(async () => {
    sink = await startKciSink();
    sink.setResponder((k) =>
      failTenant2 && k.headers.authorization?.toString().startsWith('Basic ') ? { status: 422 } : { status: 204 },
    );
    stack = await startStack({ engine, kciUrl: sink.url, bb1: 'sandbox', sandboxPaceMs: 10 });
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
    await sink.close();
  });

  const ops = (path: string) => stack.http.get(path).set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
  const opsPost = (path: string) => stack.http.post(path).set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
  const orderRow = (tenant: string, id: number) =>
    stack.db.db
      .selectFrom('orders')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const ksusApplied = async (externalId: string, n: number) =>
    (
      await stack.db.db
        .selectFrom('ksu_inbox')
        .select('id')
        .where('external_id', '=', externalId)
        .where('status', '=', 'APPLIED')
        .execute()
    ).length >= n;

  /** Places a provide order and waits until the sandbox's KSUs for it (4 in the happy path) are applied. */
  async function placeOrder(tenant: 'TENANT1' | 'TENANT2' = 'TENANT1', notes?: string, ksus = 4) {
    const r = await stack.call('post', '/v1/service-orders', provideBody(notes ? { notes } : {}), {
      tenant,
      headers: { 'X-Conversation-ID': `ops-${engine}-${++conv}` },
    });
    expect(r.status).toBe(201);
    const id = r.body.id as number;
    await waitUntil(async () => (await orderRow(tenant, id)).external_id !== '', 'order stored');
    const { external_id } = await orderRow(tenant, id);
    await waitUntil(() => ksusApplied(external_id, ksus), `the KSUs of ${tenant}/${id} applied`);
    return { tenant, id, externalId: external_id, row: await orderRow(tenant, id) };
  }

  let happy: Awaited<ReturnType<typeof placeOrder>>;
  beforeAll(async () => {
    happy = await placeOrder();
    await sink.waitFor(() => sink.forOrder(happy.id).some((k) => (k.body.entity as Json).status === 'COMPLETED'));
  }, 60_000);

  describe('GET /ops/orders', () => {
    it('finds an order by each identifier, and every filter given must match', async () => {
      const { row } = happy;
      expect(row.supplier_order_id).toBeTruthy();
      const serviceId = (row.entity as Json).serviceId as string;
      expect(serviceId).toMatch(/^BBONE/);
      const queries = [
        { externalId: row.external_id },
        { supplierOrderId: row.supplier_order_id },
        { serviceId },
        { tenant: 'TENANT1', id: String(row.id) },
        { tenant: 'TENANT1', status: 'COMPLETED', externalId: row.external_id },
      ];
      for (const query of queries) {
        const r = await ops('/ops/orders').query(query);
        expect(r.status).toBe(200);
        expectMatchesSpec(r, 'get', '/ops/orders');
        expect(r.body.orders.map((o: Json) => `${o.tenantId}/${o.id}`)).toEqual([`TENANT1/${row.id}`]);
        expect(r.body.orders[0]).toMatchObject({
          externalId: row.external_id,
          supplierOrderId: row.supplier_order_id,
          serviceId,
          status: 'COMPLETED',
          sendState: 'SENT',
        });
      }
      const none = await ops('/ops/orders').query({ externalId: row.external_id, status: 'CANCELLED' });
      expect(none.body).toEqual({ orders: [], nextCursor: null });
      const otherTenant = await ops('/ops/orders').query({ tenant: 'TENANT2', externalId: row.external_id });
      expect(otherTenant.body.orders).toEqual([]);
    });

    it('pages newest first with a cursor: every order once, none skipped', async () => {
      const extra = [await placeOrder(), await placeOrder()];
      const all = await stack.db.db
        .selectFrom('orders')
        .select(['tenant_id', 'id'])
        .orderBy('created_at', 'desc')
        .orderBy('tenant_id', 'desc')
        .orderBy('id', 'desc')
        .execute();
      expect(all.length).toBeGreaterThanOrEqual(3);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < all.length + 1; i++) {
        const r = await ops('/ops/orders').query({ limit: '1', ...(cursor ? { cursor } : {}) });
        expect(r.status).toBe(200);
        seen.push(...r.body.orders.map((o: Json) => `${o.tenantId}/${o.id}`));
        cursor = r.body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen).toEqual(all.map((o) => `${o.tenant_id}/${o.id}`));
      expect(seen).toEqual(expect.arrayContaining(extra.map((o) => `TENANT1/${o.id}`)));
    });

    it('lists orders stuck unsettled with the supplier for N minutes, longest first; settled or recent ones are not', async () => {
      const a = await placeOrder();
      const b = await placeOrder();
      // Time passing: their last change is made older (a send that never settled, 45 and 90 minutes ago; the
      // uncertain one is next asked about in an hour, so the dispatcher leaves it as it is meanwhile).
      for (const [o, minutes, sendState, status] of [
        [a, 45, 'UNCERTAIN', 'SENT_TO_SUPPLIER'],
        [b, 90, 'SENT', 'SENT_TO_SUPPLIER'],
      ] as const)
        await stack.db.db
          .updateTable('orders')
          .set({
            send_state: sendState,
            status,
            updated_at: new Date(Date.now() - minutes * 60_000),
            send_next_at: new Date(Date.now() + 3600_000),
          })
          .where('tenant_id', '=', o.tenant)
          .where('id', '=', o.id)
          .execute();
      await stack.db.db
        .updateTable('orders')
        .set({ updated_at: new Date(Date.now() - 120 * 60_000) })
        .where('tenant_id', '=', happy.tenant)
        .where('id', '=', happy.id)
        .execute(); // COMPLETED: settled, however old
      const ids = async (minutes: number) =>
        (await ops('/ops/orders').query({ stuckMinutes: String(minutes) })).body.orders.map((o: Json) => o.id);
      expect(await ids(30)).toEqual([b.id, a.id]);
      expect(await ids(60)).toEqual([b.id]);
      expect(await ids(100)).toEqual([]);
      const page = await ops('/ops/orders').query({ stuckMinutes: '30', limit: '1' });
      const next = await ops('/ops/orders').query({ stuckMinutes: '30', limit: '1', cursor: page.body.nextCursor });
      expect([page.body.orders[0].id, next.body.orders[0].id]).toEqual([b.id, a.id]);
      expect(next.body.nextCursor).toBeNull();
    });

    it.each([
      [{ limit: '-1' }, 'query.limit: must be >= 1'],
      [{ limit: '0' }, 'query.limit'],
      [{ limit: 'ten' }, 'query.limit'],
      [{ limit: '1e3' }, 'query.limit'],
      [{ id: '3.5' }, 'query.id'],
      [{ id: '99999999999' }, 'query.id'],
      [{ stuckMinutes: '-5' }, 'query.stuckMinutes'],
      [{ status: 'DONE' }, 'query.status: must be equal to one of the allowed values'],
      [{ tenant: 'no such tenant!' }, 'query.tenant'],
      [{ externalId: '' }, 'query.externalId: Empty value found'],
      [{ cursor: 'not a cursor!' }, 'query.cursor'],
      [{ cursor: Buffer.from('[1,2,3]').toString('base64url') }, 'query.cursor: is not the nextCursor of a page'],
      [{ bogus: '1' }, 'query.bogus'],
    ])('refuses %j with a 400 naming the parameter', async (query, message) => {
      const r = await ops('/ops/orders').query(query);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('INVALID_REQUEST');
      expect(r.body.messages.join('\n')).toContain(message);
    });

    it('refuses a repeated or structured parameter with a 400, never a 5xx', async () => {
      for (const qs of ['limit=1&limit=2', 'externalId=a&externalId=b', 'tenant[x]=1', 'id[]=1']) {
        const r = await ops(`/ops/orders?${qs}`);
        expect(r.status).toBe(400);
        expect(r.body.messages.join(' ')).toMatch(/query\.(limit|externalId|tenant|id)(\[.*\])?: /);
      }
      const several = await ops('/ops/orders?limit=0&status=NOPE');
      expect(several.status).toBe(400);
      expect(several.body.messages.join('\n')).toMatch(/^query\.(limit|status): /m);
    });
  });

  describe('GET /ops/orders/{tenant}/{id}/timeline', () => {
    it("tells the order's story oldest first: request, payload, history, every KSU explained, every KCI", async () => {
      const r = await ops(`/ops/orders/TENANT1/${happy.id}/timeline`);
      expect(r.status).toBe(200);
      expectMatchesSpec(r, 'get', '/ops/orders/{tenant}/{id}/timeline');
      const events = r.body.events as Json[];
      const times = events.map((e) => Date.parse(e.at));
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(events[0]).toMatchObject({ kind: 'REQUEST', request: { orderType: 'NEW' } });
      const payload = events.find((e) => e.kind === 'PAYLOAD')!;
      expect(payload).toMatchObject({ title: 'Payload sent to BTWHOLESALEBB1', status: 'SENT' });
      expect(payload.payload).toEqual(happy.row.outbound);
      const history = await stack.db.db
        .selectFrom('order_history')
        .select('event')
        .where('tenant_id', '=', 'TENANT1')
        .where('order_id', '=', happy.id)
        .orderBy('id')
        .execute();
      expect(events.filter((e) => e.kind === 'HISTORY').map((e) => e.history.event)).toEqual(
        history.map((h) => h.event),
      );
      const inbox = await stack.db.db
        .selectFrom('ksu_inbox')
        .select(['id', 'raw'])
        .where('external_id', '=', happy.externalId)
        .orderBy('id')
        .execute();
      const ksus = events.filter((e) => e.kind === 'KSU');
      expect(ksus.map((e) => [e.ksu.id, e.ksu.raw])).toEqual(inbox.map((k) => [Number(k.id), k.raw]));
      // Explained as the service applied them: the KCIs explain decides are the ones the tenant received
      // (after the gateway's own SENT_TO_SUPPLIER), and the last KSU leaves the order where it is.
      const reasonOf = (k: Json) => `${k.updateType} ${k.type ?? (k.information ?? k.actionRequired)?.type}`;
      expect(ksus.filter((e) => e.ksu.explained.kci).map((e) => reasonOf(e.ksu.explained.kci))).toEqual(
        sink
          .forOrder(happy.id)
          .map((k) => reasonOf(k.body))
          .slice(1),
      );
      expect(ksus.at(-1)!.ksu.explained.statusAfter).toBe('COMPLETED');
      expect(
        ksus.every((e, i) => i === 0 || e.ksu.explained.statusBefore === ksus[i - 1]!.ksu.explained.statusAfter),
      ).toBe(true);
      expect(ksus[1].ksu.explained).toMatchObject({ statusBefore: 'ACKNOWLEDGED', codes: ['510'] });
      expect(ksus[1].ksu.explained.firedRows[0]).toMatch(/^ksu-codes 510.*decided the KCI/);
      const kcis = events.filter((e) => e.kind === 'KCI');
      expect(kcis.map((e) => e.kci.id).sort()).toEqual(
        sink
          .forOrder(happy.id)
          .map((k) => k.body.id as string)
          .sort(),
      );
      expect(kcis.map((e) => e.kci.sequenceNumber)).toEqual(kcis.map((_, i) => i + 1));
      expect(kcis.every((e) => e.kci.status === 'DELIVERED' && e.status === 'DELIVERED')).toBe(true);
    });

    it('shows amendment and cancellation requests', async () => {
      const o = await placeOrder('TENANT1', 'SCENARIO:ecc', 3);
      const c = await stack.call('post', '/v1/service-order-cancellations', {
        orderId: o.id,
        reasonCode: 'CUSTOMER_CHANGED_MIND',
        text: 'changed their mind',
      });
      expect(c.status).toBe(201);
      await waitUntil(async () => {
        const t = await ops(`/ops/orders/TENANT1/${o.id}/timeline`);
        return t.body.events.some((e: Json) => e.kind === 'CANCELLATION' && e.orderRequest.sendState !== 'PENDING');
      }, 'the cancellation sent');
      const t = await ops(`/ops/orders/TENANT1/${o.id}/timeline`);
      const cancel = t.body.events.find((e: Json) => e.kind === 'CANCELLATION');
      expect(cancel.orderRequest).toMatchObject({ kind: 'CANCELLATION', body: { orderId: o.id } });
      expect(cancel.orderRequest.outbound).toBeTruthy();
    });

    it('answers 404 for an unknown order and 400 naming a malformed one', async () => {
      expect((await ops('/ops/orders/TENANT1/999999/timeline')).status).toBe(404);
      expect((await ops('/ops/orders/TENANT9/1/timeline')).status).toBe(404);
      const bad = await ops('/ops/orders/TEN-ANT/0/timeline');
      expect(bad.status).toBe(400);
      // The OpenAPI validator answers first; each message names its parameter.
      expect(bad.body.messages.join('\n')).toMatch(/^path\.tenant: /);
      const badId = await ops('/ops/orders/TENANT1/0/timeline');
      expect(badId.status).toBe(400);
      expect(badId.body.messages.join('\n')).toMatch(/^path\.id: /);
    });
  });

  it('counts unmapped supplier codes with first and last seen, as KSUs carrying them are applied', async () => {
    const first = await placeOrder('TENANT1', 'SCENARIO:unknown-code');
    const second = await placeOrder('TENANT1', 'SCENARIO:unknown-code');
    const received = await stack.db.db
      .selectFrom('ksu_inbox')
      .select('received_at')
      .where('external_id', 'in', [first.externalId, second.externalId])
      .where('raw', 'like', '%9569%')
      .orderBy('received_at')
      .execute();
    expect(received).toHaveLength(2);
    const r = await ops('/ops/unmapped-codes');
    expect(r.status).toBe(200);
    expectMatchesSpec(r, 'get', '/ops/unmapped-codes');
    expect(r.body).toEqual([
      {
        supplier: 'BTWHOLESALEBB1',
        code: '9569',
        count: 2,
        firstSeen: new Date(received[0]!.received_at).toISOString(),
        lastSeen: new Date(received[1]!.received_at).toISOString(),
      },
    ]);
    expect((await ops('/ops/unmapped-codes').query({ supplier: 'OTHER' })).body).toEqual([]);
    expect((await ops('/ops/unmapped-codes').query({ limit: '5000' })).status).toBe(400);
    expect((await ops('/ops/queues')).body.unmappedCodes).toBe(1);
  });

  it("redelivers all of a tenant's DEAD KCIs, oldest first and in sequence within each order", async () => {
    failTenant2 = true;
    const orders = [await placeOrder('TENANT2'), await placeOrder('TENANT2')];
    await waitUntil(async () => {
      const rows = await stack.db.db
        .selectFrom('kci_outbox')
        .select(['status'])
        .where('tenant_id', '=', 'TENANT2')
        .where(
          'order_id',
          'in',
          orders.map((o) => o.id),
        )
        .execute();
      return rows.filter((k) => k.status === 'DEAD').length === 2 && rows.length === 2 * 5;
    }, 'one DEAD KCI (the first) and four waiting behind it, for each order');
    const queues = await ops('/ops/queues');
    expectMatchesSpec(queues, 'get', '/ops/queues');
    expect(queues.body.deadKcis).toEqual([{ tenantId: 'TENANT2', count: 2, oldestCreatedAt: expect.any(String) }]);
    failTenant2 = false;
    const before = sink.received.length;
    const r = await opsPost('/ops/tenants/TENANT2/kcis/redeliver');
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ tenantId: 'TENANT2', redelivered: 2 });
    await sink.waitFor(() =>
      orders.every((o) => sink.forOrder(o.id).filter((k) => k.headers.authorization).length >= 5),
    );
    for (const o of orders) {
      const seqs = sink.received
        .slice(before)
        .filter((k) => (k.body.entity as Json).id === o.id && k.headers.authorization)
        .map((k) => k.body.sequenceNumber);
      expect(seqs).toEqual([1, 2, 3, 4, 5]);
    }
    expect((await ops('/ops/queues')).body.deadKcis).toEqual([]);
    const again = await opsPost('/ops/tenants/TENANT2/kcis/redeliver');
    expect(again.body.redelivered).toBe(0);
    expect((await opsPost('/ops/tenants/NOBODY/kcis/redeliver')).status).toBe(404);
    expect((await opsPost('/ops/tenants/NO-BODY/kcis/redeliver')).status).toBe(400);
  });

  it('refuses every console endpoint without the operator token or a session', async () => {
    for (const [method, path] of [
      ['get', '/ops/orders'],
      ['get', `/ops/orders/TENANT1/${happy.id}/timeline`],
      ['get', '/ops/queues'],
      ['get', '/ops/unmapped-codes'],
      ['post', '/ops/tenants/TENANT1/kcis/redeliver'],
    ] as const) {
      expect((await stack.http[method](path)).status).toBe(401);
      expect((await stack.http[method](path).set('Authorization', 'Bearer not-the-operator-token')).status).toBe(401);
      expect((await stack.http[method](path).set('Cookie', 'bb1_console=forged.1.x')).status).toBe(401);
    }
  });
});
