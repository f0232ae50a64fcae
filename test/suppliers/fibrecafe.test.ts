import { ENGINES } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { waitUntil } from '../helpers/wait.js';
import {
  ADDRESS,
  CONTACT,
  KSU1_SECRET,
  T1_SECRET,
  T2_SECRET,
  provideBody,
  startStack,
  type Stack,
} from '../helpers/stack.js';
import { startAltnetStub } from '../helpers/altnet-stub.js';
import { parseTenants, TenantsFileError } from '../../src/config/tenants.js';

/**
 * FIBRECO's tables are the shipped mappings/fibreco/ (LINE_PROFILE FIBRECO_900 ↔ 900-100, CONTRACT_TERM ↔
 * MINIMUM_TERM_MONTHS); SLOWNET has none, so it is passed the tenant's words unchanged.
 *
 * Issue 16's "done when": two stub altnets (real HTTP servers that record requests and push Supplier Updates)
 * configured as Fibre Cafe Supplier API suppliers beside the BB1 sandbox, from the tenants file alone.
 * TENANT1 may use BTWHOLESALEBB1 and FIBRECO; TENANT2 has no BB1 account: FIBRECO and SLOWNET.
 */
const FIBRECO_UPDATES = { clientId: 'fibreco-updates', clientSecret: 'fibreco-updates-secret' };
const SLOWNET_UPDATES = { clientId: 'slownet-updates', clientSecret: 'slownet-updates-secret' };
const GATEWAY = { clientId: 'gw', clientSecret: 'gateway-secret-1' };

