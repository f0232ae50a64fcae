import { ENGINES } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { waitUntil } from '../helpers/wait.js';
import { ADDRESS, CONTACT, startStack, type Stack } from '../helpers/stack.js';
import { FAKE_ACCOUNTS, FAKE_ID, fakeSupplier } from '../helpers/fake-supplier.js';

/**
 * The supplier port's proof: a test-only supplier registered beside BB1 takes an order from
 * POST /v1/service-orders to a COMPLETED KCI through the same routes, lifecycle and outbox.
 */
describe.each(ENGINES)('a second supplier behind the port (%s)', (engine) => {
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let stack: Stack;
  let fake: ReturnType<typeof fakeSupplier>;
  beforeAll(async () => {
    sink = await startKciSink();
    fake = fakeSupplier();
    stack = await startStack({ engine, kciUrl: sink.url, modules: [fake.module], extraSuppliers: FAKE_ACCOUNTS });
  });
  afterAll(async () => {
    await stack.stop();
    await sink.close();
  });

  const order = (lineProfile: string) => ({
    orderType: 'NEW',
    supplier: FAKE_ID,
    address: ADDRESS,
    serviceOrderItem: {
      serviceSpecification: { id: 'FTTP' },
      serviceCharacteristics: [{ name: 'LINE_PROFILE', value: lineProfile }],
    },
    primaryContact: CONTACT,
  });

  const fakeToken = async () => {
    const r = await stack.http
      .post('/v1/auth/supplier/access-token')
      .auth('fake-cb-T1', 'fake-callback-secret')
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expect(r.status).toBe(200);
    return r.body.access_token as string;
  };

  it('takes an order from the tenant API to COMPLETED, with the same KCI envelope as BB1', async () => {
    const created = await stack.call('post', '/v1/service-orders', order('FAST'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ supplier: FAKE_ID, status: 'RECEIVED_BY_GATEWAY' });
    await waitUntil(async () => fake.sent.length > 0, 'the fake to receive the order');
    const sent = fake.sent[0]!;
    expect(sent.account.accountRef).toBe('acct-T1');
    const externalId = (sent.payload as { ref: string }).ref;
    expect(externalId).toMatch(new RegExp(`^TENANT1-${created.body.id}-[0-9a-f]{8}$`));

    const token = await fakeToken();
    const post = (body: object) =>
      stack.http.post(`/v1/suppliers/${FAKE_ID}/ksus`).set('Authorization', `Bearer ${token}`).send(body);
    const base = { order: externalId, supplierOrder: 'F-1' };
    expect((await post({ ...base, id: 'u1', state: 'accepted', at: '2026-12-01T10:00:00Z' })).status).toBe(202);
    expect(
      (
        await post({
          ...base,
          id: 'u2',
          state: 'planned',
          at: '2026-12-01T11:00:00Z',
          date: '2026-12-09T23:59:59.000Z',
        })
      ).status,
    ).toBe(202);
    expect(
      (await post({ ...base, id: 'u3', state: 'done', at: '2026-12-09T12:00:00Z', serviceId: 'FAKE-SVC-1' })).status,
    ).toBe(202);

    const mine = () =>
      sink.received.filter((k) => (k.body.entity as { id: number; supplier: string }).supplier === FAKE_ID);
    await sink.waitFor(() => mine().some((k) => (k.body.information as { type?: string })?.type === 'COMPLETED'));
    const kcis = mine().map((k) => k.body);
    expect(kcis.map((k) => k.sequenceNumber)).toEqual([1, 2, 3, 4]);
    expect(kcis.map((k) => (k.information as { type: string }).type)).toEqual([
      'UPDATE',
      'ACKNOWLEDGED',
      'COMMITTED',
      'COMPLETED',
    ]);
    expect(kcis.every((k) => k.supplier === FAKE_ID && k.entityType === 'PROVIDE_ORDER')).toBe(true);
    const last = kcis[3]!;
    expect(last).toMatchObject({ updateType: 'INFORMATIONAL', issuedOn: '2026-12-09T12:00:00Z' });
    expect(last.entity).toMatchObject({
      status: 'COMPLETED',
      supplierOrderNumber: 'F-1',
      serviceId: 'FAKE-SVC-1',
      committedDate: '2026-12-09T23:59:59.000Z',
    });

    const got = await stack.call('get', `/v1/service-orders/${created.body.id}`);
    expect(got.body.status).toBe('COMPLETED');
    expect(got.body.updates).toHaveLength(4);
  });

  it("refuses what the fake's tables cannot express, naming the field", async () => {
    const r = await stack.call('post', '/v1/service-orders', order('SLOW'));
    expect(r.status).toBe(400);
    expect(r.body.messages).toEqual([
      'serviceCharacteristics LINE_PROFILE: "SLOW" is not offered by FAKE; allowed: FAST',
    ]);
  });

  it("keeps each supplier's update route to its own clients", async () => {
    const token = await fakeToken();
    const r = await stack.http
      .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
      .set('Authorization', `Bearer ${token}`)
      .send({ eventId: 'x', event: { productOrder: { id: '1', externalId: 'TENANT1-1-00000000' } } });
    expect(r.status).toBe(403);
  });
});
