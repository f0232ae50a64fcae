import { readFileSync, readdirSync } from 'node:fs';
import { loadBb1Mappings } from '../../../src/suppliers/bb1/mappings/load.js';
import { parseKsu, parseMessage, type ParsedKsu } from '../../../src/suppliers/bb1/inbound/parse-ksu.js';
import {
  translateKsu,
  type Bb1OrderState,
  type KsuTranslation,
  type OrderView,
} from '../../../src/suppliers/bb1/inbound/translate-ksu.js';
import { requestReceived, type RequestedAppointment } from '../../../src/orders/lifecycle.js';
import type { OrderStatus } from '../../../src/orders/order.js';

const m = loadBb1Mappings('mappings');
const DIR = 'test/fixtures/seed003/';
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const raw = (prefix: string) =>
  JSON.parse(readFileSync(DIR + files.find((f) => f.startsWith(prefix))!, 'utf8')) as Json;
const load = (prefix: string) => parseKsu(raw(prefix));
/** A KSU built from a seed's shape: the seed, copied, with what a probe changes. */
const probe = (prefix: string, edit: (body: Json) => void) => {
  const body = raw(prefix);
  edit(body);
  return parseKsu(body);
};
const RECEIVED = '2024-06-01T00:00:00.000Z';

type Kci = { updateType: string; type: string; problemCode?: string; text?: string; supplierCodes: string[] };
const kcis = (r: KsuTranslation): Kci[] =>
  r.kcis.map(({ updateType, type, problemCode, text, supplierCodes }) => ({
    updateType,
    type,
    ...(problemCode ? { problemCode } : {}),
    ...(text ? { text } : {}),
    supplierCodes,
  }));
const info = (type: string, text: string | undefined, supplierCodes: string[], problemCode?: string): Kci => ({
  updateType: 'INFORMATIONAL',
  type,
  ...(problemCode ? { problemCode } : {}),
  ...(text ? { text } : {}),
  supplierCodes,
});
const action = (type: string, problemCode: string, text: string, supplierCodes: string[]): Kci => ({
  updateType: 'ACTION_REQUIRED',
  type,
  problemCode,
  text,
  supplierCodes,
});
const chars = (entity: Record<string, unknown>) =>
  Object.fromEntries(
    (
      (entity.serviceOrderItem as { serviceCharacteristics?: { name: string; value: string }[] })
        ?.serviceCharacteristics ??
      (entity.serviceCharacteristics as { name: string; value: string }[]) ??
      []
    ).map((c) => [c.name, c.value]),
  );
const slot = (ref: string, start: string, end: string) => ({
  appointmentSupplierReference: ref,
  appointmentTimeslot: { timeslotStartDateTime: start, timeslotEndDateTime: end },
});
const step = (o: OrderView, ksu: ParsedKsu): [OrderView, KsuTranslation] => {
  const r = translateKsu(m, ksu, o, RECEIVED);
  return [{ ...o, status: r.status, entity: r.entity, state: r.state }, r];
};

/**
 * An order as it stood when the first of its seed KSUs arrived. The seeds start mid-journey: the create event
 * (which acknowledged the order) came before, and the order shows the appointment the tenant reserved — the
 * one BB1's first KSU confirms.
 */
const placed = (status: OrderStatus, orderType = 'NEW', entity: Record<string, unknown> = {}): OrderView => ({
  status,
  orderType,
  entity: { status, ...entity },
  state: { milestones: status === 'ACKNOWLEDGED' ? ['ACKNOWLEDGED'] : ['ACKNOWLEDGED', 'COMMITTED'] },
});
/** The tenant sent an amendment (a new appointment: `reservationId` with its slot); it waits for BB1's 540. */
function amending(o: OrderView, appointment: RequestedAppointment | undefined, reservationId?: number): OrderView {
  const request = reservationId
    ? { orderId: 1, appointmentReservationId: reservationId }
    : { orderId: 1, notes: 'Ring twice' };
  const r = requestReceived('AMENDMENT', o.status as OrderStatus, o.state, { request, appointment });
  return {
    ...o,
    status: r.status,
    state: { ...o.state, ...r.state },
    entity: { ...o.entity, status: r.status, serviceOrderAmendment: { id: 1, status: 'PENDING', ...request } },
  };
}

