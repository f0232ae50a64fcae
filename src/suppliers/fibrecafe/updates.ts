import { z } from 'zod';
import {
  UpdateRuleError,
  UpdateShapeError,
  type KciSignal,
  type SupplierUpdate,
  type UpdateContext,
  type UpdateKeys,
} from '../supplier.js';
import { ORDER_STATUSES, PROBLEM_CODES, type OrderStatus } from '../../orders/vocabulary.js';
import type { Translation } from './mappings.js';

/** Supplier Updates API 1.8 reason codes and what each means to the tenant (the rules of its §"reasonCode"). */
interface ReasonRule {
  kci: { updateType: 'INFORMATIONAL' | 'ACTION_REQUIRED'; type: string };
  /** the status the order moves to (PREVIOUS: back to where it was before the tenant's request) */
  status?: OrderStatus | 'PREVIOUS';
  /** the update must carry a problemCode / text */
  needs?: ('problemCode' | 'text' | 'committedDate' | 'amendment')[];
  priority: number;
  setsCommittedDate?: boolean;
}

const info = (type: string) => ({ updateType: 'INFORMATIONAL' as const, type });
const action = (type: string) => ({ updateType: 'ACTION_REQUIRED' as const, type });

export const REASON_RULES: Record<string, ReasonRule> = {
  CREATED: { kci: info('CREATED'), priority: 10 },
  UPDATE: { kci: info('UPDATE'), priority: 5 },
  ACKNOWLEDGED: { kci: info('ACKNOWLEDGED'), status: 'ACKNOWLEDGED', priority: 10 },
  COMMITTED: {
    kci: info('COMMITTED'),
    status: 'IN_PROGRESS',
    priority: 20,
    needs: ['committedDate'],
    setsCommittedDate: true,
  },
  ADDITIONAL: { kci: info('ADDITIONAL'), priority: 5 },
  WARNING: { kci: info('WARNING'), priority: 5, needs: ['problemCode'] },
  DELAY: { kci: info('DELAY'), status: 'HELD', priority: 30, needs: ['problemCode'] },
  RESUMED: { kci: info('RESUMED'), status: 'IN_PROGRESS', priority: 30 },
  INFORMATION_REQUIRED: { kci: action('INFORMATION_REQUIRED'), status: 'PENDING', priority: 40, needs: ['text'] },
  REAPPOINT: { kci: action('REAPPOINT'), status: 'PENDING', priority: 40, needs: ['problemCode'] },
  REAPPOINTED: { kci: info('REAPPOINTED'), priority: 25 },
  AMENDED: { kci: info('AMENDED'), status: 'PREVIOUS', priority: 50, needs: ['amendment'] },
  AMENDMENT_REJECTED: { kci: action('RESUBMIT'), status: 'PREVIOUS', priority: 50 },
  CANCELLED: { kci: info('CANCELLED'), status: 'CANCELLED', priority: 90, needs: ['problemCode'] },
  CANCELLATION_REJECTED: { kci: action('RESUBMIT'), status: 'PREVIOUS', priority: 50 },
  ORDER_REJECTED: { kci: action('RESUBMIT'), status: 'REJECTED', priority: 90, needs: ['text'] },
  COMPLETED: { kci: info('COMPLETED'), status: 'COMPLETED', priority: 100 },
};
export const REASON_CODES = Object.keys(REASON_RULES) as [string, ...string[]];

const ENTITIES = ['provideServiceOrder', 'modifyServiceOrder', 'ceaseServiceOrder'] as const;

const Characteristic = z.object({ name: z.string().min(1).max(200), value: z.string().max(1000) }).passthrough();
const Timeslot = z
  .object({
    timeslotStartDateTime: z.string().datetime({ offset: true }),
    timeslotEndDateTime: z.string().datetime({ offset: true }),
  })
  .passthrough();

