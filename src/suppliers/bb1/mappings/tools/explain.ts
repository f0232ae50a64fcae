import type { Bb1Mappings } from '../indexed.js';
import { parseKsu } from '../../inbound/parse-ksu.js';
import { translateKsu } from '../../inbound/translate-ksu.js';
import { buildProvide } from '../../outbound/provide.js';
import { buildModify } from '../../outbound/modify.js';
import { buildCease } from '../../outbound/cease.js';
import { TranslationError } from '../../outbound/translation-error.js';
import type { OrderRequest } from '../../outbound/types.js';

const ACCOUNT = { cugId: 'CUG5009999999', retailerId: 'ZYX', billingAccountId: '0455821481' };

/** file:line of the table row a rule object came from. */
function rowLocation(m: Bb1Mappings, rule: unknown): string | undefined {
  const t = m.tables;
  const lists: [string, string, unknown[]][] = [
    ['ksu-codes', 'codes', t['ksu-codes'].codes],
    ['ksu-item-states', 'items', t['ksu-item-states'].items],
    ['ksu-item-states', 'orderStates', t['ksu-item-states'].orderStates],
    ['ksu-item-states', 'cancelStates', t['ksu-item-states'].cancelStates],
    ['appointment-statuses', 'appointmentStatuses', t['appointment-statuses'].appointmentStatuses],
  ];
  for (const [table, key, list] of lists) {
    const i = list.indexOf(rule);
    if (i >= 0) return m.where(table, [key, i]);
  }
  return undefined;
}

/** What a KSU becomes for an order in a given state: status, KCI and the table rows that fired. */
export function explainKsu(m: Bb1Mappings, body: unknown, opts: { status?: string; orderType?: string } = {}) {
  const ksu = parseKsu(body);
  const status = opts.status ?? 'IN_PROGRESS';
  const r = translateKsu(
    m,
    ksu,
    { status, orderType: opts.orderType ?? 'NEW', entity: { status }, state: {} },
    ksu.eventTime ?? new Date().toISOString(),
  );
  const firedRows = r.firedRules.map(
    (rule, i) => `${r.fired[i]}  (${rowLocation(m, rule) ?? 'built in'})${i === 0 ? '  ← decided the KCI' : ''}`,
  );
  return {
    eventType: ksu.eventType,
    codes: ksu.codes.map((c) => c.code),
    statusBefore: status,
    statusAfter: r.status,
    kci: r.kci ?? null,
    firedRows,
    unmappedCodes: r.unmappedCodes,
    entityChanges: Object.fromEntries(Object.entries(r.entity).filter(([k]) => k !== 'status')),
  };
}

export function explainRequest(m: Bb1Mappings, req: OrderRequest) {
  const slot = req.appointmentReservationId
    ? {
        id: req.appointmentReservationId,
        supplierReference: 'A42D0BDFR',
        start: '2026-12-01T08:00:00Z',
        end: '2026-12-01T13:00:00Z',
      }
    : undefined;
  const externalId = 'EXPLAIN-1';
  if (req.orderType === 'MODIFY') return buildModify(m, req, ACCOUNT, externalId, slot).payload;
  if (req.orderType === 'CEASE') return buildCease(m, req, ACCOUNT, externalId).payload;
  return buildProvide(m, req, ACCOUNT, externalId, slot).payload;
}

/** A KSU (has `event`) or a tenant order request (has `orderType`), explained as readable JSON. */
export function explainFile(
  m: Bb1Mappings,
  body: Record<string, unknown>,
  opts: { status?: string; orderType?: string },
): string {
  try {
    if (body.event || body.eventType) return JSON.stringify(explainKsu(m, body, opts), null, 2);
    if (body.orderType)
      return JSON.stringify({ bb1Payload: explainRequest(m, body as unknown as OrderRequest) }, null, 2);
  } catch (e) {
    if (e instanceof TranslationError) return JSON.stringify({ invalid: e.messages }, null, 2);
    throw e;
  }
  throw new Error('the file is neither a KSU (event/eventType) nor a tenant order request (orderType)');
}