const AM = (day: string) => [`${day}T08:00:00.000Z`, `${day}T13:00:00.000Z`] as const;
const START: Record<string, OrderView> = {
  // the create event (#00) is the first KSU of its order
  '00125420': { status: 'SENT_TO_SUPPLIER', orderType: 'NEW', entity: { status: 'SENT_TO_SUPPLIER' }, state: {} },
  '00228874': placed('ACKNOWLEDGED'),
  '00125512': placed('ACKNOWLEDGED', 'NEW', slot('CCE2FF4FR', '2024-04-29T07:00:00.000Z', '2024-04-29T12:00:00.000Z')),
  '00111377': placed('ACKNOWLEDGED', 'NEW', slot('CBA2EAAFR', ...AM('2024-03-11'))),
  '00102884': placed('IN_PROGRESS', 'NEW', slot('CA6464CFR', ...AM('2024-02-27'))),
  '00104089': placed('IN_PROGRESS', 'NEW', slot('CBD71D8FR', ...AM('2024-03-07'))),
  '00099976': placed('IN_PROGRESS', 'NEW', slot('CB30B4EFR', ...AM('2024-02-27'))),
  '00103866': placed('IN_PROGRESS', 'NEW', slot('CBF12CCFR', ...AM('2024-03-14'))),
  '00103497': placed('IN_PROGRESS', 'NEW', slot('CA75AAAFR', ...AM('2024-02-27'))),
  '00086096': placed('IN_PROGRESS', 'NEW', slot('CB39D26FR', ...AM('2024-03-04'))),
  // #20 answers the tenant's amendment: a new appointment, reservation 7 (BT reference CB72C3CFR)
  '00110291': amending(
    placed('IN_PROGRESS', 'NEW', { ...slot('CB5F0A1FR', ...AM('2024-03-01')), appointmentReservationId: 6 }),
    { reference: 'CB72C3CFR', start: AM('2024-03-07')[0], end: AM('2024-03-07')[1] },
    7,
  ),
  '00148807': placed('ACKNOWLEDGED', 'MODIFY'),
};

const CONTACTS_2001 =
  'The contact details supplied with your order do not match our database so the default contact details have been used';