describe.each(ENGINES)('a Fibre Cafe Supplier API altnet beside BB1 (%s)', (engine) => {
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let fibreco: Awaited<ReturnType<typeof startAltnetStub>>;
  let slownet: Awaited<ReturnType<typeof startAltnetStub>>;
  let stack: Stack;

  beforeAll(async () => {
    sink = await startKciSink();
    fibreco = await startAltnetStub({
      supplierId: 'FIBRECO',
      basePath: '/v1',
      gateway: GATEWAY,
      updatesClient: FIBRECO_UPDATES,
    });
    slownet = await startAltnetStub({
      supplierId: 'SLOWNET',
      basePath: '/api/supplier',
      gateway: { clientId: 'gw2', clientSecret: 'gateway-secret-2' },
      updatesClient: SLOWNET_UPDATES,
    });
    const env = { FIBRECO_SECRET: GATEWAY.clientSecret, FIBRECO_UPDATES_SECRET: FIBRECO_UPDATES.clientSecret };
    const yaml = (kciUrl: string) => `
suppliers:
  - id: FIBRECO
    kind: fibrecafe-supplier-api
    baseUrl: ${fibreco.baseUrl}
    auth: { type: oauth2, tokenUrl: ${fibreco.tokenUrl}, clientId: gw, clientSecret: \${FIBRECO_SECRET} }
    updatesClient: { clientId: fibreco-updates, clientSecret: \${FIBRECO_UPDATES_SECRET} }
  - id: SLOWNET
    kind: fibrecafe-supplier-api
    baseUrl: ${slownet.baseUrl}
    auth: { type: oauth2, tokenUrl: ${slownet.tokenUrl}, clientId: gw2, clientSecret: gateway-secret-2 }
    updatesClient: { clientId: slownet-updates, clientSecret: ${SLOWNET_UPDATES.clientSecret} }
    timeoutMs: 300
tenants:
  - id: TENANT1
    clients: [{ clientId: tenant1-app, clientSecret: ${T1_SECRET} }]
    kci: { url: ${kciUrl}, auth: { type: none } }
    suppliers:
      BTWHOLESALEBB1: { clientId: t1-bb1, clientSecret: t1-bb1-secret, cugId: CUG5009999999, retailerId: ZYX, billingAccountId: "0455821481",
        ksuClient: { clientId: bt-ksu-tenant1, clientSecret: ${KSU1_SECRET} } }
      FIBRECO: {}
  - id: TENANT2
    clients: [{ clientId: tenant2-app, clientSecret: ${T2_SECRET} }]
    kci: { url: ${kciUrl}, auth: { type: none } }
    suppliers:
      FIBRECO: {}
      SLOWNET: {}
`;
    // ${VAR} in the file comes from the environment, as in production.
    stack = await startStack({ engine, kciUrl: sink.url, bb1: 'sandbox', tenantsYaml: yaml, env });
  });
  afterAll(async () => {
    await stack.stop();
    await Promise.all([sink.close(), fibreco.stop(), slownet.stop()]);
  });

  const availability = (tenant: 'TENANT1' | 'TENANT2', suppliers?: string[]) =>
    stack.call('get', '/v1/service-availability', undefined, {
      tenant,
      // one supplier named: `suppliers=ID` (the helper sends a string as it is)
      query: { address: ADDRESS, ...(suppliers ? { suppliers: suppliers[0] } : {}) },
    });
  const fibreOrder = (extra: Record<string, unknown> = {}) => ({
    orderType: 'NEW',
    supplier: 'FIBRECO',
    address: ADDRESS,
    serviceOrderItem: {
      serviceSpecification: { id: 'FTTP' },
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: 'FIBRECO_900' },
        { name: 'CONTRACT_TERM', value: '12' },
      ],
    },
    primaryContact: CONTACT,
    ...extra,
  });
  const kcisOf = (supplier: string, orderId: number) =>
    sink.received
      .map((k) => k.body)
      .filter((b) => b.supplier === supplier && (b.entity as { id: number }).id === orderId);
  let seq = 0;
  const update = (
    orderId: number,
    tenant: string,
    reasonCode: string,
    extra: Record<string, unknown> = {},
    entity: Record<string, unknown> = {},
  ) => ({
    id: `upd-${engine}-${++seq}`,
    sequenceNumber: seq,
    issuedOn: new Date(Date.UTC(2026, 11, 1, 10, 0, seq)).toISOString(),
    reasonCode,
    ...extra,
    provideServiceOrder: { id: orderId, tenant, ...entity },
  });

  it('answers availability from BB1 and the altnet, one element each, asking the altnet as the Supplier API says', async () => {
    const r = await availability('TENANT1');
    expect(r.body).toEqual(expect.any(Array));
    expect(r.status).toBe(200);
    expect(r.body.map((e: { supplier: string }) => e.supplier)).toEqual(['BTWHOLESALEBB1', 'FIBRECO']);
    // In the tenant's words, by FIBRECO's tables.
    expect(r.body[1]).toMatchObject({
      supplier: 'FIBRECO',
      serviceSpecifications: [
        {
          id: 'FTTP',
          serviceCharacteristics: [
            { name: 'LINE_PROFILE', values: ['FIBRECO_900', 'FIBRECO_150'] },
            { name: 'CONTRACT_TERM', values: ['12', '24'] },
          ],
        },
      ],
    });
    expect(r.body[0].serviceSpecifications.length).toBeGreaterThan(0);
    const call = fibreco.calls('GET', '/service-availability').at(-1)!;
    expect(JSON.parse(String(call.query.address))).toEqual(ADDRESS);
    expect(call.headers).toMatchObject({ tenant: 'TENANT1', authorization: expect.stringMatching(/^Bearer /) });
    expect(call.headers['x-request-id']).toEqual(expect.any(String));
    expect(call.headers['x-conversation-id']).toBe('conv-test'); // the tenant's
  });

  it("keeps the others' availability when a supplier hangs: its element carries SUPPLIER_TIMED_OUT", async () => {
    slownet.state.hang = true;
    try {
      const r = await availability('TENANT2');
      expect(r.status).toBe(200);
      expect(r.body).toHaveLength(2);
      expect(r.body[0]).toMatchObject({ supplier: 'FIBRECO', serviceSpecifications: [{ id: 'FTTP' }] });
      expect(r.body[1]).toEqual({
        supplier: 'SLOWNET',
        error: { uuid: expect.any(String), code: 'SUPPLIER_TIMED_OUT', messages: [expect.stringContaining('SLOWNET')] },
      });
      // Only the hanging supplier was asked alone: every supplier failing is the error itself.
      const alone = await availability('TENANT2', ['SLOWNET']);
      expect(alone.status).toBe(504);
      expect(alone.body.code).toBe('SUPPLIER_TIMED_OUT');
    } finally {
      slownet.state.hang = false;
    }
  });

  it('runs a second instance of the adapter (another id, another base URL) from configuration alone', async () => {
    const r = await availability('TENANT2', ['SLOWNET']);
    expect(r.status).toBe(200);
    // No tables for SLOWNET: its words pass unchanged.
    expect(r.body).toEqual([
      expect.objectContaining({
        supplier: 'SLOWNET',
        serviceSpecifications: [
          expect.objectContaining({
            serviceCharacteristics: [
              { name: 'LINE_PROFILE', values: ['900-100', '150-30'] },
              { name: 'MINIMUM_TERM_MONTHS', values: ['12', '24'] },
            ],
          }),
        ],
      }),
    ]);
    const call = slownet.calls('GET', '/service-availability').at(-1)!;
    expect(call.headers.tenant).toBe('TENANT2');
    expect(fibreco.requests.some((q) => q.headers.tenant === 'TENANT2' && q.path === '/service-availability')).toBe(
      true,
    );
  });

  it('enforces entitlement both ways: 403 NOT_AUTHORISED naming the supplier', async () => {
    const bb1 = await availability('TENANT2', ['BTWHOLESALEBB1']);
    expect(bb1.status).toBe(403);
    expect(bb1.body).toMatchObject({ code: 'NOT_AUTHORISED', messages: [expect.stringContaining('"BTWHOLESALEBB1"')] });
    const slow = await availability('TENANT1', ['SLOWNET']);
    expect(slow.status).toBe(403);
    expect(slow.body.messages[0]).toContain('"SLOWNET"');
    const order = await stack.call('post', '/v1/service-orders', fibreOrder({ supplier: 'SLOWNET' }));
    expect(order.status).toBe(403);
    const bb1Order = await stack.call('post', '/v1/service-orders', provideBody(), { tenant: 'TENANT2' });
    expect(bb1Order.status).toBe(403);
    // The supplier side: SLOWNET's client may not report on an order of a tenant that does not use SLOWNET…
    const refused = await slownet.push(stack.baseUrl, update(1, 'TENANT1', 'ACKNOWLEDGED'));
    expect(refused.status).toBe(403);
    expect(refused.body?.messages?.[0]).toContain('TENANT1 has no SLOWNET account');
    // …nor post to another supplier's route, and BB1's KSU client may not post Supplier Updates.
    const ksu = await stack.supplierToken('TENANT1');
    const cross = await stack.http
      .post('/v1/suppliers/FIBRECO/kcis')
      .set('Authorization', `Bearer ${ksu}`)
      .send(update(1, 'TENANT1', 'ACKNOWLEDGED'));
    expect(cross.status).toBe(403);
  });

  it('takes an order on the altnet to COMPLETED: gateway ids and headers out, Supplier Updates in order, the same KCI envelope as BB1', async () => {
    const created = await stack.call('post', '/v1/service-orders', fibreOrder(), {
      headers: { 'X-Conversation-ID': 'conv-fibre-1' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    await waitUntil(() => fibreco.calls('POST', '/service-orders').length > 0, 'the altnet to receive the order');
    const sent = fibreco.calls('POST', '/service-orders')[0]!;
    expect(sent.headers).toMatchObject({ tenant: 'TENANT1', 'x-conversation-id': 'conv-fibre-1' });
    expect(sent.body).toMatchObject({
      id,
      tenant: 'TENANT1',
      orderType: 'NEW',
      serviceOrderItem: {
        serviceCharacteristics: [
          { name: 'LINE_PROFILE', value: '900-100' },
          { name: 'MINIMUM_TERM_MONTHS', value: '12' },
        ],
      },
      primaryContact: CONTACT,
    });
    expect(sent.body).not.toHaveProperty('supplier');

    const push = (u: unknown) => fibreco.push(stack.baseUrl, u);
    const ack = update(
      id,
      'TENANT1',
      'ACKNOWLEDGED',
      { text: 'Order received' },
      { supplierOrderReference: 'FC123', status: 'ACKNOWLEDGED' },
    );
    expect((await push(ack)).status).toBe(204);
    expect((await push(ack)).status).toBe(204); // a repeat changes nothing
    const committed = '2026-12-09T23:59:59.000Z';
    expect(
      (
        await push(
          update(
            id,
            'TENANT1',
            'COMMITTED',
            {},
            { supplierOrderReference: 'FC123', committedDate: committed, targetDate: committed },
          ),
        )
      ).status,
    ).toBe(204);
    expect(
      (
        await push(
          update(
            id,
            'TENANT1',
            'COMPLETED',
            {
              supplierCodes: ['LIVE-1'],
              supplierNotes: [{ note: 'ONT fitted', type: 'Engineer Note', created: '2026-12-09T12:00:00Z' }],
            },
            {
              supplierOrderReference: 'FC123',
              serviceId: 'FCSVC-123',
              serviceOrderItem: {
                serviceCharacteristics: [
                  { name: 'ONT_REFERENCE', value: 'ONT-9' },
                  { name: 'LINE_PROFILE', value: '900-100' },
                ],
              },
            },
          ),
        )
      ).status,
    ).toBe(204);

    await sink.waitFor(() =>
      kcisOf('FIBRECO', id).some((k) => (k.information as { type?: string })?.type === 'COMPLETED'),
    );
    const kcis = kcisOf('FIBRECO', id);
    expect(kcis.map((k) => k.sequenceNumber)).toEqual([1, 2, 3, 4]);
    expect(kcis.map((k) => (k.information as { type: string }).type)).toEqual([
      'UPDATE',
      'ACKNOWLEDGED',
      'COMMITTED',
      'COMPLETED',
    ]);
    expect(kcis[1]!.information).toMatchObject({ text: 'Order received' });
    const last = kcis[3]!;
    expect(last).toMatchObject({ supplier: 'FIBRECO', entityType: 'PROVIDE_ORDER', updateType: 'INFORMATIONAL' });
    expect(last.information).toMatchObject({ supplierCodes: ['LIVE-1'] });
    expect(last.supplierNotes).toEqual([
      { note: 'ONT fitted', type: 'Engineer Note', created: '2026-12-09T12:00:00Z' },
    ]);
    // The supplier's characteristics in the tenant's words.
    const chars = (last.entity as { serviceOrderItem: { serviceCharacteristics: { name: string; value: string }[] } })
      .serviceOrderItem.serviceCharacteristics;
    expect(chars).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'ONT_REFERENCE', value: 'ONT-9' }),
        expect.objectContaining({ name: 'LINE_PROFILE', value: 'FIBRECO_900' }),
      ]),
    );
    expect(chars.some((c) => c.value === '900-100')).toBe(false);
    expect(last.entity).toMatchObject({
      status: 'COMPLETED',
      supplierOrderNumber: 'FC123',
      serviceId: 'FCSVC-123',
      committedDate: committed,
    });
    expect(sink.received.find((k) => k.body.id === last.id)!.headers['x-conversation-id']).toBe('conv-fibre-1');

    // The envelope is BB1's: a BB1 order through the sandbox gives KCIs with the same fields.
    const bb1 = await stack.call('post', '/v1/service-orders', provideBody());
    expect(bb1.status).toBe(201);
    await sink.waitFor(() => kcisOf('BTWHOLESALEBB1', bb1.body.id).length >= 2);
    const bb1Kci = kcisOf('BTWHOLESALEBB1', bb1.body.id)[1]!;
    expect(Object.keys(kcis[1]!).sort()).toEqual(Object.keys(bb1Kci).sort());

    const got = await stack.call('get', `/v1/service-orders/${id}`);
    expect(got.body).toMatchObject({ status: 'COMPLETED', supplier: 'FIBRECO' });
    expect(got.body.updates).toHaveLength(4);
  });

  it('refuses bad Supplier Update bodies naming the field (400 shape, 422 reasonCode rule), and takes the corrected one', async () => {
    const created = await stack.call('post', '/v1/service-orders', fibreOrder());
    const id = created.body.id as number;
    const notJson = await fibreco.push(stack.baseUrl, undefined, '{not json');
    expect(notJson).toMatchObject({ status: 400, body: { code: 'MALFORMED_REQUEST' } });
    const { reasonCode: _r, ...noReason } = update(id, 'TENANT1', 'UPDATE');
    const missing = await fibreco.push(stack.baseUrl, noReason);
    expect(missing.status).toBe(400);
    expect(missing.body?.messages?.[0]).toMatch(/^body\.reasonCode: /);
    const delay = update(id, 'TENANT1', 'DELAY', { text: 'ONT fault' });
    const rule = await fibreco.push(stack.baseUrl, delay);
    expect(rule.status).toBe(422);
    expect(rule.body?.messages?.[0]).toMatch(/^body\.problemCode: required for DELAY/);
    const noOrder = await fibreco.push(stack.baseUrl, {
      ...delay,
      problemCode: 'FAULT_AT_ONT',
      provideServiceOrder: {},
    });
    expect(noOrder.status).toBe(400);
    expect(noOrder.body?.messages?.[0]).toContain('body.provideServiceOrder: the order must be identified');
    // The same id, corrected, is taken (the refused one was kept without it).
    expect((await fibreco.push(stack.baseUrl, { ...delay, problemCode: 'FAULT_AT_ONT' })).status).toBe(204);
    await sink.waitFor(() => kcisOf('FIBRECO', id).some((k) => (k.information as { type?: string })?.type === 'DELAY'));
    const kci = kcisOf('FIBRECO', id).find((k) => (k.information as { type?: string })?.type === 'DELAY')!;
    expect(kci.information).toMatchObject({ problemCode: 'FAULT_AT_ONT', text: 'ONT fault' });
  });

  it("passes the altnet's 422 on as a rejected order, takes a 201 as its acknowledgement, and sends a cancellation with the gateway's ids", async () => {
    fibreco.state.orderAnswer = () => ({
      status: 422,
      body: { uuid: 'x', code: 'INVALID_REQUEST', messages: ['UPRN 10091846447 is not within our coverage area'] },
    });
    try {
      const created = await stack.call('post', '/v1/service-orders', fibreOrder());
      const id = created.body.id as number;
      await sink.waitFor(() => kcisOf('FIBRECO', id).length > 0);
      expect(kcisOf('FIBRECO', id)[0]).toMatchObject({
        updateType: 'ACTION_REQUIRED',
        actionRequired: { type: 'RESUBMIT', text: expect.stringContaining('not within our coverage area') },
        entity: { status: 'REJECTED' },
      });
    } finally {
      fibreco.state.orderAnswer = () => ({
        status: 201,
        body: { supplierOrderReference: 'FC777', status: 'ACKNOWLEDGED' },
      });
    }
    // A 201 acknowledges the order at once: the tenant hears of it as if the altnet had posted ACKNOWLEDGED.
    const created = await stack.call('post', '/v1/service-orders', fibreOrder());
    const id = created.body.id as number;
    await sink.waitFor(() => kcisOf('FIBRECO', id).length >= 2);
    expect(kcisOf('FIBRECO', id).map((k) => (k.information as { type: string }).type)).toEqual([
      'UPDATE',
      'ACKNOWLEDGED',
    ]);
    expect(kcisOf('FIBRECO', id)[1]!.entity).toMatchObject({ status: 'ACKNOWLEDGED', supplierOrderNumber: 'FC777' });
    const cancel = await stack.call('post', '/v1/service-order-cancellations', {
      orderId: id,
      reasonCode: 'CUSTOMER_CHANGED_MIND',
    });
    expect(cancel.status).toBe(201);
    await waitUntil(
      () => fibreco.calls('POST', '/service-order-cancellations').length > 0,
      'the cancellation to be sent',
    );
    expect(fibreco.calls('POST', '/service-order-cancellations')[0]!.body).toEqual({
      id: cancel.body.id,
      orderId: id,
      reasonCode: 'CUSTOMER_CHANGED_MIND',
      supplierOrderReference: 'FC777',
    });
    // Its 201 says the order is cancelled: the tenant hears so as from a CANCELLED update.
    await sink.waitFor(() =>
      kcisOf('FIBRECO', id).some((k) => (k.information as { type?: string })?.type === 'CANCELLED'),
    );
    const cancelled = kcisOf('FIBRECO', id).find((k) => (k.information as { type?: string })?.type === 'CANCELLED')!;
    expect(cancelled.information).toMatchObject({ problemCode: 'CUSTOMER_CHANGED_MIND' });
    expect(cancelled.entity).toMatchObject({
      status: 'CANCELLED',
      serviceOrderCancellation: { id: cancel.body.id, status: 'COMPLETED' },
    });
  });

  it('sends an amendment with the gateway ids, and an AMENDED update naming it settles it', async () => {
    fibreco.state.orderAnswer = () => ({ status: 202, body: undefined });
    const created = await stack.call('post', '/v1/service-orders', fibreOrder());
    const id = created.body.id as number;
    await waitUntil(
      () => fibreco.calls('POST', '/service-orders').some((c) => (c.body as { id: number }).id === id),
      'the order to be sent',
    );
    const push = (u: unknown) => fibreco.push(stack.baseUrl, u);
    expect((await push(update(id, 'TENANT1', 'ACKNOWLEDGED', {}, { supplierOrderReference: 'FC888' }))).status).toBe(
      204,
    );
    await sink.waitFor(() => kcisOf('FIBRECO', id).length >= 2);
    const amend = await stack.call('post', '/v1/service-order-amendments', {
      orderId: id,
      serviceCharacteristics: [{ name: 'LINE_PROFILE', value: 'FIBRECO_150' }],
    });
    expect(amend.status).toBe(201);
    await waitUntil(() => fibreco.calls('POST', '/service-order-amendments').length > 0, 'the amendment to be sent');
    expect(fibreco.calls('POST', '/service-order-amendments')[0]!.body).toEqual({
      id: amend.body.id,
      orderId: id,
      supplierOrderReference: 'FC888',
      serviceCharacteristics: [{ name: 'LINE_PROFILE', value: '150-30' }],
    });
    const naming = await push(update(id, 'TENANT1', 'AMENDED', {}, { supplierOrderReference: 'FC888' }));
    expect(naming.status).toBe(422);
    expect(naming.body?.messages?.[0]).toContain('body.provideServiceOrder.serviceOrderAmendmentId');
    expect(
      (
        await push(
          update(
            id,
            'TENANT1',
            'AMENDED',
            {},
            { supplierOrderReference: 'FC888', serviceOrderAmendmentId: amend.body.id },
          ),
        )
      ).status,
    ).toBe(204);
    await sink.waitFor(() =>
      kcisOf('FIBRECO', id).some((k) => (k.information as { type?: string })?.type === 'AMENDED'),
    );
    const amended = kcisOf('FIBRECO', id).find((k) => (k.information as { type?: string })?.type === 'AMENDED')!;
    expect(amended.entity).toMatchObject({
      status: 'ACKNOWLEDGED',
      serviceOrderAmendment: { id: amend.body.id, status: 'COMPLETED' },
    });
  });

  it('routes address search to the named supplier, with the tenant’s conversation id', async () => {
    const r = await stack.call('get', '/v1/addresses', undefined, {
      query: { postalCode: 'LS1 1AA', supplier: 'FIBRECO' },
      headers: { 'X-Conversation-ID': 'conv-address-1' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      { identifier: { id: '200004033694', type: 'UPRN' }, name: 'THE FIBRE HOUSE', postcode: 'LS1 1AA', country: 'UK' },
    ]);
    const call = fibreco.calls('GET', '/addresses').at(-1)!;
    expect(call.query).toEqual({ postalCode: 'LS1 1AA' });
    expect(call.headers).toMatchObject({ tenant: 'TENANT1', 'x-conversation-id': 'conv-address-1' });
    // Two suppliers: a search that names none is refused, naming them.
    const none = await stack.call('get', '/v1/addresses', undefined, { query: { postalCode: 'LS1 1AA' } });
    expect(none.status).toBe(400);
    expect(none.body.messages).toEqual(['supplier: required; this tenant may use BTWHOLESALEBB1, FIBRECO']);
  });

  it('routes appointments to the named altnet and reserves with the gateway id', async () => {
    const slots = await stack.call('get', '/v1/available-appointments', undefined, {
      query: {
        supplier: 'FIBRECO',
        address: ADDRESS,
        serviceSpecification: { id: 'FTTP' },
        appointmentFromDate: '2026-12-10',
      },
    });
    expect(slots.status).toBe(200);
    expect(slots.body.availableTimeslots[0]).toMatchObject({ classification: 'WEEKDAY_AM', standard: true });
    const r = await stack.call('post', '/v1/appointments', {
      supplier: 'FIBRECO',
      address: ADDRESS,
      serviceSpecification: { id: 'FTTP' },
      timeslot: slots.body.availableTimeslots[0],
    });
    expect(r.status).toBe(201);
    expect(r.body.supplierReference).toMatch(/^APT-/);
    expect(fibreco.calls('POST', '/appointments').at(-1)!.body).toMatchObject({ id: r.body.id, purpose: 'PROVIDE' });
  });
});

