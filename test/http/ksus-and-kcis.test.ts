import { createHmac } from 'node:crypto';
import { ENGINES } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { startBb1Stub } from '../helpers/bb1-stub.js';
import { startStack, provideBody, OPERATOR_TOKEN, type Stack } from '../helpers/stack.js';
import { expectMatchesSpec, expectValidKci } from '../helpers/spec.js';
import { BB1_PATHS } from '../../src/suppliers/bb1/client.js';
import { waitUntil } from '../helpers/wait.js';
import { TenantOrders } from '../../src/orders/order-store.js';

const SIGNING = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');

describe.each(ENGINES)('KSUs in, KCIs out, over HTTP (%s)', (engine) => {
  let stack: Stack;
  let stub: Awaited<ReturnType<typeof startBb1Stub>>;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let n = 0;
  let answerWithoutId = false;

  beforeAll(async () => {
    stub = await startBb1Stub();
    stub.on('POST', BB1_PATHS.order, (_req, res) => {
      n += 1;
      res
        .status(202)
        .json(answerWithoutId ? {} : { id: `0099${engine === 'pglite' ? 1 : 2}${String(n).padStart(3, '0')}` });
    });
    sink = await startKciSink();
    stack = await startStack({ engine, kciUrl: sink.url, bb1: stub.url, signingSecret: SIGNING });
  });
  afterAll(async () => {
    await stack.stop();
    await stub.close();
    await sink.close();
  });

  /** Places an order and waits for its SENT_TO_SUPPLIER KCI; returns our id, externalId and BB1's order id. */
  async function placeOrder(tenant: 'TENANT1' | 'TENANT2' = 'TENANT1') {
    const r = await stack.call('post', '/v1/service-orders', provideBody(), {
      tenant,
      headers: { 'X-Conversation-ID': `conv-${tenant}-${Date.now()}` },
    });
    expect(r.status).toBe(201);
    await sink.waitFor(() =>
      sink.received.some(
        (k) =>
          (k.body.entity as { id: number }).id === r.body.id &&
          k.headers['x-conversation-id'] === r.headers['x-conversation-id'],
      ),
    );
    const row = await stack.db.db
      .selectFrom('orders')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('id', '=', r.body.id)
      .executeTakeFirstOrThrow();
    return {
      id: r.body.id as number,
      externalId: row.external_id,
      bb1Id: row.supplier_order_id!,
      conversation: r.headers['x-conversation-id'] as string,
    };
  }
  const kcisOf = (id: number, conversation: string) =>
    sink.received.filter(
      (k) => (k.body.entity as { id: number }).id === id && k.headers['x-conversation-id'] === conversation,
    );
  const ksu = (
    o: { externalId?: string; bb1Id: string },
    eventId: string,
    eventTime: string,
    extra: Record<string, unknown> = {},
  ) => ({
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
            product: {
              productOffering: { id: 'E0000160' },
              id: 'asset-root',
              customerFacingServiceId: { value: 'BBONE1' },
            },
          },
        ],
        errorMessage: [],
        ...extra,
      },
    },
    eventType: 'ProductOrderStateChangeEvent',
    eventTime,
    eventId,
  });
  const post = async (body: unknown, tenant: 'TENANT1' | 'TENANT2' = 'TENANT1') =>
    stack.http
      .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
      .set('Authorization', `Bearer ${await stack.supplierToken(tenant)}`)
      .send(body as object);

  it("delivers signed KCIs with the order's conversation id; a repeated eventId is 202 and changes nothing", async () => {
    const o = await placeOrder();
    const body = ksu(o, `dup-${engine}`, '2026-11-23T10:00:00Z', {
      errorMessage: [
        { subCode: '520', message: 'Informational : 520 : Order Committed', productOrderItem: [{ itemId: '100' }] },
      ],
    });
    const first = await post(body);
    const second = await post(body);
    expect(first.status).toBe(202);
    expectMatchesSpec(first, 'post', '/v1/suppliers/{supplier}/ksus');
    expect(second.status).toBe(202);
    expect(second.body).toEqual({ id: first.body.id, duplicate: true, status: 'RECEIVED' });
    await sink.waitFor(() =>
      kcisOf(o.id, o.conversation).some((k) => (k.body.information as { type: string })?.type === 'COMMITTED'),
    );
    await waitUntil(
      async () =>
        (await stack.db.db.selectFrom('ksu_inbox').select('status').where('status', '=', 'PENDING').execute())
          .length === 0,
      'the inbox to drain',
    );
    const kcis = kcisOf(o.id, o.conversation);
    expect(kcis.map((k) => (k.body.information as { type: string }).type)).toEqual(['UPDATE', 'COMMITTED']);
    expect(kcis.map((k) => k.body.sequenceNumber)).toEqual([1, 2]);
    const committed = kcis[1]!;
    expectValidKci(committed.body);
    expect(committed.body).toMatchObject({
      supplier: 'BTWHOLESALEBB1',
      issuedOn: '2026-11-23T10:00:00.000Z',
      updateType: 'INFORMATIONAL',
      entityType: 'PROVIDE_ORDER',
      entity: { id: o.id, status: 'IN_PROGRESS', supplierOrderNumber: o.bb1Id },
    });
    const sig = createHmac('sha256', Buffer.from(SIGNING.slice(6), 'base64'))
      .update(
        `${committed.headers['webhook-id']}.${committed.headers['webhook-timestamp']}.${JSON.stringify(committed.body)}`,
      )
      .digest('base64');
    expect(committed.headers['webhook-signature']).toBe(`v1,${sig}`);
    expect(committed.headers['webhook-id']).toBe(committed.body.id);
    expect(committed.headers['x-request-id']).not.toBe(kcis[0]!.headers['x-request-id']);
    const inbox = await stack.db.db
      .selectFrom('ksu_inbox')
      .select('id')
      .where('event_id', '=', `dup-${engine}`)
      .execute();
    expect(inbox).toHaveLength(1);
    // The tenant has both; each is recorded DELIVERED once its answer is read (just after the tenant sees it).
    await waitUntil(
      async () =>
        (await stack.call('get', `/v1/service-orders/${o.id}`)).body.updates.every(
          (u: { deliveryStatus: string }) => u.deliveryStatus === 'DELIVERED',
        ),
      'both KCIs recorded as delivered',
    );
    const order = await stack.call('get', `/v1/service-orders/${o.id}`);
    expect(order.body.updates.map((u: { deliveryStatus: string }) => u.deliveryStatus)).toEqual([
      'DELIVERED',
      'DELIVERED',
    ]);
    // Each update as the tenant reads it: the KCI it was sent as, less the entity, with its delivery; keys in
    // this order, none empty, and the delivery time as the outbox recorded it.
    const stored = await stack.db.db
      .selectFrom('kci_outbox')
      .select(['id', 'delivered_at'])
      .where('order_id', '=', o.id)
      .where('tenant_id', '=', 'TENANT1')
      .orderBy('sequence_number')
      .execute();
    const read = order.body.updates[1];
    expect(Object.keys(read)).toEqual([
      'id',
      'supplier',
      'sequenceNumber',
      'issuedOn',
      'receivedOn',
      'deliveredOn',
      'deliveryStatus',
      'deliveryAttempts',
      'updateType',
      'information',
    ]);
    const { entity: _entity, entityType: _type, ...sent } = committed.body as Record<string, unknown>;
    expect(read).toEqual({
      ...sent,
      deliveredOn: new Date(stored[1]!.delivered_at as unknown as string).toISOString(),
      deliveryStatus: 'DELIVERED',
      deliveryAttempts: 1,
    });
    expect(order.body.updates.map((u: { id: string }) => u.id)).toEqual(stored.map((r) => r.id));
  });

  it('out-of-order KSUs: a late "committed" after "completed" neither regresses the order nor announces COMMITTED', async () => {
    const o = await placeOrder();
    const done = ksu(o, `ooo-c-${engine}`, '2026-11-23T12:00:00Z', {
      errorMessage: [
        { subCode: '530', message: 'Informational : 530 : Order Complete', productOrderItem: [{ itemId: '100' }] },
      ],
    });
    (done.event.productOrder.productOrderItem as { state: string }[])[0]!.state = 'completed';
    expect((await post(done)).status).toBe(202);
    await sink.waitFor(() =>
      kcisOf(o.id, o.conversation).some((k) => (k.body.information as { type: string })?.type === 'COMPLETED'),
    );
    const late = ksu(o, `ooo-l-${engine}`, '2026-11-23T11:00:00Z', {
      errorMessage: [
        { subCode: '520', message: 'Informational : 520 : Order Committed', productOrderItem: [{ itemId: '100' }] },
      ],
    });
    expect((await post(late)).status).toBe(202);
    await waitUntil(
      async () =>
        (
          await stack.db.db
            .selectFrom('ksu_inbox')
            .select('status')
            .where('event_id', '=', `ooo-l-${engine}`)
            .executeTakeFirstOrThrow()
        ).status === 'APPLIED',
      'the late KSU to be applied',
    );
    const order = await stack.call('get', `/v1/service-orders/${o.id}`);
    expect(order.body.status).toBe('COMPLETED');
    const types = order.body.updates.map((u: { information?: { type: string } }) => u.information?.type);
    expect(types).not.toContain('COMMITTED');
    expect(types.filter((t: string) => t === 'COMPLETED')).toHaveLength(1);
  });

  it("a KSU for an order not yet known is kept and applied once the create event links BB1's order id", async () => {
    answerWithoutId = true; // BB1's 202 may carry no order id: only the create event will say which order it is
    const o = await placeOrder();
    answerWithoutId = false;
    expect(o.bb1Id).toBeNull();
    const early = ksu({ bb1Id: 'BB1-LATE-1' }, `early-${engine}`, '2026-11-23T09:30:00Z', {
      errorMessage: [
        { subCode: '520', message: 'Informational : 520 : Order Committed', productOrderItem: [{ itemId: '100' }] },
      ],
    });
    expect((await post(early)).status).toBe(202);
    await waitUntil(
      async () =>
        (
          await stack.db.db
            .selectFrom('ksu_inbox')
            .select('status')
            .where('event_id', '=', `early-${engine}`)
            .executeTakeFirstOrThrow()
        ).status === 'UNMATCHED',
      'the early KSU to be parked',
    );
    const waiting = await stack.http.get('/ops/ksus?status=UNMATCHED').set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect(waiting.body.map((k: { eventId: string }) => k.eventId)).toContain(`early-${engine}`);
    const create = {
      event: {
        productOrder: {
          externalId: o.externalId,
          id: 'BB1-LATE-1',
          productOrderItem: [
            {
              id: '100',
              internalId: '1',
              action: 'add',
              product: { productOffering: { id: 'E0000160' }, id: 'asset-root' },
            },
          ],
        },
      },
      eventType: 'ProductOrderCreateEvent',
      eventTime: '2026-11-23T09:00:00Z',
      eventId: `create-${engine}`,
    };
    expect((await post(create)).status).toBe(202);
    await sink.waitFor(() =>
      kcisOf(o.id, o.conversation).some((k) => (k.body.information as { type: string })?.type === 'COMMITTED'),
    );
    const row = await stack.db.db
      .selectFrom('ksu_inbox')
      .select(['status', 'order_id'])
      .where('event_id', '=', `early-${engine}`)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'APPLIED', order_id: o.id });
  });

  it('an operator reprocesses a KSU left UNMATCHED once its order exists by other means; nothing else can be reprocessed', async () => {
    const externalId = `TENANT1-${900 + (engine === 'pglite' ? 1 : 2)}-0000cafe`;
    const early = ksu({ externalId, bb1Id: `BB1-OPS-${engine}` }, `ops-${engine}`, '2026-11-23T09:30:00Z', {
      errorMessage: [
        { subCode: '520', message: 'Informational : 520 : Order Committed', productOrderItem: [{ itemId: '100' }] },
      ],
    });
    const stored = await post(early);
    expect(stored.status).toBe(202);
    const inboxId = stored.body.id as number;
    await waitUntil(
      async () =>
        (await stack.db.db.selectFrom('ksu_inbox').select('status').where('id', '=', inboxId).executeTakeFirstOrThrow())
          .status === 'UNMATCHED',
      'the KSU to be parked',
    );
    // The order appears without any create event (restored from a backup, say): nothing re-matches it by itself.
    const order = await new TenantOrders(stack.db.db, 'TENANT1').create({
      externalId: () => externalId,
      supplier: 'BTWHOLESALEBB1',
      orderType: 'NEW',
      conversationId: `conv-ops-${engine}`,
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
    const ops = (path: string, token = OPERATOR_TOKEN) => stack.http.post(path).set('Authorization', `Bearer ${token}`);
    expect((await ops(`/ops/ksus/${inboxId}/reprocess`, 'not-the-operator-token-0123456789ab')).status).toBe(401);
    const queued = await ops(`/ops/ksus/${inboxId}/reprocess`);
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ id: inboxId, eventId: `ops-${engine}`, status: 'PENDING' });
    expectMatchesSpec(queued, 'post', '/ops/ksus/{id}/reprocess');
    await sink.waitFor(() =>
      sink
        .forOrder(order.id)
        .some(
          (k) =>
            k.headers['x-conversation-id'] === `conv-ops-${engine}` &&
            (k.body.information as { type: string })?.type === 'COMMITTED',
        ),
    );
    const again = await ops(`/ops/ksus/${inboxId}/reprocess`);
    expect(again.status).toBe(409);
    expect(again.body.messages).toEqual([
      `KSU ${inboxId} is APPLIED; only UNMATCHED or FAILED KSUs can be reprocessed`,
    ]);
    expectMatchesSpec(again, 'post', '/ops/ksus/{id}/reprocess');
    expect((await ops('/ops/ksus/987654321/reprocess')).status).toBe(404);
    const bad = await ops('/ops/ksus/first/reprocess');
    expect(bad.status).toBe(400);
    expect(bad.body.messages).toEqual(['path.id: must be integer']);
  });

  it('keeps a KSU with a \\u0000 in a string (jsonb refuses it) raw, applies it from a copy with U+FFFD, without failing the KSUs stored with it', async () => {
    const o = await placeOrder();
    const nul = { ...ksu(o, `nul-${engine}`, '2026-11-23T10:00:00Z'), note: 'before\u0000after' };
    const raw = JSON.stringify(nul);
    expect(raw).toContain('\\u0000');
    const token = await stack.supplierToken();
    // Sent together, so that both share one group-commit INSERT.
    const [withNul, fine] = await Promise.all([
      stack.http
        .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(raw),
      stack.http
        .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
        .set('Authorization', `Bearer ${token}`)
        .send(ksu(o, `nul-mate-${engine}`, '2026-11-23T10:01:00Z')),
    ]);
    expect([withNul.status, fine.status]).toEqual([202, 202]);
    const kept = await stack.db.db
      .selectFrom('ksu_inbox')
      .select(['raw', 'body', 'status', 'error'])
      .where('event_id', '=', `nul-${engine}`)
      .execute();
    expect(kept).toHaveLength(1);
    expect(kept[0]!.raw).toBe(raw);
    expect((kept[0]!.body as { note: string }).note).toBe('before\ufffdafter');
    for (const eventId of [`nul-${engine}`, `nul-mate-${engine}`])
      await waitUntil(
        async () =>
          (
            await stack.db.db
              .selectFrom('ksu_inbox')
              .select('status')
              .where('event_id', '=', eventId)
              .executeTakeFirstOrThrow()
          ).status === 'APPLIED',
        `${eventId} to be applied`,
      );
  });

  it("refuses (403) and records a KSU naming another tenant's order; keeps unparseable bodies (400)", async () => {
    const o = await placeOrder('TENANT1');
    const r = await post(ksu(o, `cross-${engine}`, '2026-11-23T10:00:00Z'), 'TENANT2');
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('NOT_AUTHORISED');
    const bad = await stack.http
      .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
      .set('Authorization', `Bearer ${await stack.supplierToken()}`)
      .set('Content-Type', 'application/json')
      .send('{"event": {"productOrder": ');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('MALFORMED_REQUEST');
    const refused = await stack.http.get('/ops/ksus?status=REFUSED').set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect(
      refused.body.some(
        (k: { raw: string; tenantId: string }) => k.raw.includes(`cross-${engine}`) && k.tenantId === 'TENANT2',
      ),
    ).toBe(true);
    const unparseable = await stack.http
      .get('/ops/ksus?status=UNPARSEABLE')
      .set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect(unparseable.body.some((k: { raw: string }) => k.raw === '{"event": {"productOrder": ')).toBe(true);
    const noToken = await stack.http.post('/v1/suppliers/BTWHOLESALEBB1/ksus').send({});
    expect(noToken.status).toBe(401);
    const tenantToken = await stack.http
      .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
      .set('Authorization', `Bearer ${await stack.token()}`)
      .send({});
    expect(tenantToken.status).toBe(401);
  });

  it('a tenant endpoint that fails then recovers gets every KCI, in order, and nothing is lost', async () => {
    const o = await placeOrder();
    let failures = 0;
    sink.setResponder(() => (failures++ < 3 ? { status: 503 } : { status: 204 })); // 3 failures: within the 4-attempt test schedule
    for (const [i, code] of ['520', '101105', '530'].entries()) {
      const k = ksu(o, `flaky-${engine}-${i}`, `2026-11-23T1${i}:00:00Z`, {
        errorMessage: [
          { subCode: code, message: `Informational : ${code} : step ${i}`, productOrderItem: [{ itemId: '100' }] },
        ],
      });
      if (code === '530') (k.event.productOrder.productOrderItem as { state: string }[])[0]!.state = 'completed';
      expect((await post(k)).status).toBe(202);
    }
    await sink.waitFor(() => kcisOf(o.id, o.conversation).length === 4, 30000);
    sink.setResponder(() => ({ status: 204 }));
    const kcis = kcisOf(o.id, o.conversation);
    expect(kcis.map((k) => k.body.sequenceNumber)).toEqual([1, 2, 3, 4]);
    expect(kcis.map((k) => (k.body.information as { type: string }).type)).toEqual([
      'UPDATE',
      'COMMITTED',
      'DELAY',
      'COMPLETED',
    ]);
    expect(failures).toBeGreaterThanOrEqual(3);
  });

  it('after the retry schedule a KCI is DEAD, blocks later KCIs of its order, and is redelivered with the same id', async () => {
    const o = await placeOrder();
    sink.setResponder((k) => ((k.body.entity as { id: number }).id === o.id ? { status: 500 } : { status: 204 }));
    expect(
      (
        await post(
          ksu(o, `dead-${engine}-1`, '2026-11-23T10:00:00Z', {
            errorMessage: [
              {
                subCode: '520',
                message: 'Informational : 520 : Order Committed',
                productOrderItem: [{ itemId: '100' }],
              },
            ],
          }),
        )
      ).status,
    ).toBe(202);
    const findDead = async () =>
      (
        await stack.http.get(`/ops/kcis?status=DEAD&tenant=TENANT1`).set('Authorization', `Bearer ${OPERATOR_TOKEN}`)
      ).body.filter((e: { orderId: number }) => e.orderId === o.id);
    let dead: { id: string; attempts: number }[] = [];
    for (let i = 0; i < 400 && dead.length === 0; i++) {
      dead = await findDead();
      if (!dead.length) await new Promise((r) => setTimeout(r, 25));
    }
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attempts).toBe(4); // first attempt + the three of the test schedule
    const deadGauge = async () =>
      Number((await stack.http.get('/metrics')).text.match(/^kci_outbox_backlog\{status="DEAD"\} (\d+)$/m)?.[1]);
    const deadBefore = await deadGauge();
    expect(deadBefore).toBeGreaterThanOrEqual(1);
    expect(
      (
        await post(
          ksu(o, `dead-${engine}-2`, '2026-11-23T11:00:00Z', {
            errorMessage: [
              { subCode: '101105', message: 'Informational : 101105 : delayed', productOrderItem: [{ itemId: '100' }] },
            ],
          }),
        )
      ).status,
    ).toBe(202);
    await waitUntil(
      async () => (await stack.call('get', `/v1/service-orders/${o.id}`)).body.updates.length === 3,
      'the third KCI to be written',
    );
    await stack.service.delivery.runOnce();
    const before = await stack.call('get', `/v1/service-orders/${o.id}`);
    expect(before.body.updates.map((u: { deliveryStatus: string }) => u.deliveryStatus)).toEqual([
      'DELIVERED',
      'DEAD',
      'PENDING',
    ]); // held behind the DEAD one
    sink.setResponder(() => ({ status: 204 }));
    const re = await stack.http
      .post(`/ops/kcis/${dead[0]!.id}/redeliver`)
      .set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect(re.status).toBe(202);
    await sink.waitFor(() => kcisOf(o.id, o.conversation).length === 3);
    const kcis = kcisOf(o.id, o.conversation);
    expect(kcis[1]!.body.id).toBe(dead[0]!.id);
    expect(kcis.map((k) => k.body.sequenceNumber)).toEqual([1, 2, 3]);
    await waitUntil(async () => (await deadGauge()) === deadBefore - 1, 'the DEAD gauge to count one fewer');
    const metrics = (await stack.http.get('/metrics')).text;
    for (const name of [
      'ksu_inbox_backlog{status="PENDING"}',
      'ksu_inbox_backlog{status="UNMATCHED"}',
      'ksu_inbox_oldest_pending_seconds',
      'kci_outbox_backlog{status="PENDING"}',
      'kci_outbox_oldest_undelivered_seconds',
    ]) {
      expect(metrics).toMatch(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} \\d+(\\.\\d+)?$`, 'm'));
    }
  });

  it('honours Retry-After from the tenant', async () => {
    const o = await placeOrder();
    sink.setResponder((k) =>
      (k.body.entity as { id: number }).id === o.id
        ? { status: 429, headers: { 'Retry-After': '120' } }
        : { status: 204 },
    );
    expect(
      (
        await post(
          ksu(o, `ra-${engine}`, '2026-11-23T10:00:00Z', {
            errorMessage: [{ subCode: '520', message: 'x', productOrderItem: [{ itemId: '100' }] }],
          }),
        )
      ).status,
    ).toBe(202);
    let row;
    for (let i = 0; i < 400; i++) {
      row = await stack.db.db
        .selectFrom('kci_outbox')
        .selectAll()
        .where('tenant_id', '=', 'TENANT1')
        .where('order_id', '=', o.id)
        .where('sequence_number', '=', 2)
        .executeTakeFirst();
      if (row?.last_status === 429) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(row!.last_status).toBe(429);
    expect(new Date(row!.next_attempt_at).getTime() - Date.now()).toBeGreaterThan(100_000); // the schedule says 0.05 s; Retry-After says 120 s
    sink.setResponder(() => ({ status: 204 }));
  });

  it("a tenant whose endpoint hangs does not hold up another tenant's KCIs", async () => {
    // Its own stack with a long delivery timeout, so that "while the other is still hanging" is unambiguous.
    const sink2 = await startKciSink();
    const s2 = await startStack({ engine, kciUrl: sink2.url, env: { KCI_TIMEOUT_MS: '60000' } });
    try {
      const make = async (tenant: 'TENANT1' | 'TENANT2', bb1Id: string) => {
        const o = await new TenantOrders(s2.db.db, tenant).create({
          externalId: (id) => `${tenant}-${id}-0000d00d`,
          supplier: 'BTWHOLESALEBB1',
          orderType: 'NEW',
          conversationId: `hang-${tenant}`,
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
        await s2.db.db
          .updateTable('orders')
          .set({ send_state: 'SENT', supplier_order_id: bb1Id })
          .where('tenant_id', '=', tenant)
          .where('id', '=', o.id)
          .execute();
        return o;
      };
      const slow = await make('TENANT2', 'BB1-HANG-2');
      const fine = await make('TENANT1', 'BB1-HANG-1');
      const committed = (o: { externalId: string }, bb1Id: string, cug: string, eventId: string) => ({
        event: {
          productOrder: {
            externalId: o.externalId,
            id: bb1Id,
            relatedParty: { role: 'BtCug', id: cug },
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
                subCode: '520',
                message: 'Informational : 520 : Order Committed',
                productOrderItem: [{ itemId: '100' }],
              },
            ],
          },
        },
        eventType: 'ProductOrderStateChangeEvent',
        eventTime: '2026-11-23T10:00:00Z',
        eventId,
      });
      // TENANT2's endpoint accepts the connection and never answers (TENANT2 is the one with basic auth).
      sink2.setResponder((k) =>
        String(k.headers.authorization ?? '').startsWith('Basic') ? { status: 204, hold: true } : { status: 204 },
      );
      expect(
        (
          await s2.http
            .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
            .set('Authorization', `Bearer ${await s2.supplierToken('TENANT2')}`)
            .send(committed(slow, 'BB1-HANG-2', 'CUG5008888888', `hang-2-${engine}`))
        ).status,
      ).toBe(202);
      await waitUntil(() => sink2.held === 1, "TENANT2's KCI to be hanging");
      expect(
        (
          await s2.http
            .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
            .set('Authorization', `Bearer ${await s2.supplierToken('TENANT1')}`)
            .send(committed(fine, 'BB1-HANG-1', 'CUG5009999999', `hang-1-${engine}`))
        ).status,
      ).toBe(202);
      await sink2.waitFor(() => sink2.forOrder(fine.id).some((k) => k.headers['x-conversation-id'] === 'hang-TENANT1'));
      // TENANT1 was served while TENANT2's first attempt is still waiting for an answer.
      const stuck = await s2.db.db
        .selectFrom('kci_outbox')
        .select(['status', 'attempts', 'last_error'])
        .where('tenant_id', '=', 'TENANT2')
        .where('order_id', '=', slow.id)
        .executeTakeFirstOrThrow();
      expect(stuck).toEqual({ status: 'PENDING', attempts: 1, last_error: null });
      expect(sink2.held).toBe(1);
      sink2.release(204);
      await waitUntil(
        async () =>
          (
            await s2.db.db
              .selectFrom('kci_outbox')
              .select('status')
              .where('tenant_id', '=', 'TENANT2')
              .where('order_id', '=', slow.id)
              .executeTakeFirstOrThrow()
          ).status === 'DELIVERED',
        "TENANT2's KCI to be delivered once answered",
      );
    } finally {
      sink2.release(204);
      await s2.stop();
      await sink2.close();
    }
  }, 60_000);

  it('a burst (120 KSUs posted at once, far above 500/s): every one answered 202, stored, applied, and each order told in sequence', async () => {
    // Ingest first: while the burst lasts the applier steps aside (bounded); nothing it let in may be left behind.
    const orders = await Promise.all([placeOrder(), placeOrder(), placeOrder(), placeOrder()]);
    const before = orders.map((o) => kcisOf(o.id, o.conversation).length);
    const token = await stack.supplierToken('TENANT1');
    const bodies = Array.from({ length: 120 }, (_, i) => {
      const o = orders[i % 4]!;
      const code = String(7_100_000 + i);
      return ksu(o, `burst-${engine}-${i}`, new Date(Date.UTC(2026, 10, 24, 10, 0, i)).toISOString(), {
        errorMessage: [{ subCode: code, message: `Informational : ${code} : burst ${i}`, productOrderItem: [] }],
      });
    });
    const answers = await Promise.all(
      bodies.map((b) =>
        stack.http.post('/v1/suppliers/BTWHOLESALEBB1/ksus').set('Authorization', `Bearer ${token}`).send(b),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 202));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(120);
    await waitUntil(async () => {
      const rows = await stack.db.db
        .selectFrom('ksu_inbox')
        .select('status')
        .where('event_id', 'like', `burst-${engine}-%`)
        .execute();
      return rows.length === 120 && rows.every((r) => r.status === 'APPLIED');
    }, 'every KSU of the burst applied');
    await sink.waitFor(() => orders.every((o, i) => kcisOf(o.id, o.conversation).length === before[i]! + 30));
    orders.forEach((o, n) => {
      const kcis = kcisOf(o.id, o.conversation);
      // Delivered in sequence, none missing, none twice, and in the order the KSUs were received (their inbox
      // ids: posted at once, they may arrive in any order, and each order's updates are applied as received).
      expect(kcis.map((k) => k.body.sequenceNumber)).toEqual(kcis.map((_, i) => i + 1));
      const told = kcis
        .slice(-30)
        .map((k) => Number(JSON.stringify(k.body.information ?? k.body.actionRequired).match(/burst (\d+)/)?.[1]));
      const received = answers
        .map((a, i) => ({ i, inboxId: a.body.id as number }))
        .filter(({ i }) => i % 4 === n)
        .sort((a, b) => a.inboxId - b.inboxId)
        .map(({ i }) => i);
      expect(told).toEqual(received);
    });
  }, 60_000);
});