/** What each seed KSU gives, applied in its order's time order: the KCIs (type, problem code, texts, codes), the status, the dates. */
const EXPECTED: Record<string, { status: string; kcis: Kci[]; entity?: Record<string, unknown>; absent?: string[] }> = {
  '00': { status: 'ACKNOWLEDGED', kcis: [info('ACKNOWLEDGED', 'Order created by BT Wholesale', [])] },
  '01': { status: 'ACKNOWLEDGED', kcis: [info('ADDITIONAL', 'Updated: SERVICE_ID, SERVICE_ASSET_ID', [])] },
  '02': {
    status: 'ACKNOWLEDGED',
    kcis: [info('ADDITIONAL', 'Updated: SERVICE_ID, SERVICE_ASSET_ID, DYNAMIC_IP_ASSET_ID', [])],
  },
  '03': {
    status: 'ACKNOWLEDGED',
    kcis: [
      info(
        'WARNING',
        `${CONTACTS_2001} / Contact details provided has been added to the customer account.`,
        ['2002', '2001'],
        'OTHER',
      ),
    ],
  },
  // already acknowledged by the create event: 510 is news in BB1's words, not a second ACKNOWLEDGED
  '04': { status: 'ACKNOWLEDGED', kcis: [info('UPDATE', 'Order Acknowledge', ['510'])] },
  '05': { status: 'ACKNOWLEDGED', kcis: [] }, // BB1 orders a router (E0001139) and repeats 510: nothing new
  '06': { status: 'ACKNOWLEDGED', kcis: [info('ADDITIONAL', 'The router has been shipped to the end user', ['510'])] },
  '07': {
    status: 'IN_PROGRESS',
    kcis: [info('COMMITTED', 'Order Committed', ['520'])],
    entity: { committedDate: '2023-02-23T23:59:59.000Z', targetDate: '2023-02-23T23:59:59.000Z' },
  },
  '08': { status: 'IN_PROGRESS', kcis: [info('UPDATE', 'Order Complete', ['530'])] }, // root item not completed yet
  '09': {
    status: 'COMPLETED',
    kcis: [info('COMPLETED', 'Order complete', ['530'])],
    entity: { committedDate: '2023-02-23T23:59:59.000Z' },
  },
  '10': {
    status: 'ACKNOWLEDGED',
    kcis: [
      info(
        'ADDITIONAL',
        'Updated: SERVICE_ID, SERVICE_ASSET_ID, STATIC_IP_ASSET_ID, STATIC_IP_END_ADDRESS, STATIC_IP_START_ADDRESS',
        [],
      ),
    ],
    entity: { appointmentSupplierReference: 'CCE2FF4FR' }, // start == finish: not a slot, the reserved one stays
  },
  // 521 with 520 in the message: the order is committed AND re-appointed; neither is swallowed
  '11': {
    status: 'IN_PROGRESS',
    kcis: [
      info('COMMITTED', 'Your order will be delivered as soon as possible.', ['521', '520']),
      info('REAPPOINTED', 'The appointment date has been changed by the supplier', ['521', '520']),
    ],
    entity: {
      committedDate: '2024-04-29T22:59:59.000Z',
      targetDate: '2024-04-29T22:59:59.000Z',
      appointmentSupplierReference: 'CCE6588FR',
      appointmentTimeslot: {
        timeslotStartDateTime: '2024-04-29T07:00:00.000Z',
        timeslotEndDateTime: '2024-04-29T12:00:00.000Z',
      },
    },
  },
  '12': {
    status: 'ACKNOWLEDGED',
    kcis: [
      info('UPDATE', 'Notification only. External visit has been completed. The order is progressing as normal.', [
        '9569',
      ]),
    ],
  },
  // every code's text: 101096's and 200035's ("End User presence will be required")
  '16': {
    status: 'HELD',
    kcis: [
      info(
        'DELAY',
        'Further Openreach work required.  Await info / This is a delay message. We are currently unable to complete all engineering activities required to fulfil this order. Further indoor and outdoor work is required. End User presence will be required.',
        ['200035', '101096'],
        'ADDITIONAL_WORK',
      ),
    ],
  },
  '13': {
    status: 'HELD',
    kcis: [
      info(
        'DELAY',
        'The Order Target Date has been amended to 29-02-2024. Subsequent messages will provide new appointment details or ask you to re-appoint the order. This is due to a delay, usually provision of ducts.',
        ['101105'],
        'NETWORK_ISSUE',
      ),
    ],
    entity: { targetDate: '2024-02-29T23:59:59.000Z' },
  },
  // every code's text: 101158's and 101147's
  '14': {
    status: 'PENDING',
    kcis: [
      action(
        'REAPPOINT',
        'ACCESS_ISSUE',
        'End Customer missed appointment. Please reappoint / Engineer unable to access. No response',
        ['101158', '101147'],
      ),
    ],
  },
  '15': {
    status: 'PENDING',
    kcis: [
      action(
        'REAPPOINT',
        'PROPERTY_UNOCCUPIED',
        'Engineer unable to access unoccupied site / End Customer missed appointment. Please reappoint',
        ['101143', '101158'],
      ),
    ],
  },
  '17': {
    status: 'IN_PROGRESS',
    kcis: [
      info(
        'UPDATE',
        'Provision of the new service has completed.The copper line providing the losing service has been removed.',
        ['101185'],
      ),
    ],
  },
  '18': {
    status: 'HELD',
    kcis: [info('DELAY', 'KCI-3 (Order Completed) Delayed in Processing.', ['101019'], 'SUPPLIER_FAULT')],
  },
  // BT cancels the order (its appointment with it): the order shows no appointment any more
  '19': {
    status: 'CANCELLED',
    kcis: [info('CANCELLED', 'Cancelled by BT Wholesale', ['100205'], 'SUPPLIER_FAULT')],
    absent: ['appointmentSupplierReference', 'appointmentTimeslot'],
  },
  // the tenant's own re-appointment actioned: AMENDED (not REAPPOINTED), the order back in progress
  '20': {
    status: 'IN_PROGRESS',
    kcis: [info('AMENDED', 'Your amend request has been actioned', ['540'])],
    entity: {
      appointmentReservationId: 7,
      appointmentSupplierReference: 'CB72C3CFR',
      appointmentTimeslot: {
        timeslotStartDateTime: '2024-03-07T08:00:00.000Z',
        timeslotEndDateTime: '2024-03-07T13:00:00.000Z',
        classification: 'WEEKDAY_AM',
        standard: true,
      },
      serviceOrderAmendment: { id: 1, orderId: 1, status: 'COMPLETED', appointmentReservationId: 7 },
      targetDate: '2024-03-08T13:00:00.000Z',
    },
  },
  '21': {
    status: 'ACKNOWLEDGED',
    kcis: [info('ADDITIONAL', 'Updated: SERVICE_ID, SERVICE_ASSET_ID, CARE_LEVEL_ASSET_ID', [])],
  },
  '22': { status: 'ACKNOWLEDGED', kcis: [info('WARNING', CONTACTS_2001, ['2001'], 'OTHER')] },
  '23': {
    status: 'ACKNOWLEDGED',
    kcis: [
      info('UPDATE', 'Your order has been acknowledged and BT is aiming for provisioning it as soon as possible.', [
        '510',
      ]),
    ],
  },
  '24': {
    status: 'IN_PROGRESS',
    kcis: [info('COMMITTED', 'Your order will be delivered as soon as possible.', ['520'])],
    entity: { committedDate: '2023-11-15T23:59:59.000Z', targetDate: '2023-11-15T23:59:59.000Z' },
  },
  '25': { status: 'IN_PROGRESS', kcis: [info('UPDATE', 'Your order is now completed successfully', ['530'])] },
  '26': {
    status: 'COMPLETED',
    kcis: [info('COMPLETED', 'Order complete', ['530'])],
    entity: { targetDate: '2023-11-15T23:59:59.000Z' },
  },
};