describe('the tenants file: configured suppliers', () => {
  const base = `
tenants:
  - id: T
    clients: [{ clientId: t-app, clientSecret: t-secret-value }]
    kci: { url: http://127.0.0.1:9/kcis }
    suppliers: { ALTNET: {} }
`;
  it('lists every problem of a supplier entry with its line, and an unknown supplier named by a tenant', () => {
    const bad = `suppliers:
  - id: ALTNET
    kind: fibrecafe-supplier-api
    baseUrl: not a url
    updatesClient: { clientId: u, clientSecret: short }
  - id: OTHER
    kind: carrier-pigeon
${base}`;
    try {
      parseTenants(bad, 't.yaml', {});
      throw new Error('should not parse');
    } catch (e) {
      expect(e).toBeInstanceOf(TenantsFileError);
      const problems = (e as TenantsFileError).problems.join('\n');
      expect(problems).toContain('line 4, suppliers.0.baseUrl');
      expect(problems).toContain('suppliers.0.updatesClient.clientSecret');
      expect(problems).toContain('suppliers.1.kind: unknown kind; known: fibrecafe-supplier-api');
      expect(problems).toContain('tenants.0.suppliers.ALTNET: unknown supplier');
    }
  });
  it('substitutes ${VAR} and makes the supplier known to its tenants, with its supplier-wide updates client', () => {
    const dir = parseTenants(
      `suppliers:
  - id: ALTNET
    kind: fibrecafe-supplier-api
    baseUrl: http://127.0.0.1:9300/v1
    updatesClient: { clientId: altnet-updates, clientSecret: \${ALTNET_SECRET} }
${base}`,
      't.yaml',
      { ALTNET_SECRET: 'altnet-updates-secret' },
    );
    expect(dir.configuredSuppliers.map((m) => m.id)).toEqual(['ALTNET']);
    expect(dir.get('T')!.accounts).toEqual({ ALTNET: {} });
    expect(dir.byInboundClientId('altnet-updates')).toMatchObject({ supplierId: 'ALTNET', tenant: undefined });
  });
});

