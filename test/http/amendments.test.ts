import { ENGINES } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { startBb1Stub } from '../helpers/bb1-stub.js';
import { startStack, provideBody, CONTACT, type Stack } from '../helpers/stack.js';
import { waitUntil } from '../helpers/wait.js';
import { BB1_PATHS } from '../../src/suppliers/bb1/client.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const SECOND = { name: 'Ravi Shah', email: 'ravi.shah@abc.com', phoneNumber: '07700900077' };

/**
 * Amendments and cancellations over HTTP against a BB1 stub that records what it is sent: nothing the tenant
 * sends is dropped on the way to BB1, what BB1 cannot do is refused naming the field, and the references the
 * tenant is given are BB1's.
 */
describe.each(ENGINES)('amendments and cancellations reach BB1 whole (%s)', (engine) => {
  let stack: Stack;
  let stub: Awaited<ReturnType<typeof startBb1Stub>>;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let n = 0;

  beforeAll(async () => {
    stub = await startBb1Stub();
    stub.on('POST', BB1_PATHS.reserve, (req, res) =>
      res.status(201).json({ id: 'A1', BESAppointmentId: `A${(n += 1)}FR`, validFor: req.body.validFor }),
    );
    stub.on('POST', BB1_PATHS.order, (_req, res) =>
      res.status(202).json({ id: `0077${engine === 'pglite' ? 1 : 2}${String((n += 1)).padStart(3, '0')}` }),
    );
    stub.on('PATCH', '*', (req, res) => res.status(202).json({ id: req.path.split('/').pop() }));
    stub.on('POST', BB1_PATHS.cancel, (_req, res) =>
      res.status(201).json({ id: `CNL-${engine}-${(n += 1)}`, state: 'acknowledged' }),
    );
    sink = await startKciSink();
    stack = await startStack({ engine, kciUrl: sink.url, bb1: stub.url });
  });
  afterAll(async () => {
    await stack.stop();
    await stub.close();
    await sink.close();
  });

  const get = async (id: number) => (await stack.call('get', `/v1/service-orders/${id}`)).body as Json;
  const post = async (body: unknown) =>
    stack.http
      .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
      .set('Authorization', `Bearer ${await stack.supplierToken()}`)
      .send(body as object);
  const ksu = (bb1Id: string, externalId: string, eventType: string, extra: Json = {}, items: Json[] = []) => ({
    event: {
      productOrder: {
        externalId,
        id: bb1Id,
        relatedParty: [{ role: 'BtCug', id: 'CUG5009999999' }],
        productOrderItem: [
          {
            id: '100',
            internalId: '0000000100',
            action: 'add',
            ...(eventType === 'ProductOrderCreateEvent' ? {} : { state: 'inProgress', subStatus: 'inProgress' }),
            product: { productOffering: { id: 'E0000160' }, id: 'asset-root' },
            productOrderItem: [
              {
                id: '100.3',
                internalId: '0000000103',
                action: 'add',
                product: { productOffering: { id: 'E0000153' }, id: 'asset-install' },
              },
              ...items,
            ],
          },
        ],
        ...extra,
      },
    },
    eventType,
    eventTime: new Date().toISOString(),
    eventId: `${engine}-${bb1Id}-${eventType}-${(n += 1)}`,
  });

  /** An appointed FTTP order BB1 has created (its items' internalIds known), as an amendment finds it. */
  async function acknowledgedOrder() {
    const from = new Date(Date.now() + 3 * 86400000).toISOString().slice(0, 10);
    const r = await stack.call('post', '/v1/appointments', {
      supplier: 'BTWHOLESALEBB1',
      address: provideBody().address,
      serviceSpecification: { id: 'FTTP' },
      purpose: 'PROVIDE',
      timeslot: { timeslotStartDateTime: `${from}T08:00:00Z`, timeslotEndDateTime: `${from}T13:00:00Z` },
    });
    expect(r.status).toBe(201);
    const o = await stack.call(
      'post',
      '/v1/service-orders',
      provideBody({ appointmentReservationId: r.body.id, hazards: 'Dog on site', notes: 'Side door' }),
    );
    expect(o.status).toBe(201);
    let order: Json = {};
    await waitUntil(async () => Boolean((order = await get(o.body.id)).supplierOrderNumber), 'the order to be sent');
    const row = await stack.db.db
      .selectFrom('orders')
      .select('external_id')
      .where('tenant_id', '=', 'TENANT1')
      .where('id', '=', o.body.id)
      .executeTakeFirstOrThrow();
    expect((await post(ksu(order.supplierOrderNumber, row.external_id, 'ProductOrderCreateEvent'))).status).toBe(202);
    await waitUntil(async () => (await get(o.body.id)).status === 'ACKNOWLEDGED', 'the create event to be applied');
    return { id: o.body.id as number, bb1Id: order.supplierOrderNumber as string, externalId: row.external_id };
  }
  const amend = (body: Json) => stack.call('post', '/v1/service-order-amendments', body);
  const patchesOf = (bb1Id: string) =>
    stub.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/${bb1Id}`)).map((c) => c.body as Json);

  it('notes, hazards, restrictions, engineer tasks and both contacts in one amendment all reach BB1', async () => {
    const o = await acknowledgedOrder();
    const r = await amend({
      orderId: o.id,
      notes: 'Use the side gate',
      hazards: 'Asbestos in the loft',
      onSiteRestrictions: 'Parking permit needed',
      engineerTasks: ['INSTALL_ROUTER'],
      primaryContact: CONTACT,
      secondaryContact: SECOND,
    });
    expect(r.status).toBe(201);
    await waitUntil(() => patchesOf(o.bb1Id).length === 1, 'the PATCH to reach BB1');
    const [patch] = patchesOf(o.bb1Id);
    const root = patch!.productOrderItem[0];
    expect(root.internalId).toBe('0000000100');
    expect(root.note).toEqual([
      { text: 'Use the side gate; Parking permit needed; INSTALL_ROUTER', type: 'Engineering', '@type': 'BTNote' },
      { text: 'Asbestos in the loft', type: 'HazardNote', '@type': 'BTNote' },
    ]);
    expect(root.product.relatedParty[0]).toMatchObject({
      role: 'PrimarySiteContact',
      givenName: 'Saipriya',
      familyName: 'Reddy',
    });
    expect(patch!.relatedParty.map((p: Json) => p.role)).toEqual([
      'BtCug',
      'PrimaryOrderContact',
      'SecondaryOrderContact',
    ]);
    expect(patch!.relatedParty[2].contactMedium[0].characteristic.emailAddress).toBe(SECOND.email);
  });

  it('what BB1 cannot do is a 400 naming the field: removing a note with an empty value, a characteristic it cannot amend', async () => {
    const o = await acknowledgedOrder();
    const empty = await amend({ orderId: o.id, notes: 'Gate code 1234', hazards: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.messages).toEqual([
      expect.stringMatching(/^hazards: an empty value would remove it, but BTWHOLESALEBB1 only adds notes/),
    ]);
    const tasks = await amend({ orderId: o.id, engineerTasks: [] });
    expect(tasks.status).toBe(400);
    expect(tasks.body.messages[0]).toMatch(/^engineerTasks: an empty value would remove it/);
    const profile = await amend({ orderId: o.id, serviceCharacteristics: [{ name: 'LINE_PROFILE', value: '123' }] });
    expect(profile.status).toBe(400);
    expect(profile.body.messages).toEqual([
      'serviceCharacteristics LINE_PROFILE: cannot be amended on BTWHOLESALEBB1; allowed: ECC_CHARGEBAND, TRC_CHARGEBAND',
    ]);
    expect(patchesOf(o.bb1Id)).toEqual([]);
    expect((await get(o.id)).status).toBe('ACKNOWLEDGED'); // nothing was taken
  });

  it("the references are BB1's: the order it revised for an amendment, its cancel task's id for a cancellation", async () => {
    const o = await acknowledgedOrder();
    const a = await amend({ orderId: o.id, notes: 'Call before arriving' });
    expect(a.status).toBe(201);
    expect(a.body.supplierReference).toBeUndefined();
    await waitUntil(
      async () => (await get(o.id)).serviceOrderAmendment?.status === 'PENDING',
      'the amendment to be sent',
    );
    expect((await get(o.id)).serviceOrderAmendment.supplierReference).toBe(o.bb1Id);
    const c = await stack.call('post', '/v1/service-order-cancellations', {
      orderId: o.id,
      reasonCode: 'CUSTOMER_CHANGED_MIND',
    });
    expect(c.status).toBe(201);
    await waitUntil(
      async () => (await get(o.id)).serviceOrderCancellation?.status === 'PENDING',
      'the cancellation to be sent',
    );
    expect((await get(o.id)).serviceOrderCancellation.supplierReference).toMatch(new RegExp(`^CNL-${engine}-\\d+$`));
  });

  it('an amendment BB1 actioned (540) is applied to the order: the fields sent replace the old ones', async () => {
    const o = await acknowledgedOrder();
    const a = await amend({
      orderId: o.id,
      hazards: 'Asbestos in the loft',
      secondaryContact: SECOND,
      serviceCharacteristics: [{ name: 'ECC_CHARGEBAND', value: '4' }],
    });
    expect(a.status).toBe(201);
    await waitUntil(() => patchesOf(o.bb1Id).length === 1, 'the PATCH to reach BB1');
    const install = patchesOf(o.bb1Id)[0]!.productOrderItem[0].productOrderItem[0];
    expect(install).toMatchObject({ id: '100.3', internalId: '0000000103' });
    expect(install.product.productCharacteristic).toEqual([{ name: 'ATT_RT_ECCChargeband', value: '4' }]);
    const actioned = ksu(o.bb1Id, o.externalId, 'ProductOrderStateChangeEvent', {
      errorMessage: [{ subCode: '540', message: 'Informational : 540 : Your amend request has been actioned' }],
    });
    expect((await post(actioned)).status).toBe(202);
    await sink.waitFor(() =>
      sink.received.some(
        (k) => (k.body.entity as Json).id === o.id && (k.body.information as Json)?.type === 'AMENDED',
      ),
    );
    const kci = sink.received.find(
      (k) => (k.body.entity as Json).id === o.id && (k.body.information as Json)?.type === 'AMENDED',
    )!;
    const entity = kci.body.entity as Json;
    expect(entity).toMatchObject({
      status: 'ACKNOWLEDGED',
      hazards: 'Asbestos in the loft',
      notes: 'Side door',
      secondaryContact: SECOND,
      serviceOrderAmendment: { id: a.body.id, status: 'COMPLETED', supplierReference: o.bb1Id },
    });
    expect(entity.serviceOrderItem.serviceCharacteristics).toContainEqual({ name: 'ECC_CHARGEBAND', value: '4' });
  });
});
