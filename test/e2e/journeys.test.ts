import axios from 'axios';
import { ENGINES } from '../helpers/db.js';
import { startKciSink, type ReceivedKci } from '../helpers/sink.js';
import { startStack, ADDRESS, CONTACT, type Stack } from '../helpers/stack.js';
import { expectValidKci } from '../helpers/spec.js';

type Kci = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const kind = (k: Kci) =>
  `${k.updateType === 'ACTION_REQUIRED' ? 'ACTION:' : ''}${(k.information ?? k.actionRequired ?? {}).type ?? k.error?.code}`;

/** Connector + BB1 sandbox + a tenant sink, all over real HTTP: every journey and scenario of the sandbox. */
describe.each(ENGINES)('end to end with the BB1 sandbox (%s)', (engine) => {
  let stack: Stack;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let conv = 0;

  beforeAll(async () => {
    sink = await startKciSink();
    stack = await startStack({ engine, kciUrl: sink.url, bb1: 'sandbox', sandboxPaceMs: 15 });
  });
  afterAll(async () => {
    await stack.stop();
    await sink.close();
  });

  const kcisOf = (o: { id: number; conversation: string }): Kci[] =>
    sink.received
      .filter(
        (k: ReceivedKci) => k.headers['x-conversation-id'] === o.conversation && (k.body.entity as Kci).id === o.id,
      )
      .map((k) => k.body);
  const until = (o: { id: number; conversation: string }, pred: (ks: Kci[]) => boolean) =>
    sink.waitFor(() => pred(kcisOf(o)), 20000);
  const hasKind = (t: string) => (ks: Kci[]) => ks.some((k) => kind(k) === t);

  async function reserve(spec = 'FTTP', svr?: string) {
    const from = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
    const slots = await stack.call('get', '/v1/available-appointments', undefined, {
      query: {
        supplier: 'BTWHOLESALEBB1',
        address: ADDRESS,
        serviceSpecification: { id: spec },
        appointmentFromDate: from,
        ...(svr ? { serviceCharacteristics: [{ name: 'SITE_VISIT_REASON', value: svr }] } : {}),
      },
    });
    expect(slots.status).toBe(200);
    expect(slots.body.availableTimeslots[0].classification).toMatch(/^(WEEKDAY|SATURDAY|SUNDAY)_(AM|PM)$/);
    const r = await stack.call('post', '/v1/appointments', {
      supplier: 'BTWHOLESALEBB1',
      address: ADDRESS,
      serviceSpecification: { id: spec },
      purpose: 'PROVIDE',
      timeslot: slots.body.availableTimeslots[0],
      ...(svr ? { serviceCharacteristics: [{ name: 'SITE_VISIT_REASON', value: svr }] } : {}),
    });
    expect(r.status).toBe(201);
    return r.body as { id: number; supplierReference: string; timeslot: { timeslotStartDateTime: string } };
  }

  async function order(body: Record<string, unknown>) {
    const conversation = `e2e-${engine}-${++conv}`;
    const r = await stack.call('post', '/v1/service-orders', body, { headers: { 'X-Conversation-ID': conversation } });
    if (r.status !== 201) throw new Error(`order refused: ${JSON.stringify(r.body)}`);
    return { id: r.body.id as number, conversation };
  }
  const provide = (
    spec: string,
    lineProfile: string,
    extra: Record<string, unknown> = {},
    chars: { name: string; value: string }[] = [],
  ) =>
    order({
      orderType: 'NEW',
      supplier: 'BTWHOLESALEBB1',
      address: ADDRESS,
      primaryContact: CONTACT,
      serviceOrderItem: {
        serviceSpecification: { id: spec },
        serviceCharacteristics: [
          { name: 'LINE_PROFILE', value: lineProfile },
          { name: 'END_USER_TYPE', value: 'Residential' },
          { name: 'CONTRACT_TERM', value: '12' },
          ...chars,
        ],
      },
      ...extra,
    });
  const get = async (o: { id: number }) => (await stack.call('get', `/v1/service-orders/${o.id}`)).body;
  const charsOf = (entity: Kci) =>
    Object.fromEntries(
      (
        (entity.serviceOrderItem?.serviceCharacteristics ?? entity.serviceCharacteristics) as {
          name: string;
          value: string;
          action?: string;
        }[]
      )
        .filter((c) => !c.action)
        .map((c) => [c.name, c.value]),
    );

  it('availability and address search come from the sandbox', async () => {
    const a = await stack.call('get', '/v1/service-availability', undefined, { query: { address: ADDRESS } });
    expect(a.body[0].serviceSpecifications.map((s: Kci) => s.id)).toEqual(['FTTP', 'SOGEA']);
    const addr = await stack.call('get', '/v1/addresses', undefined, { query: { postalCode: 'LS1 4AP' } });
    expect(addr.body[0].identifier).toMatchObject({ id: 'A15104646284', type: 'NAD' });
    expect(addr.body[0].identifier.additionalIdentifiers.map((i: Kci) => i.type)).toEqual([
      'DistrictCode',
      'ROBT',
      'UPRN',
    ]);
  });

  it('FTTP provide with a managed install: UPDATE, ACKNOWLEDGED, 510, COMMITTED, COMPLETED with asset ids', async () => {
    const slot = await reserve('FTTP', 'Premium');
    const o = await provide('FTTP', '122', { appointmentReservationId: slot.id }, [
      { name: 'SITE_VISIT_REASON', value: 'Premium' },
    ]);
    await until(o, hasKind('COMPLETED'));
    const ks = kcisOf(o);
    expect(ks.map(kind)).toEqual(['UPDATE', 'ACKNOWLEDGED', 'UPDATE', 'COMMITTED', 'COMPLETED']);
    ks.forEach(expectValidKci);
    const done = ks[4]!.entity;
    expect(done).toMatchObject({
      status: 'COMPLETED',
      appointmentSupplierReference: slot.supplierReference,
      supplierOrderNumber: expect.stringMatching(/^\d{8}$/),
      committedDate: expect.any(String),
    });
    expect(Object.keys(charsOf(done))).toEqual(
      expect.arrayContaining([
        'SERVICE_ID',
        'SERVICE_ASSET_ID',
        'CARE_LEVEL_ASSET_ID',
        'DYNAMIC_IP_ASSET_ID',
        'ONT_REFERENCE',
        'ONT_PORT',
      ]),
    );
    const sent = stack.sandbox!.orders.get(done.supplierOrderNumber)!;
    expect(sent.items.map((i) => i.ecode)).toEqual(['E0000160', 'E0000028', 'E0000703', 'E0000152']);
  });

  it('SOGEA provide without an appointment (self install), static IPs', async () => {
    const o = await provide('SOGEA', '113', {}, [{ name: 'STATIC_IP_REQUESTED', value: '2' }]);
    await until(o, hasKind('COMPLETED'));
    expect(kcisOf(o).map(kind)).toEqual(['UPDATE', 'ACKNOWLEDGED', 'UPDATE', 'COMMITTED', 'COMPLETED']);
    const sent = stack.sandbox!.orders.get(kcisOf(o)[4]!.entity.supplierOrderNumber)!;
    expect(sent.items.map((i) => i.ecode)).toEqual(['E0000432', 'E0000154', 'E0000701']);
    expect(sent.appointment).toBeUndefined();
  });

  it('modify care level and regrade, then cease, using the asset ids the KCIs returned', async () => {
    const p = await provide('FTTP', '122');
    await until(p, hasKind('COMPLETED'));
    const assets = charsOf(kcisOf(p).at(-1)!.entity);
    const care = await order({
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: assets.SERVICE_ID,
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: '122', action: 'NONE' },
        { name: 'SERVICE_ASSET_ID', value: assets.SERVICE_ASSET_ID, action: 'NONE' },
        { name: 'CARE_LEVEL_ASSET_ID', value: assets.CARE_LEVEL_ASSET_ID, action: 'DELETE' },
        { name: 'CARE_LEVEL', value: 'Standard', action: 'DELETE' },
        { name: 'CARE_LEVEL', value: 'Prompt', action: 'ADD' },
      ],
    });
    await until(care, hasKind('COMPLETED'));
    const careDone = kcisOf(care).at(-1)!;
    expect(careDone.entityType).toBe('MODIFY_ORDER');
    const newCare = charsOf(careDone.entity).CARE_LEVEL_ASSET_ID;
    expect(newCare).toBeDefined();
    expect(newCare).not.toBe(assets.CARE_LEVEL_ASSET_ID);
    const regrade = await order({
      orderType: 'MODIFY',
      supplier: 'BTWHOLESALEBB1',
      serviceId: assets.SERVICE_ID,
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: '122', action: 'DELETE' },
        { name: 'LINE_PROFILE', value: '123', action: 'ADD' },
        { name: 'SERVICE_ASSET_ID', value: assets.SERVICE_ASSET_ID, action: 'NONE' },
      ],
    });
    await until(regrade, hasKind('COMPLETED'));
    expect(stack.sandbox!.orders.get(kcisOf(regrade).at(-1)!.entity.supplierOrderNumber)!.items[0]).toMatchObject({
      ecode: 'E0000174',
      action: 'modify',
    });
    const cease = await order({
      orderType: 'CEASE',
      supplier: 'BTWHOLESALEBB1',
      serviceId: assets.SERVICE_ID,
      ceaseReason: 'NO_LONGER_REQUIRED',
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: '123', action: 'NONE' },
        { name: 'SERVICE_ASSET_ID', value: assets.SERVICE_ASSET_ID, action: 'NONE' },
      ],
    });
    await until(cease, hasKind('COMPLETED'));
    expect(kcisOf(cease).map(kind)).toEqual(['UPDATE', 'ACKNOWLEDGED', 'COMPLETED']);
    expect(kcisOf(cease)[2]!.entityType).toBe('CEASE_ORDER');
  });

  it('missed appointment → REAPPOINT, then an amendment with a new slot → AMENDED (back IN_PROGRESS) → COMPLETED', async () => {
    const slot = await reserve();
    const o = await provide('FTTP', '122', { appointmentReservationId: slot.id, notes: 'SCENARIO:missed-appointment' });
    await until(o, hasKind('ACTION:REAPPOINT'));
    const reappoint = kcisOf(o).find((k) => kind(k) === 'ACTION:REAPPOINT')!;
    expect(reappoint.actionRequired).toMatchObject({
      problemCode: 'ACCESS_ISSUE',
      supplierCodes: ['101158', '101147'],
      text: 'End Customer missed appointment. Please reappoint / Engineer unable to access. No response',
    });
    expect(reappoint.entity.status).toBe('PENDING');
    const newSlot = await reserve();
    const amend = await stack.call(
      'post',
      '/v1/service-order-amendments',
      { orderId: o.id, appointmentReservationId: newSlot.id },
      { headers: { 'X-Conversation-ID': o.conversation } },
    );
    expect(amend.status).toBe(201);
    expect(amend.body.status).toBe('RECEIVED_BY_GATEWAY');
    expect(amend.body.supplierReference).toBeUndefined(); // BB1's own reference comes with its answer
    await until(o, hasKind('COMPLETED'));
    const ks = kcisOf(o);
    expect(ks.map(kind)).toEqual([
      'UPDATE',
      'ACKNOWLEDGED',
      'UPDATE',
      'COMMITTED',
      'ACTION:REAPPOINT',
      'AMENDED',
      'COMPLETED',
    ]);
    const amended = ks.find((k) => kind(k) === 'AMENDED')!;
    // The tenant acted: the order is in progress again (not PENDING), showing the slot it reserved.
    expect(amended.entity).toMatchObject({
      status: 'IN_PROGRESS',
      appointmentReservationId: newSlot.id,
      appointmentSupplierReference: newSlot.supplierReference,
      serviceOrderAmendment: { id: amend.body.id, status: 'COMPLETED' },
    });
    expect(ks.at(-1)!.entity.appointmentSupplierReference).toBe(newSlot.supplierReference);
    const final = await get(o);
    expect(final.serviceOrderAmendment).toMatchObject({
      id: amend.body.id,
      status: 'COMPLETED',
      supplierReference: final.supplierOrderNumber, // BB1 answers a PATCH with the order it revised
    });
  });

  it('supplier reappoint as the order is committed (521 with 520) → COMMITTED and REAPPOINTED, with the new reference and slot', async () => {
    const slot = await reserve();
    const o = await provide('FTTP', '122', { appointmentReservationId: slot.id, notes: 'SCENARIO:supplier-reappoint' });
    await until(o, hasKind('COMPLETED'));
    const ks = kcisOf(o);
    expect(ks.map(kind)).toEqual(['UPDATE', 'ACKNOWLEDGED', 'UPDATE', 'COMMITTED', 'REAPPOINTED', 'COMPLETED']);
    const [committed, re] = [ks[3]!, ks[4]!];
    expect(committed.information).toMatchObject({
      supplierCodes: ['521', '520'],
      text: 'Your order will be delivered as soon as possible.',
    });
    expect(committed.entity.committedDate).toEqual(expect.any(String));
    expect(re.information).toMatchObject({
      supplierCodes: ['521', '520'],
      text: 'The appointment date has been changed by the supplier',
    });
    expect(re.entity.appointmentSupplierReference).toBe(`${slot.supplierReference}X`);
    expect(
      Date.parse(re.entity.appointmentTimeslot.timeslotStartDateTime) - Date.parse(slot.timeslot.timeslotStartDateTime),
    ).toBe(2 * 86400000);
  });

  it('delay → DELAY with HELD and a moved target date; its end with a new appointment → RESUMED and REAPPOINTED; COMPLETED', async () => {
    const o = await provide('FTTP', '122', { notes: 'SCENARIO:delay' });
    await until(o, hasKind('COMPLETED'));
    const ks = kcisOf(o);
    expect(ks.map(kind)).toEqual([
      'UPDATE',
      'ACKNOWLEDGED',
      'UPDATE',
      'COMMITTED',
      'DELAY',
      'RESUMED',
      'REAPPOINTED',
      'COMPLETED',
    ]);
    const d = ks[4]!;
    expect(d.information).toMatchObject({ problemCode: 'NETWORK_ISSUE', supplierCodes: ['101105'] });
    expect(d.entity.status).toBe('HELD');
    expect(Date.parse(d.entity.targetDate)).toBeGreaterThan(Date.parse(d.entity.committedDate));
    expect(ks[5]!.entity.status).toBe('IN_PROGRESS');
    // the order had no appointment: Openreach booked one (no 521), and the tenant learns its reference and slot
    expect(ks[6]!.entity).toMatchObject({
      appointmentSupplierReference: expect.stringMatching(/^OR\w+FR$/),
      appointmentTimeslot: { classification: expect.stringMatching(/_AM$/) },
    });
  });

  it('ECC approval needed → INFORMATION_REQUIRED/COST_ISSUE; the ECC_CHARGEBAND amendment it asks for is taken, and the order completes', async () => {
    const slot = await reserve();
    const o = await provide('FTTP', '122', { appointmentReservationId: slot.id, notes: 'SCENARIO:ecc' });
    await until(o, hasKind('ACTION:INFORMATION_REQUIRED'));
    const k = kcisOf(o).find((x) => kind(x) === 'ACTION:INFORMATION_REQUIRED')!;
    expect(k.actionRequired).toMatchObject({
      problemCode: 'COST_ISSUE',
      text: expect.stringMatching(/amend ECC_CHARGEBAND/),
    });
    expect(k.entity.status).toBe('PENDING');
    const amend = await stack.call(
      'post',
      '/v1/service-order-amendments',
      { orderId: o.id, serviceCharacteristics: [{ name: 'ECC_CHARGEBAND', value: '3' }] },
      { headers: { 'X-Conversation-ID': o.conversation } },
    );
    expect(amend.status).toBe(201);
    await until(o, hasKind('COMPLETED')); // the sandbox accepts a PATCH only with the items' latest internalIds
    const ks = kcisOf(o);
    expect(ks.map(kind).slice(-3)).toEqual(['AMENDED', 'COMMITTED', 'COMPLETED']);
    const amended = ks.at(-3)!;
    expect(amended.entity).toMatchObject({
      status: 'ACKNOWLEDGED', // where it was before it waited on the tenant
      serviceOrderAmendment: {
        id: amend.body.id,
        status: 'COMPLETED',
        serviceCharacteristics: [{ name: 'ECC_CHARGEBAND', value: '3' }],
      },
    });
    expect(charsOf(amended.entity).ECC_CHARGEBAND).toBe('3');
  });

  it('ECC approval on an order with no managed install: the KCI does not ask for an amendment the API refuses', async () => {
    const o = await provide('FTTP', '122', { notes: 'SCENARIO:ecc' });
    await until(o, hasKind('ACTION:INFORMATION_REQUIRED'));
    const k = kcisOf(o).find((x) => kind(x) === 'ACTION:INFORMATION_REQUIRED')!;
    expect(k.actionRequired.problemCode).toBe('COST_ISSUE');
    expect(k.actionRequired.text).not.toMatch(/amend ECC_CHARGEBAND/);
    const amend = await stack.call('post', '/v1/service-order-amendments', {
      orderId: o.id,
      serviceCharacteristics: [{ name: 'ECC_CHARGEBAND', value: '3' }],
    });
    expect(amend.status).toBe(400);
    expect(amend.body.messages).toEqual([expect.stringMatching(/no managed install/)]);
  });

  it('a create event carrying an error (rejected scenario) → RESUBMIT/INVALID_REQUEST with BB1 text, REJECTED', async () => {
    const o = await provide('FTTP', '122', { notes: 'SCENARIO:rejected' });
    await until(o, hasKind('ACTION:RESUBMIT'));
    const ks = kcisOf(o);
    expect(ks.map(kind)).toEqual(['UPDATE', 'ACTION:RESUBMIT']);
    expect(ks[1]!.actionRequired).toEqual({
      type: 'RESUBMIT',
      problemCode: 'INVALID_REQUEST',
      text: 'Invalid address key',
      supplierCodes: ['28'],
    });
    expect(ks[1]!.entity.status).toBe('REJECTED');
    expect((await get(o)).status).toBe('REJECTED');
  });

  it('cancellation by the tenant → CANCELLED; by BT → CANCELLED with a supplier code', async () => {
    const slot = await reserve();
    const o = await provide('FTTP', '122', { appointmentReservationId: slot.id, notes: 'SCENARIO:ecc' });
    await until(o, hasKind('ACTION:INFORMATION_REQUIRED'));
    const c = await stack.call(
      'post',
      '/v1/service-order-cancellations',
      { orderId: o.id, reasonCode: 'ADDITIONAL_CHARGE_REFUSED', text: 'too expensive' },
      { headers: { 'X-Conversation-ID': o.conversation } },
    );
    expect(c.status).toBe(201);
    expect((await get(o)).status).toBe('PENDING_CANCELLATION');
    await until(o, hasKind('CANCELLED'));
    expect(kcisOf(o).at(-1)!.entity).toMatchObject({
      status: 'CANCELLED',
      // BB1's reference for the cancellation: the id of the cancelOrder task it created
      serviceOrderCancellation: {
        id: c.body.id,
        reasonCode: 'ADDITIONAL_CHARGE_REFUSED',
        status: 'COMPLETED',
        supplierReference: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
    const btSlot = await reserve();
    const bt = await provide('FTTP', '122', { appointmentReservationId: btSlot.id, notes: 'SCENARIO:bt-cancel' });
    await until(bt, hasKind('CANCELLED'));
    const cancelled = kcisOf(bt).at(-1)!;
    expect(cancelled.information).toMatchObject({ type: 'CANCELLED', supplierCodes: ['100205'] });
    // the appointment went with the order: the tenant is not shown a visit that will not happen
    expect(cancelled.entity.appointmentSupplierReference).toBeUndefined();
    expect(cancelled.entity.appointmentTimeslot).toBeUndefined();
    const late = await stack.call('post', '/v1/service-order-amendments', { orderId: bt.id, notes: 'too late' });
    expect(late.status).toBe(422);
  });

  it('an unknown code reaches the tenant as UPDATE and is counted; duplicates and out-of-order deliveries change nothing', async () => {
    const u = await provide('FTTP', '122', { notes: 'SCENARIO:unknown-code' });
    await until(u, hasKind('COMPLETED'));
    expect(kcisOf(u).find((k) => k.information?.supplierCodes?.includes('9569'))!.information.type).toBe('UPDATE');
    expect((await stack.http.get('/metrics')).text).toMatch(
      /supplier_unmapped_codes_total\{supplier="BTWHOLESALEBB1",code="9569"\} [1-9]/,
    );
    const d = await provide('FTTP', '122', { notes: 'SCENARIO:duplicates' });
    await until(d, hasKind('COMPLETED'));
    expect(kcisOf(d).map(kind)).toEqual(['UPDATE', 'ACKNOWLEDGED', 'UPDATE', 'COMMITTED', 'COMPLETED']);
    const late = await provide('FTTP', '122', { notes: 'SCENARIO:out-of-order' });
    await until(late, hasKind('COMPLETED'));
    await sink.waitFor(
      () =>
        stack.sandbox!.sent.filter(
          (k: Kci) => k.event?.productOrder?.id === kcisOf(late)[1]?.entity.supplierOrderNumber,
        ).length === 4,
    );
    const final = await get(late);
    expect(final.status).toBe('COMPLETED');
    expect(final.updates.map((x: Kci) => x.information?.type)).not.toContain('COMMITTED');
  });

  it('the sandbox refuses what BB1 would refuse, BB1-style', async () => {
    const tok = (
      await axios.post(`${stack.sandbox!.url}/oauth/accesstoken`, 'grant_type=client_credentials', {
        auth: { username: 'a', password: 'b' },
      })
    ).data.access_token;
    const post = (body: Kci) =>
      axios.post(`${stack.sandbox!.url}/hubco/tmf/productOrderingManagement/v4/productOrder`, body, {
        headers: { Authorization: `Bearer ${tok}` },
        validateStatus: () => true,
      });
    const base = {
      externalId: `sbx-${engine}-1`,
      relatedParty: [{ role: 'BtCug', id: 'CUG5009999999' }],
      productOrderItem: [
        {
          id: '100',
          action: 'add',
          product: {
            productOffering: { id: 'E0000160' },
            place: [
              { id: 'R1', role: 'SiteAddress' },
              { id: 'A1', role: 'OpenreachAddress' },
            ],
            productCharacteristic: [{ name: 'ATT_RT_ResellerID', value: 'ZYX' }],
          },
        },
      ],
    };
    const unknownEcode = await post({
      ...base,
      productOrderItem: [
        {
          ...base.productOrderItem[0],
          product: { ...base.productOrderItem[0]!.product, productOffering: { id: 'E9999999' } },
        },
      ],
    });
    expect([unknownEcode.status, unknownEcode.data.message]).toEqual([400, 'Invalid product offering E9999999']);
    const noPlace = await post({
      ...base,
      productOrderItem: [{ ...base.productOrderItem[0], product: { ...base.productOrderItem[0]!.product, place: [] } }],
    });
    expect(noPlace.status).toBe(400);
    const badRid = await post({
      ...base,
      productOrderItem: [
        {
          ...base.productOrderItem[0],
          product: {
            ...base.productOrderItem[0]!.product,
            productCharacteristic: [{ name: 'ATT_RT_ResellerID', value: 'TOOLONG' }],
          },
        },
      ],
    });
    expect(badRid.data.message).toBe('Invalid ATT_RT_ResellerID TOOLONG');
    const noToken = await axios.post(
      `${stack.sandbox!.url}/hubco/tmf/productOrderingManagement/v4/productOrder`,
      base,
      { validateStatus: () => true },
    );
    expect(noToken.status).toBe(401);
  });
});