describe.each(ENGINES)('Supplier Updates arriving together (%s)', (engine) => {
  let altnet: Awaited<ReturnType<typeof startAltnetStub>>;
  let stack: Stack;
  beforeAll(async () => {
    altnet = await startAltnetStub({
      supplierId: 'ALTNET',
      basePath: '/v1',
      gateway: GATEWAY,
      updatesClient: FIBRECO_UPDATES,
    });
    // No workers: the test runs the dispatcher and the applier itself, so updates posted out of order are
    // stored before any is applied (no timing involved).
    stack = await startStack({
      engine,
      kciUrl: 'http://127.0.0.1:9/kcis',
      workers: false,
      tenantsYaml: (kciUrl) => `
suppliers:
  - id: ALTNET
    kind: fibrecafe-supplier-api
    baseUrl: ${altnet.baseUrl}
    auth: { type: oauth2, tokenUrl: ${altnet.tokenUrl}, clientId: gw, clientSecret: ${GATEWAY.clientSecret} }
    updatesClient: { clientId: ${FIBRECO_UPDATES.clientId}, clientSecret: ${FIBRECO_UPDATES.clientSecret} }
tenants:
  - id: TENANT1
    clients: [{ clientId: tenant1-app, clientSecret: ${T1_SECRET} }]
    kci: { url: ${kciUrl}, auth: { type: none } }
    suppliers: { ALTNET: {} }
`,
    });
  });
  afterAll(async () => {
    await stack.stop();
    await altnet.stop();
  });

  it('applies an order’s updates in sequenceNumber order, whatever order they were received in', async () => {
    const created = await stack.call('post', '/v1/service-orders', {
      orderType: 'NEW',
      supplier: 'ALTNET',
      address: ADDRESS,
      serviceOrderItem: {
        serviceSpecification: { id: 'FTTP' },
        serviceCharacteristics: [{ name: 'LINE_PROFILE', value: '500-50' }],
      },
      primaryContact: CONTACT,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    await stack.service.dispatcher.run();
    expect(altnet.calls('POST', '/service-orders')).toHaveLength(1);
    const order = { id, tenant: 'TENANT1', supplierOrderReference: 'AN-1' };
    const at = (s: number) => `2026-12-01T10:00:0${s}Z`;
    const committed = '2026-12-20T23:59:59.000Z';
    const bodies = [
      { id: 'c', sequenceNumber: 3, issuedOn: at(3), reasonCode: 'COMPLETED', provideServiceOrder: order },
      { id: 'a', sequenceNumber: 1, issuedOn: at(1), reasonCode: 'ACKNOWLEDGED', provideServiceOrder: order },
      {
        id: 'b',
        sequenceNumber: 2,
        issuedOn: at(2),
        reasonCode: 'COMMITTED',
        provideServiceOrder: { ...order, committedDate: committed },
      },
    ];
    for (const b of bodies) expect((await altnet.push(stack.baseUrl, b)).status).toBe(204);
    await stack.service.ksus.run();
    const got = await stack.call('get', `/v1/service-orders/${id}`);
    expect(got.body.updates.map((u: { information: { type: string } }) => u.information.type)).toEqual([
      'UPDATE',
      'ACKNOWLEDGED',
      'COMMITTED',
      'COMPLETED',
    ]);
    expect(got.body).toMatchObject({ status: 'COMPLETED', committedDate: committed, supplierOrderNumber: 'AN-1' });
  });
});
