import { readFileSync, readdirSync } from 'node:fs';
import { loadBb1Mappings } from '../../../src/suppliers/bb1/mappings/load.js';
import { parseKsu, parseMessage } from '../../../src/suppliers/bb1/inbound/parse-ksu.js';
import {
  translateKsu,
  type Bb1OrderState,
  type KsuTranslation,
  type OrderView,
} from '../../../src/suppliers/bb1/inbound/translate-ksu.js';

const m = loadBb1Mappings('mappings');
const DIR = 'test/fixtures/seed003/';
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (prefix: string) =>
  parseKsu(JSON.parse(readFileSync(DIR + files.find((f) => f.startsWith(prefix))!, 'utf8')));
const RECEIVED = '2024-06-01T00:00:00.000Z';

/** An order the create event has already acknowledged (the state every state-change seed starts from). */
const acknowledged = (orderType = 'NEW', status = 'ACKNOWLEDGED'): OrderView => ({
  status,
  orderType,
  entity: { status, supplierOrderNumber: 'x' },
  state: { milestones: ['ACKNOWLEDGED'] },
});
const step = (o: OrderView, prefix: string): [OrderView, KsuTranslation] => {
  const r = translateKsu(m, load(prefix), o, RECEIVED);
  return [{ ...o, status: r.status, entity: r.entity, state: r.state }, r];
};
const chars = (r: KsuTranslation) =>
  Object.fromEntries(
    (
      (r.entity.serviceOrderItem as { serviceCharacteristics?: { name: string; value: string }[] })
        ?.serviceCharacteristics ??
      (r.entity.serviceCharacteristics as { name: string; value: string }[]) ??
      []
    ).map((c) => [c.name, c.value]),
  );