const Entity = z
  .object({
    id: z.number().int().positive().optional(),
    tenant: z
      .string()
      .regex(/^\w{1,20}$/, 'must match ^\\w{1,20}$')
      .optional(),
    supplierOrderReference: z.string().min(1).max(256).optional(),
    status: z.string().optional(),
    committedDate: z.string().datetime({ offset: true }).optional(),
    targetDate: z.string().datetime({ offset: true }).optional(),
    serviceId: z.string().max(200).optional(),
    serviceOrderAmendmentId: z.number().int().optional(),
    serviceOrderAmendmentReference: z.string().optional(),
    serviceOrderCancellationId: z.number().int().optional(),
    serviceOrderCancellationReference: z.string().optional(),
    appointment: z
      .object({ supplierReference: z.string().max(200).optional(), timeslot: Timeslot.optional() })
      .passthrough()
      .nullable()
      .optional(),
    serviceOrderItem: z
      .object({ serviceCharacteristics: z.array(Characteristic).max(200).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

const UpdateBody = z
  .object({
    id: z.string().min(1).max(200),
    sequenceNumber: z.number().int().positive(),
    issuedOn: z.string().datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
    reasonCode: z.enum(REASON_CODES),
    problemCode: z.enum(PROBLEM_CODES).optional(),
    text: z.string().max(4000).optional(),
    supplierCodes: z.array(z.string().max(200)).max(50).optional(),
    supplierCode: z.string().max(200).optional(),
    supplierNotes: z
      .array(
        z.object({ note: z.string().max(4000), type: z.string().max(200).optional(), created: z.string().optional() }),
      )
      .max(50)
      .optional(),
    provideServiceOrder: Entity.optional(),
    modifyServiceOrder: Entity.optional(),
    ceaseServiceOrder: Entity.optional(),
  })
  .passthrough();

/** A Supplier Update as read: its body and which entity it carries. */
export interface ParsedUpdate {
  body: z.infer<typeof UpdateBody>;
  entityField: (typeof ENTITIES)[number];
  entity: z.infer<typeof Entity>;
}

const field = (path: (string | number)[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${p}`), 'body');

/** Reads a Supplier Update (pure): 400-style problems as UpdateShapeError, a reasonCode rule broken as UpdateRuleError. */
export function readUpdate(supplierId: string, raw: unknown): { keys: UpdateKeys; parsed: ParsedUpdate } {
  const r = UpdateBody.safeParse(raw);
  if (!r.success) throw new UpdateShapeError(r.error.issues.map((i) => `${field(i.path)}: ${i.message}`).join('; '));
  const body = r.data;
  const present = ENTITIES.filter((e) => body[e] !== undefined);
  if (present.length !== 1)
    throw new UpdateShapeError(
      `body: exactly one of ${ENTITIES.join(', ')} is required${present.length ? ` (got ${present.join(', ')})` : ''}`,
    );
  const entityField = present[0]!;
  const entity = body[entityField]!;
  if (!(entity.id !== undefined && entity.tenant) && !entity.supplierOrderReference)
    throw new UpdateShapeError(
      `body.${entityField}: the order must be identified by id and tenant, or by supplierOrderReference`,
    );
  const rule = REASON_RULES[body.reasonCode]!;
  const broken: string[] = [];
  for (const need of rule.needs ?? []) {
    if (need === 'problemCode' && !body.problemCode) broken.push(`body.problemCode: required for ${body.reasonCode}`);
    if (need === 'text' && !body.text?.trim()) broken.push(`body.text: required for ${body.reasonCode}`);
    if (need === 'committedDate' && !entity.committedDate)
      broken.push(`body.${entityField}.committedDate: required for ${body.reasonCode}`);
    if (need === 'amendment' && entity.serviceOrderAmendmentId === undefined && !entity.serviceOrderAmendmentReference)
      broken.push(
        `body.${entityField}.serviceOrderAmendmentId: ${body.reasonCode} must reference serviceOrderAmendmentId or serviceOrderAmendmentReference`,
      );
  }
  if (broken.length) throw new UpdateRuleError(broken.join('; '));
  return {
    parsed: { body, entityField, entity },
    keys: {
      // Ids are the supplier's: kept apart from other suppliers' in the one inbox.
      eventId: `${supplierId}:${body.id}`,
      eventType: body.reasonCode,
      eventTime: body.issuedOn,
      supplierOrderId: entity.supplierOrderReference,
      gatewayOrder: entity.id !== undefined && entity.tenant ? { tenantId: entity.tenant, id: entity.id } : undefined,
      sequence: body.sequenceNumber,
    },
  };
}

/** What a Supplier Update says about its order, in the connector's words (pure). */
export function interpretUpdate(p: ParsedUpdate, order: UpdateContext, tables: Translation): SupplierUpdate {
  const { body, entity } = p;
  const rule = REASON_RULES[body.reasonCode]!;
  const codes = [...new Set([...(body.supplierCodes ?? []), ...(body.supplierCode ? [body.supplierCode] : [])])];
  // The supplier's own status for the order, where it is one of ours and the rule leaves it open (e.g. DELAY → HELD
  // "usually"): the rule's status decides otherwise.
  const own = ORDER_STATUSES.includes(entity.status as OrderStatus) ? (entity.status as OrderStatus) : undefined;
  const status = rule.status === 'PREVIOUS' ? 'PREVIOUS' : rule.status === 'HELD' && own ? own : rule.status;
  const characteristics = tables
    .inbound(entity.serviceOrderItem?.serviceCharacteristics ?? [])
    .map((c): [string, string] => [c.name, c.value]);
  if (entity.serviceId) characteristics.push(['SERVICE_ID', entity.serviceId]);
  const slot = entity.appointment?.timeslot;
  const state = (order.adapterState ?? {}) as { lastSequence?: number };
  return {
    eventTime: body.issuedOn,
    signals: [
      {
        kci: { ...rule.kci, ...(body.problemCode ? { problemCode: body.problemCode } : {}) } as KciSignal,
        status,
        priority: rule.priority,
        // Every Supplier Update is news of its own (the supplier numbers them); a repeat is caught by its id.
        key: `update:${body.id}`,
        text: body.text,
        ownText: Boolean(body.text),
        code: codes[0],
        setsCommittedDate: rule.setsCommittedDate,
        targetDate: entity.targetDate,
        source: `Supplier Updates API reasonCode ${body.reasonCode}`,
      },
    ],
    codes,
    unmapped: [],
    codeTexts: codes.map((code) => ({ code, text: body.text })),
    facts: {
      supplierOrderId: entity.supplierOrderReference,
      characteristics,
      serviceId: entity.serviceId,
      appointment:
        entity.appointment === null
          ? null
          : slot
            ? {
                reference: entity.appointment?.supplierReference,
                start: new Date(slot.timeslotStartDateTime).toISOString(),
                end: new Date(slot.timeslotEndDateTime).toISOString(),
              }
            : undefined,
      expectedCompletionDate: entity.committedDate && rule.setsCommittedDate ? entity.committedDate : entity.targetDate,
      notes: (body.supplierNotes ?? []).map((n) => ({ note: n.note, type: n.type, created: n.created })),
    },
    adapterState: { ...state, lastSequence: Math.max(state.lastSequence ?? 0, body.sequenceNumber) },
  };
}