/** The fixtures grouped by BB1 order, each group in time order (a KSU without eventTime last). */
const byOrder = (() => {
  const groups = new Map<string, { prefix: string; ksu: ParsedKsu }[]>();
  for (const f of files) {
    const ksu = load(f.slice(0, 2));
    const list = groups.get(ksu.bb1OrderId!) ?? [];
    list.push({ prefix: f.slice(0, 2), ksu });
    groups.set(ksu.bb1OrderId!, list);
  }
  for (const list of groups.values())
    list.sort((a, b) => (a.ksu.eventTime ?? '\uffff').localeCompare(b.ksu.eventTime ?? '\uffff'));
  return [...groups];
})();

describe('seed 003 replayed order by order, in time order: every KSU gives the KCIs its meaning calls for', () => {
  it('has all 27 examples (the create event and 26 state changes) as fixtures, for 12 orders', () => {
    expect(files).toHaveLength(27);
    expect(
      files.map((f) => load(f.slice(0, 2)).eventType).filter((t) => t === 'ProductOrderStateChangeEvent'),
    ).toHaveLength(26);
    expect(byOrder).toHaveLength(12);
    expect(byOrder.flatMap(([, list]) => list.map((k) => k.prefix)).sort()).toEqual(files.map((f) => f.slice(0, 2)));
    expect(byOrder.find(([id]) => id === '00102884')![1].map((k) => k.prefix)).toEqual(['16', '13']);
  });

  it.each(byOrder.map(([id, list]) => [id, list.map((k) => k.prefix).join(' '), list] as const))(
    'order %s (%s)',
    (id, _prefixes, list) => {
      let o = START[id]!;
      for (const { prefix, ksu } of list) {
        const [next, r] = step(o, ksu);
        const want = EXPECTED[prefix]!;
        expect({ ksu: prefix, status: r.status, kcis: kcis(r) }).toEqual({
          ksu: prefix,
          status: want.status,
          kcis: want.kcis,
        });
        for (const k of r.kcis) expect(k.supplierNotes).toEqual(ksu.notes);
        if (want.entity) expect({ ksu: prefix, ...r.entity }).toMatchObject({ ksu: prefix, ...want.entity });
        for (const field of want.absent ?? []) expect(r.entity).not.toHaveProperty(field);
        // KCIs carry the whole latest order: its status is the status after the KSU
        expect(r.entity.status).toBe(r.status);
        o = next;
      }
    },
  );

  it('asset ids and BB1 facts reach the order entity as characteristics', () => {
    let o = START['00125420']!;
    let r: KsuTranslation;
    [, r] = step(o, load('00'));
    expect(r.entity.supplierOrderNumber).toBe('00125420');
    expect(chars(r.entity)).toEqual({
      SERVICE_ASSET_ID: 'd74d0a52-b260-040d-dd9f-8dedb0c6e463',
      CARE_LEVEL_ASSET_ID: 'e88fec10-79e0-1a62-c7d7-c378f4915140',
      DYNAMIC_IP_ASSET_ID: '219fafc4-6d24-effc-e868-94d003713214',
    });
    expect(r.state.items!['13008684.3']).toMatchObject({
      internalId: '0001481702',
      ecode: 'E0000153',
      parentId: '13008684',
    });
    o = START['00228874']!;
    for (const p of ['01', '02', '03', '04', '05', '06', '07', '08', '09']) [o, r] = step(o, load(p));
    expect(chars(o.entity)).toMatchObject({
      SERVICE_ID: 'BBONE0005347',
      SERVICE_ASSET_ID: '3447fc9b-ba5b-3520-3751-cc4239a8b2c0',
      CARE_LEVEL_ASSET_ID: 'ff7aac03-be9f-e83d-b991-1c1207537662',
      DYNAMIC_IP_ASSET_ID: '9e4ba9d3-2bd9-6ae8-a327-211dd7f65323',
      ONT_PORT: '1',
    });
    [, r] = step(START['00125512']!, load('10'));
    expect(chars(r.entity)).toMatchObject({
      STATIC_IP_ASSET_ID: '5e46e7f5-d362-9d46-9f31-d8e9bf8cb0cb',
      STATIC_IP_START_ADDRESS: '81.xxx.xxx.xx',
      STATIC_IP_END_ADDRESS: '81.xxx.xxx.xx',
    });
    // abortive engineer visits (#15 unoccupied premises, #17 copper removed)
    expect(chars(step(START['00099976']!, load('15'))[1].entity).ABORTIVE_VISITS).toBe('1');
    expect(chars(step(START['00103866']!, load('17'))[1].entity).ABORTIVE_VISITS).toBe('1');
    // a modify keeps the serviceId the tenant sent; the new care asset id, not the deleted one
    o = START['00148807']!;
    for (const p of ['21', '22', '23', '24', '25', '26']) [o, r] = step(o, load(p));
    expect(o.entity.serviceId).toBeUndefined();
    expect(chars(o.entity).CARE_LEVEL_ASSET_ID).toBe('2efbe0e1-1b93-8722-00bb-8224661e8183');
  });

  it('keeps the latest internalIds an amendment needs, and copes with a KSU without eventType or eventTime (#18)', () => {
    const [o] = step(START['00110291']!, load('20'));
    expect(o.state.items!['13007065']!.internalId).toBe('0001347564');
    const k = load('18');
    expect([k.eventType, k.eventTime]).toEqual(['ProductOrderStateChangeEvent', undefined]);
  });

  it('replaying a KSU changes nothing a tenant can see: no KCI', () => {
    const [o] = step(START['00104089']!, load('14'));
    const [o2, r] = step(o, load('14'));
    expect(r.kcis).toEqual([]);
    expect(o2.status).toBe('PENDING');
  });

  it('an older KSU never moves the status backwards (but still adds what is new)', () => {
    let o = START['00228874']!;
    [o] = step(o, load('09')); // completed at 10:47
    expect(o.status).toBe('COMPLETED');
    const [o2, r] = step(o, load('07')); // committed at 10:43 arrives late
    expect(r.stale).toBe(true);
    expect(o2.status).toBe('COMPLETED');
    expect(kcis(r)).toEqual([info('UPDATE', 'Order Committed', ['520'])]);
    const late = translateKsu(
      m,
      load('04'),
      {
        ...placed('IN_PROGRESS'),
        state: { lastEventTime: '2023-02-13T10:43:39.496Z', milestones: ['ACKNOWLEDGED', 'COMMITTED'] },
      },
      RECEIVED,
    );
    expect(late.status).toBe('IN_PROGRESS'); // a late 510 does not drag IN_PROGRESS back to ACKNOWLEDGED
  });

  it("parses codes joined with .~ and keeps each one's text", () => {
    expect(
      parseMessage(
        'Informational : 520 : Your order will be delivered as soon as possible. .~ Warning : 521 : The appointment date has been changed by the supplier',
      ),
    ).toEqual([
      { severity: 'Informational', code: '520', text: 'Your order will be delivered as soon as possible.' },
      { severity: 'Warning', code: '521', text: 'The appointment date has been changed by the supplier' },
    ]);
    expect(parseMessage(null)).toEqual([]);
  });
});