describe('seed 003: every real KSU becomes the KCI its meaning calls for', () => {
  it('has all 27 examples (the create event and 26 state changes) as fixtures', () => {
    expect(files).toHaveLength(27);
    expect(
      files.map((f) => load(f.slice(0, 2)).eventType).filter((t) => t === 'ProductOrderStateChangeEvent'),
    ).toHaveLength(26);
  });

  it('00 ProductOrderCreateEvent → ACKNOWLEDGED with the BB1 order id and asset ids', () => {
    const r = translateKsu(
      m,
      load('00'),
      { status: 'SENT_TO_SUPPLIER', orderType: 'NEW', entity: { status: 'SENT_TO_SUPPLIER' }, state: {} },
      RECEIVED,
    );
    expect(r.kci).toMatchObject({ updateType: 'INFORMATIONAL', type: 'ACKNOWLEDGED', supplierCodes: [] });
    expect(r.status).toBe('ACKNOWLEDGED');
    expect(r.entity.supplierOrderNumber).toBe('00125420');
    expect(chars(r)).toEqual({
      SERVICE_ASSET_ID: 'd74d0a52-b260-040d-dd9f-8dedb0c6e463',
      CARE_LEVEL_ASSET_ID: 'e88fec10-79e0-1a62-c7d7-c378f4915140',
      DYNAMIC_IP_ASSET_ID: '219fafc4-6d24-effc-e868-94d003713214',
    });
    expect(r.state.items!['13008684']).toMatchObject({ internalId: '0001481701', ecode: 'E0000432' });
    expect(r.state.items!['13008684.3']).toMatchObject({
      internalId: '0001481702',
      ecode: 'E0000153',
      parentId: '13008684',
    });
  });

  it('01–09 an FTTP provide from "in progress" to complete, with the router item BB1 adds', () => {
    let o = acknowledged();
    let r: KsuTranslation;
    [o, r] = step(o, '01');
    expect(r.kci).toMatchObject({ type: 'ADDITIONAL' });
    expect(chars(r)).toMatchObject({
      SERVICE_ID: 'BBONE0005347',
      SERVICE_ASSET_ID: '3447fc9b-ba5b-3520-3751-cc4239a8b2c0',
    });
    expect(o.status).toBe('ACKNOWLEDGED');
    [o, r] = step(o, '02');
    expect(r.kci?.type).toBe('ADDITIONAL');
    expect(chars(r).DYNAMIC_IP_ASSET_ID).toBe('9e4ba9d3-2bd9-6ae8-a327-211dd7f65323');
    [o, r] = step(o, '03');
    expect(r.kci).toMatchObject({ updateType: 'INFORMATIONAL', type: 'UPDATE', supplierCodes: ['2002', '2001'] });
    expect(r.unmappedCodes.sort()).toEqual(['2001', '2002']);
    expect(chars(r).CARE_LEVEL_ASSET_ID).toBe('ff7aac03-be9f-e83d-b991-1c1207537662');
    [o, r] = step(o, '04');
    expect(r.kci).toMatchObject({ type: 'UPDATE', supplierCodes: ['510'] }); // already acknowledged: 510 is news, not a second ACKNOWLEDGED
    expect(o.status).toBe('ACKNOWLEDGED');
    [o, r] = step(o, '05');
    expect(r.kci).toBeUndefined(); // router ordered by BB1, same 510: nothing new for the tenant
    [o, r] = step(o, '06');
    expect(r.kci).toBeUndefined();
    [o, r] = step(o, '07');
    expect(r.kci).toMatchObject({ updateType: 'INFORMATIONAL', type: 'COMMITTED', supplierCodes: ['520'] });
    expect(o.status).toBe('IN_PROGRESS');
    expect(o.entity).toMatchObject({
      committedDate: '2023-02-23T23:59:59.000Z',
      targetDate: '2023-02-23T23:59:59.000Z',
    });
    expect(chars(r).ONT_REFERENCE).toBe('SFB0228874-1');
    [o, r] = step(o, '08');
    expect(r.kci).toMatchObject({ type: 'UPDATE', supplierCodes: ['530'] });
    expect(o.status).toBe('IN_PROGRESS'); // 530 alone: the root item is not completed yet
    [o, r] = step(o, '09');
    expect(r.kci).toMatchObject({ type: 'COMPLETED', supplierCodes: ['530'] });
    expect(o.status).toBe('COMPLETED');
    expect(chars(r)).toMatchObject({
      SERVICE_ID: 'BBONE0005347',
      SERVICE_ASSET_ID: '3447fc9b-ba5b-3520-3751-cc4239a8b2c0',
      CARE_LEVEL_ASSET_ID: 'ff7aac03-be9f-e83d-b991-1c1207537662',
      DYNAMIC_IP_ASSET_ID: '9e4ba9d3-2bd9-6ae8-a327-211dd7f65323',
      ONT_PORT: '1',
    });
    expect(o.entity.committedDate).toBe('2023-02-23T23:59:59.000Z');
  });

  it('10 static IPs allocated → ADDITIONAL with the static IP asset id and range', () => {
    const [, r] = step(acknowledged(), '10');
    expect(r.kci?.type).toBe('ADDITIONAL');
    expect(chars(r)).toMatchObject({
      STATIC_IP_ASSET_ID: '5e46e7f5-d362-9d46-9f31-d8e9bf8cb0cb',
      STATIC_IP_START_ADDRESS: '81.xxx.xxx.xx',
      STATIC_IP_END_ADDRESS: '81.xxx.xxx.xx',
      SERVICE_ID: 'BBONE10099999',
    });
    expect(r.entity.appointmentSupplierReference).toBe('CCE2FF4FR');
    expect(r.entity.appointmentTimeslot).toBeUndefined(); // start == finish: not a slot
  });

  it('11 appointment changed by Openreach (521 with 520 in the message, +01:00 times) → REAPPOINTED with the new slot', () => {
    const [o1] = step(acknowledged(), '10');
    const [o, r] = step(o1, '11');
    expect(r.kci).toMatchObject({ updateType: 'INFORMATIONAL', type: 'REAPPOINTED', supplierCodes: ['521', '520'] });
    expect(o.entity).toMatchObject({
      appointmentSupplierReference: 'CCE6588FR',
      appointmentTimeslot: {
        timeslotStartDateTime: '2024-04-29T07:00:00.000Z',
        timeslotEndDateTime: '2024-04-29T12:00:00.000Z',
      },
      targetDate: '2024-04-29T22:59:59.000Z',
      committedDate: '2024-04-29T22:59:59.000Z',
    });
    expect(o.status).toBe('IN_PROGRESS');
  });

  it("12 an external-visit notification (9569, no row) → UPDATE with the code and BB1's text, counted as unmapped", () => {
    const [o, r] = step(acknowledged('NEW', 'IN_PROGRESS'), '12');
    expect(r.kci).toMatchObject({
      updateType: 'INFORMATIONAL',
      type: 'UPDATE',
      supplierCodes: ['9569'],
      text: 'Notification only. External visit has been completed. The order is progressing as normal.',
    });
    expect(r.unmappedCodes).toEqual(['9569']);
    expect(o.status).toBe('IN_PROGRESS');
  });

  it('13 delay 101105 → DELAY/NETWORK_ISSUE, HELD, target date moved to the date in the message', () => {
    const [o, r] = step(acknowledged('NEW', 'IN_PROGRESS'), '13');
    expect(r.kci).toMatchObject({ type: 'DELAY', problemCode: 'NETWORK_ISSUE', supplierCodes: ['101105'] });
    expect(o.status).toBe('HELD');
    expect(o.entity.targetDate).toBe('2024-02-29T23:59:59.000Z');
  });

  it('14 customer missed appointment (message null, productOrderItem as an object) → REAPPOINT/ACCESS_ISSUE, PENDING', () => {
    const [o, r] = step(acknowledged('NEW', 'IN_PROGRESS'), '14');
    expect(r.kci).toMatchObject({
      updateType: 'ACTION_REQUIRED',
      type: 'REAPPOINT',
      problemCode: 'ACCESS_ISSUE',
      supplierCodes: ['101158', '101147'],
      text: 'End Customer missed appointment. Please reappoint',
    });
    expect(o.status).toBe('PENDING');
  });

  it('15 unoccupied premises → REAPPOINT/PROPERTY_UNOCCUPIED, PENDING', () => {
    const [o, r] = step(acknowledged('NEW', 'IN_PROGRESS'), '15');
    expect(r.kci).toMatchObject({
      updateType: 'ACTION_REQUIRED',
      type: 'REAPPOINT',
      problemCode: 'PROPERTY_UNOCCUPIED',
      supplierCodes: ['101143', '101158'],
    });
    expect(o.status).toBe('PENDING');
  });

  it('16 further work (200035 as subCode, 101096 in the message) → DELAY/ADDITIONAL_WORK, HELD', () => {
    const [o, r] = step(acknowledged('NEW', 'IN_PROGRESS'), '16');
    expect(r.kci).toMatchObject({ type: 'DELAY', problemCode: 'ADDITIONAL_WORK', supplierCodes: ['200035', '101096'] });
    expect(o.status).toBe('HELD');
  });

  it('17 copper removed after migration (101185) → informational UPDATE, status unchanged', () => {
    const [o, r] = step(acknowledged('NEW', 'IN_PROGRESS'), '17');
    expect(r.kci).toMatchObject({ updateType: 'INFORMATIONAL', type: 'UPDATE', supplierCodes: ['101185'] });
    expect(o.status).toBe('IN_PROGRESS');
  });

  it('18 KCI3 delayed (no eventType, no eventTime, a characteristic as an object) → DELAY/SUPPLIER_FAULT, HELD', () => {
    const k = load('18');
    expect(k.eventType).toBe('ProductOrderStateChangeEvent');
    expect(k.eventTime).toBeUndefined();
    const [o, r] = step(acknowledged('NEW', 'IN_PROGRESS'), '18');
    expect(r.kci).toMatchObject({ type: 'DELAY', problemCode: 'SUPPLIER_FAULT', supplierCodes: ['101019'] });
    expect(o.status).toBe('HELD');
    expect(chars(r).ONT_PORT).toBe('1');
  });

  it('19 cancelled by BT (100205) → CANCELLED, terminal', () => {
    const [o, r] = step(acknowledged('NEW', 'IN_PROGRESS'), '19');
    expect(r.kci).toMatchObject({ updateType: 'INFORMATIONAL', type: 'CANCELLED', supplierCodes: ['100205'] });
    expect(o.status).toBe('CANCELLED');
    const [o2, r2] = step(o, '07'); // anything later never moves a cancelled order
    expect(o2.status).toBe('CANCELLED');
    expect(r2.status).toBe('CANCELLED');
  });

  it('20 amend actioned (540) → AMENDED and the status from before the amendment', () => {
    const pending: OrderView = {
      status: 'PENDING_AMENDMENT',
      orderType: 'NEW',
      entity: { status: 'PENDING_AMENDMENT' },
      state: { statusBeforeRequest: 'PENDING' } as Bb1OrderState,
    };
    const [o, r] = step(pending, '20');
    expect(r.kci).toMatchObject({ type: 'AMENDED', supplierCodes: ['540'] });
    expect(o.status).toBe('PENDING');
    expect(o.state.items!['13007065']!.internalId).toBe('0001347564'); // the latest internalId, needed by the next amend
  });

  it('21–26 a care-level modify: the new care asset id (not the deleted one) and COMPLETED', () => {
    let o = acknowledged('MODIFY');
    let r: KsuTranslation;
    [o, r] = step(o, '21');
    expect(r.kci?.type).toBe('ADDITIONAL');
    expect(chars(r)).toMatchObject({
      SERVICE_ID: 'BBONE0019911',
      SERVICE_ASSET_ID: '30b2fc9d-8730-6737-788a-b0b0952d7d93',
      CARE_LEVEL_ASSET_ID: '2efbe0e1-1b93-8722-00bb-8224661e8183',
    });
    expect(o.entity.serviceId).toBeUndefined(); // a modify order keeps the serviceId the tenant sent
    [o, r] = step(o, '22');
    expect(r.kci).toMatchObject({ type: 'UPDATE', supplierCodes: ['2001'] });
    [o, r] = step(o, '23');
    expect(r.kci).toMatchObject({ type: 'UPDATE', supplierCodes: ['510'] });
    [o, r] = step(o, '24');
    expect(r.kci?.type).toBe('COMMITTED');
    expect(o.status).toBe('IN_PROGRESS');
    [o, r] = step(o, '25');
    expect(r.kci).toMatchObject({ type: 'UPDATE', supplierCodes: ['530'] });
    [o, r] = step(o, '26');
    expect(r.kci?.type).toBe('COMPLETED');
    expect(o.status).toBe('COMPLETED');
    expect(chars(r).CARE_LEVEL_ASSET_ID).toBe('2efbe0e1-1b93-8722-00bb-8224661e8183');
    expect(o.entity.targetDate).toBe('2023-11-15T23:59:59.000Z');
  });

  it('replaying a KSU changes nothing a tenant can see: no KCI', () => {
    const [o] = step(acknowledged('NEW', 'IN_PROGRESS'), '14');
    const [o2, r] = step(o, '14');
    expect(r.kci).toBeUndefined();
    expect(o2.status).toBe('PENDING');
  });

  it('an older KSU never moves the status backwards (but still adds what is new)', () => {
    let o = acknowledged();
    [o] = step(o, '09'); // completed at 10:47
    expect(o.status).toBe('COMPLETED');
    const [o2, r] = step(o, '07'); // committed at 10:43 arrives late
    expect(r.stale).toBe(true);
    expect(o2.status).toBe('COMPLETED');
    expect(r.kci?.type).not.toBe('COMMITTED');
    const late = translateKsu(
      m,
      load('04'),
      {
        ...acknowledged('NEW', 'IN_PROGRESS'),
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
