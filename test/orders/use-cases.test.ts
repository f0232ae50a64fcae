import { freshDatabase, ENGINES } from '../helpers/db.js';
import { ADDRESS, CONTACT, tenantsYaml } from '../helpers/stack.js';
import { FAKE_ACCOUNTS, FAKE_ID, fakeSupplier } from '../helpers/fake-supplier.js';
import { migrate, type DatabaseHandle } from '../../src/store/database.js';
import { parseTenants, type TenantDirectory } from '../../src/config/tenants.js';
import { SUPPLIER_MODULES, SupplierRegistry } from '../../src/suppliers/registry.js';
import { TypedEvents, type ConnectorEvents } from '../../src/platform/events.js';
import { createOrderUseCases } from '../../src/orders/use-cases.js';
import { Dispatcher } from '../../src/orders/dispatch.js';
import { InvalidRequest, NotFound, Unprocessable } from '../../src/orders/errors.js';
import { TenantOrders, updateOrder } from '../../src/orders/order-store.js';
import { createLogger } from '../../src/platform/log.js';
import type { OrderRequest } from '../../src/orders/order.js';

/** The order use cases on their own: a real database, the fake supplier, no HTTP. */
describe.each(ENGINES)('order use cases (%s)', (engine) => {
  let db: DatabaseHandle;
  let tenants: TenantDirectory;
  let fake: ReturnType<typeof fakeSupplier>;
  let events: TypedEvents<ConnectorEvents>;
  let emitted: string[];
  let uc: ReturnType<typeof createOrderUseCases>;
  let suppliers: SupplierRegistry;
  beforeAll(async () => {
    db = await freshDatabase(engine);
    await migrate(db.db);
    fake = fakeSupplier();
    tenants = parseTenants(tenantsYaml('http://127.0.0.1:9/k', { extraSuppliers: FAKE_ACCOUNTS }), 't.yaml', {}, [
      ...SUPPLIER_MODULES,
      fake.module,
    ]);
    suppliers = new SupplierRegistry([fake.module.create({} as never)]);
    events = new TypedEvents<ConnectorEvents>();
    emitted = [];
    for (const e of ['sends-due', 'kcis-enqueued', 'orders-identified'] as const) events.on(e, () => emitted.push(e));
    uc = createOrderUseCases({ db: db.db, suppliers, events });
  });
  afterAll(() => db.close());

  const t1 = () => tenants.get('TENANT1')!;
  const provide = (lineProfile = 'FAST'): OrderRequest => ({
    orderType: 'NEW',
    supplier: FAKE_ID,
    address: ADDRESS as OrderRequest['address'],
    serviceOrderItem: {
      serviceSpecification: { id: 'FTTP' },
      serviceCharacteristics: [{ name: 'LINE_PROFILE', value: lineProfile }],
    },
    primaryContact: CONTACT,
  });

  it('stores a planned order with its payload and wakes the dispatcher; a refused one leaves no gap in the numbering', async () => {
    const first = await uc.create(t1(), provide(), 'conv-1');
    expect(first).toMatchObject({ id: 1, supplier: FAKE_ID, status: 'RECEIVED_BY_GATEWAY' });
    expect(emitted).toContain('sends-due');
    const stored = await new TenantOrders(db.db, 'TENANT1').get(1);
    expect(stored).toMatchObject({ sendState: 'PENDING', adapterState: { planned: true } });
    expect(stored!.outbound).toEqual({ ref: stored!.externalId, account: 'acct-T1', speed: 'FAST' });
    await expect(uc.create(t1(), provide('SLOW'), 'conv-2')).rejects.toBeInstanceOf(InvalidRequest);
    expect((await uc.create(t1(), provide(), 'conv-3')).id).toBe(2);
  });

  it('refuses a supplier the tenant has no account with, naming the ones it has', async () => {
    await expect(uc.create(t1(), { ...provide(), supplier: 'NOPE' }, 'c')).rejects.toThrow(
      'supplier: "NOPE" is not configured for this tenant; allowed:',
    );
  });

  it("keeps tenants apart: another tenant's order is not found", async () => {
    await expect(uc.get('TENANT2', 1)).rejects.toBeInstanceOf(NotFound);
    await expect(
      uc.cancel(tenants.get('TENANT2')!, { orderId: 1, reasonCode: 'OTHER' } as never, 'c'),
    ).rejects.toBeInstanceOf(NotFound);
  });

  it('asks the lifecycle whether an amendment is allowed, and marks the order pending with the status before it', async () => {
    await expect(uc.amend(t1(), { orderId: 1, notes: 'gate code 1234' } as never, 'c')).rejects.toBeInstanceOf(
      Unprocessable,
    );
    const order = (await new TenantOrders(db.db, 'TENANT1').get(1))!;
    await updateOrder(db.db, order, { status: 'IN_PROGRESS', entity: { ...order.entity, status: 'IN_PROGRESS' } });
    const amendment = await uc.amend(t1(), { orderId: 1, notes: 'gate code 1234' } as never, 'c');
    expect(amendment).toMatchObject({ id: 1, status: 'RECEIVED_BY_GATEWAY', notes: 'gate code 1234' });
    const after = (await new TenantOrders(db.db, 'TENANT1').get(1))!;
    expect(after.status).toBe('PENDING_AMENDMENT');
    expect(after.lifecycle.statusBeforeRequest).toBe('IN_PROGRESS');
    expect(after.entity.serviceOrderAmendment).toMatchObject({ id: 1 });
  });

  it('the dispatcher sends through the port and records the answer, the supplier order id and a KCI', async () => {
    const dispatcher = new Dispatcher({ db: db.db, log: createLogger('silent'), tenants, suppliers, events });
    await dispatcher.run();
    const second = (await new TenantOrders(db.db, 'TENANT1').get(2))!;
    expect(second).toMatchObject({ status: 'SENT_TO_SUPPLIER', sendState: 'SENT' });
    expect(second.supplierOrderId).toMatch(/^F-\d+$/);
    const history = await db.db
      .selectFrom('order_history')
      .selectAll()
      .where('order_id', '=', 2)
      .orderBy('id')
      .execute();
    expect(history.map((h) => h.event)).toEqual(['RECEIVED', 'SEND_SENT']);
    expect(history[1]!.detail).toMatchObject({ supplierAnswer: { status: 201 } });
    const kcis = await db.db.selectFrom('kci_outbox').selectAll().where('order_id', '=', 2).execute();
    expect(kcis.map((k) => (k.body as { information: { text: string } }).information.text)).toEqual([
      `Order sent to ${FAKE_ID}`,
    ]);
    expect(emitted).toContain('orders-identified');
  });
});
