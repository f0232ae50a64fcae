import { ENGINES } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { expectMatchesSpec } from '../helpers/spec.js';
import { POISON_KSUS, poisonKsuBody } from '../helpers/fuzz-requests.js';
import { TenantOrders } from '../../src/orders/order-store.js';
import { send } from '../helpers/raw-http.js';

describe.each(ENGINES)('KSUs the inbox cannot hold as sent (%s)', (engine) => {
  let stack: Stack;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let token: string;
  let n = 0;
  beforeAll(async () => {
    sink = await startKciSink();
    stack = await startStack({ engine, kciUrl: sink.url, workers: false });
    token = await stack.supplierToken('TENANT1');
  }, 120_000);
  afterAll(async () => {
    await stack.stop();
    await sink.close();
  });

  // The bytes as given (a prompt answer: PGlite used to spin for minutes on the 10,000-deep one).
  const post = async (body: Buffer) => {
    const a = await send(
      stack.baseUrl,
      {
        method: 'POST',
        path: '/v1/suppliers/BTWHOLESALEBB1/ksus',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body,
      },
      5000,
    );
    return { status: a.status, body: JSON.parse(a.text) };
  };

  it.each(Object.keys(POISON_KSUS))('%s: answered 202 or 400 at once, and kept raw', async (name) => {
    const sent = poisonKsuBody(name, ++n);
    const res = await post(sent);
    expect([202, 400]).toContain(res.status);
    expectMatchesSpec(res as never, 'post', '/v1/suppliers/{supplier}/ksus');
    const id = res.status === 202 ? res.body.id : Number(/inbox entry (\d+)/.exec(res.body.messages.join(' '))?.[1]);
    expect(id).toBeGreaterThan(0);
    const row = await stack.db.db.selectFrom('ksu_inbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.tenant_id).toBe('TENANT1');
    // Nothing BB1 sent is lost: the raw text, or (when the bytes are not UTF-8 text) their base64.
    const kept = row.error?.includes('base64') ? Buffer.from(row.raw, 'base64') : Buffer.from(row.raw, 'utf8');
    expect(kept.equals(sent)).toBe(true);
    if (res.status === 400)
      expect(res.body.messages[0]).toMatch(/^(body|eventId|eventType|eventTime|externalId|supplierOrderId):/);
    // The service answers the next request as usual.
    expect((await stack.http.get('/health')).status).toBe(200);
  });

  it('refuses at the door (403) a KSU whose externalId names the caller but whose BB1 order id is another tenant’s', async () => {
    const orders = new TenantOrders(stack.db.db, 'TENANT2');
    const other = await orders.create({
      externalId: (id) => `TENANT2-${id}-0badf00d`,
      supplier: 'BTWHOLESALEBB1',
      orderType: 'NEW',
      conversationId: 'c',
      request: {},
      entity: (id: number, now: string) => ({
        id,
        orderType: 'NEW',
        supplier: 'BTWHOLESALEBB1',
        status: 'ACKNOWLEDGED',
        created: now,
        updated: now,
      }),
    });
    await stack.db.db
      .updateTable('orders')
      .set({ supplier_order_id: '00777001' })
      .where('tenant_id', '=', 'TENANT2')
      .where('id', '=', other.id)
      .execute();
    const ksu = JSON.parse(POISON_KSUS['eventTime not a time']!.replace('yesterday', '2024-01-01T00:00:00Z'));
    ksu.eventId = 'cross-tenant-1';
    ksu.event.productOrder.externalId = 'TENANT1-999-deadbeef'; // the caller's shape, but no such order
    ksu.event.productOrder.id = '00777001'; // TENANT2's order: the applier would match it by this id
    const res = await post(Buffer.from(JSON.stringify(ksu)));
    expect(res.status).toBe(403);
    expectMatchesSpec(res as never, 'post', '/v1/suppliers/{supplier}/ksus');
    const row = await stack.db.db
      .selectFrom('ksu_inbox')
      .selectAll()
      .where('status', '=', 'REFUSED')
      .where('supplier_order_id', '=', '00777001')
      .executeTakeFirstOrThrow();
    expect(row.error).toBe('order of tenant TENANT2');
    // The same KSU naming an order of the caller's that exists is accepted.
    ksu.eventId = 'cross-tenant-2';
    ksu.event.productOrder.externalId = other.externalId.replace('TENANT2', 'TENANT1');
    ksu.event.productOrder.id = '00777002';
    expect((await post(Buffer.from(JSON.stringify(ksu)))).status).toBe(202);
  });
});