describe('updates built from the seeds: what each means for the tenant', () => {
  it('a 540 answering a REAPPOINT puts the order back IN_PROGRESS (the tenant acted), not PENDING', () => {
    let [o, r] = step(START['00104089']!, load('14'));
    expect(o.status).toBe('PENDING');
    expect(r.kcis.map((k) => k.type)).toEqual(['REAPPOINT']);
    o = amending(o, { reference: 'CBE0001FR', start: AM('2024-03-12')[0], end: AM('2024-03-12')[1] }, 9);
    expect(o.status).toBe('PENDING_AMENDMENT');
    const actioned = probe('14', (b) => {
      const po = b.event.productOrder;
      po.errorMessage = [{ subCode: '540', message: 'Informational : 540 : Your amend request has been actioned' }];
      const root = po.productOrderItem.find((i: { id: string }) => i.id === '13006429');
      root.subStatus = 'AmendedByBTWwBC';
      root.appointment = {
        ...root.appointment,
        BESAppointmentId: 'CBE0001FR',
        appointmentStatus: 'Booked',
        appointmentStart: AM('2024-03-12')[0],
        appointmentFinish: AM('2024-03-12')[1],
      };
      b.eventTime = '2024-02-29T10:00:00.000Z';
    });
    [o, r] = step(o, actioned);
    expect(kcis(r)).toEqual([info('AMENDED', 'Your amend request has been actioned', ['540'])]); // not REAPPOINTED: it is the tenant's own
    expect(o.status).toBe('IN_PROGRESS');
    expect(o.entity).toMatchObject({
      status: 'IN_PROGRESS',
      appointmentSupplierReference: 'CBE0001FR',
      appointmentReservationId: 9,
    });
    // An amendment that does not answer the wait (notes only) leaves the order waiting on the tenant.
    const notes = amending(step(START['00104089']!, load('14'))[0], undefined);
    const notesActioned = probe('14', (b) => {
      b.event.productOrder.errorMessage = [
        { subCode: '540', message: 'Informational : 540 : Your amend request has been actioned' },
      ];
      b.eventTime = '2024-02-29T10:00:00.000Z';
    });
    const [p, r2] = step(notes, notesActioned);
    expect(kcis(r2)).toEqual([info('AMENDED', 'Your amend request has been actioned', ['540'])]);
    expect(p.status).toBe('PENDING');
    expect(p.entity).toMatchObject({ notes: 'Ring twice', serviceOrderAmendment: { status: 'COMPLETED' } });
  });

  it('appointment Booked/Confirmed with a new slot and no 521 → REAPPOINTED with the new reference and slot', () => {
    const [held] = step(START['00102884']!, load('16'));
    const moved = probe('13', (b) => {
      const root = b.event.productOrder.productOrderItem.find((i: { id: string }) => i.id === '13006265');
      root.appointment = {
        ...root.appointment,
        BESAppointmentId: 'CA7777CFR',
        appointmentStart: '2024-03-05T13:00:00.000Z',
        appointmentFinish: '2024-03-05T18:00:00.000Z',
      };
    });
    const [o, r] = step(held, moved);
    expect(kcis(r).map((k) => k.type)).toEqual(['DELAY', 'REAPPOINTED']);
    expect(o.entity).toMatchObject({
      appointmentSupplierReference: 'CA7777CFR',
      appointmentTimeslot: {
        timeslotStartDateTime: '2024-03-05T13:00:00.000Z',
        timeslotEndDateTime: '2024-03-05T18:00:00.000Z',
        classification: 'WEEKDAY_PM',
        standard: true,
      },
    });
    // Booked where the order had no appointment: one allocated by Openreach
    const booked = probe('12', (b) => {
      const root = b.event.productOrder.productOrderItem.find((i: { id: string }) => i.id === '13007213');
      root.appointment.appointmentFinish = '2024-03-11T13:00:00.000Z';
    });
    const [o2, r2] = step(placed('ACKNOWLEDGED'), booked);
    expect(kcis(r2)[0]).toEqual(
      info(
        'REAPPOINTED',
        'The supplier booked a new appointment / Notification only. External visit has been completed. The order is progressing as normal.',
        ['9569'],
      ),
    );
    expect(o2.entity.appointmentSupplierReference).toBe('CBA2EAAFR');
  });

  it('an appointment BB1 cancels as not required → WARNING APPOINTMENT_NOT_REQUIRED, and the order shows no slot', () => {
    const cancelled = probe('17', (b) => {
      const root = b.event.productOrder.productOrderItem.find((i: { id: string }) => i.id === '13006371');
      root.appointment.appointmentStatus = 'Cancelled';
      b.event.productOrder.errorMessage = [];
    });
    const [o, r] = step(START['00103866']!, cancelled);
    expect(kcis(r)).toEqual([
      info('WARNING', 'The supplier cancelled the appointment as not required', [], 'APPOINTMENT_NOT_REQUIRED'),
    ]);
    expect(o.entity.appointmentSupplierReference).toBeUndefined();
    expect(o.entity.appointmentTimeslot).toBeUndefined();
    expect(o.status).toBe('IN_PROGRESS');
    expect(step(o, cancelled)[1].kcis).toEqual([]); // said once
  });

  it('a delay that ends → RESUMED, back IN_PROGRESS; a street-works marker reaches the entity', () => {
    let [o] = step(START['00102884']!, load('16'));
    [o] = step(o, load('13'));
    expect(o.status).toBe('HELD');
    const resumed = probe('13', (b) => {
      const po = b.event.productOrder;
      po.errorMessage = [];
      for (const it of po.productOrderItem)
        if (it.subStatus === 'DelayedBySupplier') it.subStatus = 'CommittedByBTWwBC';
      po.productOrderItem[0].product.productCharacteristic = [{ name: 'ATT_RT_TMAMarker', value: 'Y' }];
      b.eventTime = '2024-03-01T09:00:00.000Z';
    });
    const [o2, r] = step(o, resumed);
    expect(kcis(r)).toEqual([info('RESUMED', 'The delay is over and the order is progressing again', [])]);
    expect(o2.status).toBe('IN_PROGRESS');
    expect(chars(o2.entity).TMA_MARKER).toBe('Y');
    // nothing to resume for an order not held
    expect(step(START['00102884']!, resumed)[1].kcis.map((k) => k.type)).not.toContain('RESUMED');
  });

  it('a 510 without BB1 text carries the table text; a warning code BB1 has no row for is a WARNING with a problem code', () => {
    const acked = probe('04', (b) => {
      b.event.productOrder.errorMessage = [{ subCode: '510', message: null }];
    });
    expect(kcis(step(START['00228874']!, acked)[1])).toEqual([
      info('UPDATE', 'Order acknowledged by BT Wholesale', ['510']),
    ]);
    const warned = probe('04', (b) => {
      b.event.productOrder.errorMessage = [
        { subCode: '2999', message: 'Warning : 2999 : Something BB1 wants you to know' },
      ];
    });
    const [, r] = step(START['00228874']!, warned);
    expect(kcis(r)).toEqual([info('WARNING', 'Something BB1 wants you to know', ['2999'], 'OTHER')]);
    expect(r.unmappedCodes).toEqual(['2999']);
  });

  it('a create event carrying an error is a rejection: RESUBMIT/INVALID_REQUEST with BB1 text, REJECTED, not ACKNOWLEDGED', () => {
    const rejected = probe('00', (b) => {
      b.event.productOrder.errorMessage = [{ subCode: '28', message: 'Error : 28 : Invalid address key' }];
    });
    const [o, r] = step(START['00125420']!, rejected);
    expect(kcis(r)).toEqual([action('RESUBMIT', 'INVALID_REQUEST', 'Invalid address key', ['28'])]);
    expect(o.status).toBe('REJECTED');
    expect(o.state.milestones).not.toContain('ACKNOWLEDGED');
    expect(chars(o.entity)).toEqual({}); // no asset ids: the order was never created
  });

  it('an ECC approval the order cannot answer by amendment (no managed install) does not ask for one', () => {
    const ecc = probe('01', (b) => {
      b.event.productOrder.productOrderItem[0].subStatus = 'AwaitingECCConfirmation';
    });
    const installed: Bb1OrderState = {
      milestones: ['ACKNOWLEDGED'],
      items: {
        '100': { id: '100', internalId: '1', ecode: 'E0000189' },
        '100.3': { id: '100.3', internalId: '3', ecode: 'E0000152', parentId: '100' },
      },
    };
    const withInstall = step({ ...placed('ACKNOWLEDGED'), state: installed }, ecc)[1];
    expect(kcis(withInstall)).toEqual([
      action(
        'INFORMATION_REQUIRED',
        'COST_ISSUE',
        'Excess construction charges need approval; amend ECC_CHARGEBAND to a band that covers them or cancel',
        [],
      ),
    ]);
    const without = step(placed('ACKNOWLEDGED'), ecc)[1];
    expect(without.kcis[0]!.text).toMatch(/no managed install whose ECC_CHARGEBAND can be amended: cancel it/);
  });
});
