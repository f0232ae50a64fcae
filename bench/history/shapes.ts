// Row shapes for the seeded history, made by the service's own code from the repository's fixtures: a
// provide order as createOrder stores it (request, entity, BB1 payload), the BB1 state and entity after the
// real KSUs of seed 003 were translated onto it, KSUs as BB1 sent them (the fixtures' text, ids replaced),
// and KCI bodies as the outbox writes them. Values that vary per row are @@NAME@@ placeholders, replaced in SQL.
import { readFileSync, readdirSync } from 'node:fs';
import { loadBb1Mappings } from '../../src/suppliers/bb1/mappings/load.js';
import { buildProvide } from '../../src/suppliers/bb1/outbound/provide.js';
import type { OrderRequest } from '../../src/suppliers/bb1/outbound/types.js';
import { parseKsu } from '../../src/suppliers/bb1/inbound/parse-ksu.js';
import { translateKsu, type OrderView } from '../../src/suppliers/bb1/inbound/translate-ksu.js';
import { kciBody, reason, type KciContent } from '../../src/kci/envelope.js';

export interface HistoryShapes {
  /** orders.request, entity, outbound, supplier_state, lifecycle (placeholders: OID EXT BB1 STATUS TYPE CREATED UPDATED) */
  request: string;
  entity: string;
  outbound: string;
  supplierState: string;
  lifecycle: string;
  /** ksu_inbox.raw, one per KSU of an order in turn (placeholders: EXT BB1 EVT TIME CUG) */
  ksus: { raw: string; eventType: string; codes: string[] }[];
  /** kci_outbox.body, one per KCI of an order in turn (placeholders: KID SEQ OID EXT BB1 STATUS TYPE CREATED UPDATED ISSUED RECEIVED) */
  kcis: string[];
}

const FIXTURES = 'test/fixtures/seed003/';
// The KSUs of a provide's life in seed 003: created, in progress, acknowledged, committed, completed.
const LIFE = ['00', '01', '04', '07', '09'];
const ph = (name: string) => `@@${name}@@`;
/** JSON text with a placeholder where a number goes: "@@X@@" (a string while built) becomes @@X@@. */
const unquote = (json: string, ...names: string[]) =>
  names.reduce((s, n) => s.split(JSON.stringify(ph(n))).join(ph(n)), json);

export function historyShapes(mappingsDir = 'mappings'): HistoryShapes {
  const m = loadBb1Mappings(mappingsDir);
  const request = JSON.parse(
    readFileSync('test/fixtures/requests/provide-fttp-appointed.json', 'utf8'),
  ) as OrderRequest;
  const slot = {
    id: 1,
    supplierReference: 'CBD71D8FR',
    start: '2024-03-07T08:00:00.000Z',
    end: '2024-03-07T13:00:00.000Z',
    siteVisitReason: 'Premium',
  };
  const account = { cugId: ph('CUG'), retailerId: 'ZYX', billingAccountId: '0455821481' };
  const plan = buildProvide(m, request, account, ph('EXT'), slot);
  let view: OrderView = {
    status: 'SENT_TO_SUPPLIER',
    orderType: 'NEW',
    entity: {
      id: ph('OID'),
      orderType: 'NEW',
      supplier: 'BTWHOLESALEBB1',
      status: 'SENT_TO_SUPPLIER',
      address: request.address,
      serviceOrderItem: request.serviceOrderItem,
      primaryContact: request.primaryContact,
      appointmentReservationId: 1,
      appointmentSupplierReference: slot.supplierReference,
      appointmentTimeslot: {
        timeslotStartDateTime: slot.start,
        timeslotEndDateTime: slot.end,
        timeslotType: 'WEEKDAY_AM',
      },
      created: ph('CREATED'),
      updated: ph('UPDATED'),
    },
    state: { technology: plan.technology, ecode: plan.ecode } as OrderView['state'],
  };
  const files = readdirSync(FIXTURES).sort();
  const ksus: HistoryShapes['ksus'] = [];
  const drafts: unknown[] = [];
  for (const prefix of LIFE) {
    const text = readFileSync(FIXTURES + files.find((f) => f.startsWith(prefix))!, 'utf8');
    const body = JSON.parse(text);
    const parsed = parseKsu(body);
    const t = translateKsu(m, parsed, view, '2024-06-01T00:00:00.000Z');
    view = { ...view, status: t.status, entity: t.entity, state: t.state };
    const po = body.event.productOrder;
    po.externalId = ph('EXT');
    po.id = ph('BB1');
    body.eventId = ph('EVT');
    body.eventTime = ph('TIME');
    for (const p of Array.isArray(po.relatedParty) ? po.relatedParty : [po.relatedParty])
      if (p?.role === 'BtCug') p.id = ph('CUG');
    ksus.push({ raw: JSON.stringify(body), eventType: parsed.eventType, codes: parsed.codes.map((c) => c.code) });
    const k = t.kcis[0] ?? { updateType: 'INFORMATIONAL' as const, type: 'UPDATE', supplierCodes: [] };
    const r = reason(k.type, k);
    drafts.push(
      k.updateType === 'ACTION_REQUIRED'
        ? { updateType: 'ACTION_REQUIRED', actionRequired: r }
        : { updateType: 'INFORMATIONAL', information: r },
    );
  }
  const entity = {
    ...view.entity,
    id: ph('OID'),
    orderType: ph('TYPE'),
    status: ph('STATUS'),
    supplierOrderNumber: ph('BB1'),
    updated: ph('UPDATED'),
  };
  // The adapter's state and the lifecycle's, in their columns (translateKsu holds them as one).
  const { technology, ecode, items, ...lifecycle } = view.state;
  const kcis = drafts.map((content) => {
    const body = kciBody({
      supplier: 'BTWHOLESALEBB1',
      sequenceNumber: ph('SEQ') as unknown as number,
      content: content as KciContent,
      orderType: 'NEW',
      entity: entity as never,
      issuedOn: ph('ISSUED'),
      receivedOn: ph('RECEIVED'),
    });
    return unquote(JSON.stringify({ ...body, id: ph('KID') }), 'SEQ', 'OID');
  });
  return {
    request: JSON.stringify(request),
    entity: unquote(JSON.stringify(entity), 'OID'),
    outbound: JSON.stringify({ ...plan.payload, externalId: ph('EXT') }),
    supplierState: JSON.stringify({ technology, ecode, items }),
    lifecycle: JSON.stringify(lifecycle),
    ksus,
    kcis,
  };
}
