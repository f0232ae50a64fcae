import type { Logger } from 'pino';
import type { Metrics } from '../../platform/metrics.js';
import type { OrderRequest } from '../../orders/order.js';
import type { SupplierKind, SupplierModule } from '../registry.js';
import type { Supplier, SupplierMappings, SendReceipt, PlacedOrder } from '../supplier.js';
import { tenantOfExternalId } from '../../orders/order.js';
import { classifySlot } from '../../orders/timeslots.js';
import { FibreCafeClient, type CallContext } from './client.js';
import { SupplierError } from '../errors.js';
import { randomUUID } from 'node:crypto';
import { PROBLEM_CODES } from '../../orders/vocabulary.js';
import {
  FIBRECAFE_KIND,
  FibreCafeAccountSchema,
  FibreCafeConfigSchema,
  type FibreCafeAccount,
  type FibreCafeConfig,
} from './config.js';
import { loadTranslation, type Translation } from './mappings.js';
import { interpretUpdate, readUpdate, type ParsedUpdate } from './updates.js';
import { fibreCafeMappingTools } from './tools.js';
import { startFibreCafeSandbox } from './sandbox.js';

export { FIBRECAFE_KIND };

/** Supplier API paths, relative to the configured baseUrl (Fibre Cafe Supplier API 1.15). */
export const PATHS = {
  addresses: '/addresses',
  availability: '/service-availability',
  slots: '/available-appointments',
  reserve: '/appointments',
  orders: '/service-orders',
  amendments: '/service-order-amendments',
  cancellations: '/service-order-cancellations',
} as const;

export interface FibreCafeDeps {
  env: Record<string, string | undefined>;
  mappingsDir: string;
  metrics: Metrics;
  log: Logger;
}

/** What the adapter keeps with an order. */
interface OrderState {
  conversationId?: string;
  lastSequence?: number;
}

/** The payload the dispatcher stores and hands back to `send*`: the body and the correlation it goes with. */
interface Outbound {
  ctx: CallContext;
  body: Record<string, unknown>;
}

const refOf = (data: unknown, ...fields: string[]) => {
  const d = (data ?? {}) as Record<string, unknown>;
  const v = fields.map((f) => d[f]).find((x) => typeof x === 'string' || typeof x === 'number');
  return v === undefined ? undefined : String(v);
};

/** The connector's numeric order id in an externalId of ours (`TENANT-<id>-<hex>`). */
const orderIdOf = (externalId: string) => Number(externalId.match(/-(\d+)-[0-9a-f]{8}$/)?.[1]);

/**
 * A supplier that implements the Fibre Cafe Supplier API 1.15 (any altnet that does), behind the port: the
 * tenant's requests are already in the Fibre Cafe's words, so the adapter passes them with the gateway's ids,
 * the `Tenant` and correlation headers, and the optional tables' renames; Supplier Updates 1.8 come back flat
 * to /v1/suppliers/{id}/kcis and are read by the reasonCode rules (updates.ts).
 */
export function createFibreCafeSupplier(
  id: string,
  config: FibreCafeConfig,
  deps: FibreCafeDeps,
): Supplier<FibreCafeAccount> {
  const folder = config.mappings ?? id.toLowerCase();
  let tables: Translation = loadTranslation(deps.mappingsDir, folder);
  let baseUrl = config.baseUrl === 'sandbox' ? undefined : config.baseUrl.replace(/\/+$/, '');
  let sandbox: Awaited<ReturnType<typeof startFibreCafeSandbox>> | undefined;
  const client = new FibreCafeClient(id, config, () => {
    if (!baseUrl) throw new Error(`${id}: the sandbox is not running`);
    return baseUrl;
  });
  // The altnet knows a tenant by its id here (sent as `Tenant`, named back by its updates).
  const ctxOf = (order: { externalId: string; conversationId?: string }): CallContext => ({
    tenant: tenantOfExternalId(order.externalId) ?? '',
    conversationId: order.conversationId,
  });
  const receipt = (res: { status: number; data: unknown }, ...refFields: string[]): SendReceipt => ({
    supplierOrderId: refOf(res.data, 'supplierOrderReference'),
    supplierReference: refFields.length ? refOf(res.data, ...refFields) : undefined,
    answer: { status: res.status, body: res.data },
  });
  const outboundChars = (list: { name: string; value: string; action?: string }[] | undefined) =>
    list && tables.outbound(list);

  const mappings: SupplierMappings = {
    folder,
    get tableCount() {
      return tables.tableCount;
    },
    prepareReload() {
      const next = loadTranslation(deps.mappingsDir, folder);
      return () => {
        tables = next;
      };
    },
  };

  return {
    id,
    accountSchema: FibreCafeAccountSchema,
    mappings,
    availabilityTimeoutMs: config.timeoutMs,
    describe: () => (sandbox ? `built-in sandbox altnet at ${sandbox.url}` : `Fibre Cafe Supplier API at ${baseUrl}`),

    lookups: {
      async addresses(account, q, context) {
        const params = { postalCode: q.postalCode, uprn: q.uprn };
        const res = await client.call<unknown[]>('GET', PATHS.addresses, lookupCtx(context), { params });
        // Addresses as the Tenant API gives them; anything without an identifier is not one.
        const list = Array.isArray(res.data) ? (res.data as { identifier?: { id?: unknown; type?: unknown } }[]) : [];
        return list.filter(
          (a) => a && typeof a.identifier?.id === 'string' && typeof a.identifier.type === 'string',
        ) as never;
      },
      async availability(account, q, context) {
        const res = await client.call<Record<string, unknown>>('GET', PATHS.availability, lookupCtx(context), {
          params: { address: JSON.stringify(q.address), serviceTypes: 'BROADBAND' },
        });
        const data = (res.data ?? {}) as {
          address?: Record<string, unknown>;
          serviceSpecifications?: { serviceCharacteristics?: never[] }[];
          siteInformation?: unknown;
          unavailabilityReasons?: unknown;
        };
        // The supplier answers for itself (no `supplier` field): the connector adds it. Its address may be the
        // identifier it was asked about (Supplier API) or the address details (Tenant API): given as details.
        const address = data.address?.identifier
          ? data.address
          : data.address?.id
            ? { identifier: data.address }
            : undefined;
        return {
          supplier: id,
          ...(address ? { address } : {}),
          serviceSpecifications: (data.serviceSpecifications ?? []).map((s) => ({
            ...s,
            ...(s.serviceCharacteristics
              ? { serviceCharacteristics: tables.inboundValues(s.serviceCharacteristics) }
              : {}),
          })),
          ...(data.siteInformation ? { siteInformation: data.siteInformation } : {}),
          ...(data.unavailabilityReasons ? { unavailabilityReasons: data.unavailabilityReasons } : {}),
        } as never;
      },
      async slots(account, q, context) {
        const res = await client.call<{
          availableTimeslots?: { timeslotStartDateTime: string; timeslotEndDateTime: string }[];
        }>('GET', PATHS.slots, lookupCtx(context), {
          params: {
            address: JSON.stringify(q.address),
            serviceSpecification: JSON.stringify(q.serviceSpecification),
            appointmentFromDate: q.appointmentFromDate ?? q.today,
            appointmentPurpose: q.appointmentPurpose ?? 'PROVIDE',
          },
        });
        const slots = (res.data?.availableTimeslots ?? []).map((t) => {
          const start = new Date(t.timeslotStartDateTime).toISOString();
          const end = new Date(t.timeslotEndDateTime).toISOString();
          return { timeslotStartDateTime: start, timeslotEndDateTime: end, ...classifySlot(start, end) };
        });
        return q.standardOnly ? slots.filter((s) => s.standard) : slots;
      },
      async reserve(account, req, context) {
        const res = await client.call<Record<string, unknown>>('POST', PATHS.reserve, lookupCtx(context), {
          data: {
            ...(context?.id !== undefined ? { id: context.id } : {}),
            address: req.address,
            serviceSpecification: req.serviceSpecification,
            purpose: req.purpose ?? 'PROVIDE',
            timeslot: {
              timeslotStartDateTime: req.timeslot.timeslotStartDateTime,
              timeslotEndDateTime: req.timeslot.timeslotEndDateTime,
            },
          },
        });
        const ref = refOf(res.data, 'supplierReference');
        if (!ref) throw new SupplierError(id, 'unavailable', 'the reservation was answered without supplierReference');
        const slot = (res.data?.timeslot ?? {}) as { timeslotStartDateTime?: string; timeslotEndDateTime?: string };
        return {
          supplierReference: ref,
          start: new Date(slot.timeslotStartDateTime ?? req.timeslot.timeslotStartDateTime).toISOString(),
          end: new Date(slot.timeslotEndDateTime ?? req.timeslot.timeslotEndDateTime).toISOString(),
          expiryDateTime:
            typeof res.data?.expiryDateTime === 'string' ? new Date(res.data.expiryDateTime).toISOString() : undefined,
        };
      },
    },

    orders: {
      plan(account, req: OrderRequest, { externalId, slot, conversationId }) {
        const tenant = tenantOfExternalId(externalId) ?? '';
        const {
          supplier: _s,
          appointmentReservationId: _a,
          serviceOrderItem,
          ...rest
        } = req as OrderRequest & {
          appointmentReservationId?: number;
        };
        const body: Record<string, unknown> = {
          ...rest,
          id: orderIdOf(externalId),
          tenant,
          ...(serviceOrderItem
            ? {
                serviceOrderItem: {
                  ...serviceOrderItem,
                  serviceCharacteristics: outboundChars(serviceOrderItem.serviceCharacteristics),
                },
              }
            : {}),
          ...(slot
            ? {
                appointment: {
                  appointmentReservationId: slot.id,
                  supplierReference: slot.supplierReference,
                  timeslot: { timeslotStartDateTime: slot.start, timeslotEndDateTime: slot.end },
                },
              }
            : {}),
        };
        const payload: Outbound = { ctx: { tenant, conversationId }, body };
        const adapterState: OrderState = { conversationId };
        return { payload, adapterState };
      },
      planAmend(account, order, req, slot, context) {
        const {
          supplier: _s,
          appointmentReservationId: _a,
          serviceCharacteristics,
          ...rest
        } = req as typeof req & {
          appointmentReservationId?: number;
          serviceCharacteristics?: { name: string; value: string }[];
        };
        const body: Record<string, unknown> = {
          ...rest,
          ...(context?.id !== undefined ? { id: context.id } : {}),
          orderId: orderIdOf(order.externalId),
          ...(order.supplierOrderId ? { supplierOrderReference: order.supplierOrderId } : {}),
          ...(serviceCharacteristics ? { serviceCharacteristics: outboundChars(serviceCharacteristics) } : {}),
          ...(slot
            ? {
                appointment: {
                  appointmentReservationId: slot.id,
                  supplierReference: slot.supplierReference,
                  timeslot: { timeslotStartDateTime: slot.start, timeslotEndDateTime: slot.end },
                },
              }
            : {}),
        };
        return { payload: { ctx: ctxOf(orderCtx(order)), body } satisfies Outbound };
      },
      planCancel(account, order, req, context) {
        const body: Record<string, unknown> = {
          ...(context?.id !== undefined ? { id: context.id } : {}),
          orderId: orderIdOf(order.externalId),
          reasonCode: req.reasonCode,
          ...(req.text ? { text: req.text } : {}),
          ...(order.supplierOrderId ? { supplierOrderReference: order.supplierOrderId } : {}),
        };
        return { payload: { ctx: ctxOf(orderCtx(order)), body } satisfies Outbound };
      },
      // 201: taken at once (the answer may carry the supplier's order reference); 202: taken, the
      // acknowledgement follows as a Supplier Update; 422 (or 400): refused, the supplier's messages passed on.
      async send(_account, payload) {
        const p = payload as Outbound;
        const res = await client.call('POST', PATHS.orders, p.ctx, { data: p.body });
        return { ...receipt(res), update: res.status === 201 ? answerUpdate(p.body, res.data) : undefined };
      },
      // 201: the amendment applied, the cancellation done (the tenant hears so as from an AMENDED / CANCELLED
      // update); 202: confirmed later by a Supplier Update.
      async sendAmend(_account, order, payload) {
        const p = payload as Outbound;
        const res = await client.call('POST', PATHS.amendments, p.ctx, { data: p.body });
        const r = receipt(res, 'serviceOrderAmendmentReference', 'supplierReference');
        if (res.status !== 201) return r;
        const entity = { serviceOrderAmendmentId: p.body.id, serviceOrderAmendmentReference: r.supplierReference };
        return { ...r, update: requestAnswerUpdate(order, p, 'AMENDED', entity) };
      },
      async sendCancel(_account, order, payload) {
        const p = payload as Outbound;
        const res = await client.call('POST', PATHS.cancellations, p.ctx, { data: p.body });
        const r = receipt(res, 'serviceOrderCancellationReference', 'supplierReference');
        if (res.status !== 201) return r;
        const entity = {
          status: 'CANCELLED',
          serviceOrderCancellationId: p.body.id,
          serviceOrderCancellationReference: r.supplierReference,
        };
        return { ...r, update: requestAnswerUpdate(order, p, 'CANCELLED', entity) };
      },
    },

    updates: {
      endpoint: 'kcis',
      read: (body) => readUpdate(id, body),
      // The update's tenant is the order's: the receiver refuses one naming a tenant without this supplier.
      refuses: () => undefined,
      interpret: (parsed, order) => interpretUpdate(parsed as ParsedUpdate, order, tables),
    },

    async start(env) {
      if (config.baseUrl !== 'sandbox') return;
      sandbox = await startFibreCafeSandbox({
        supplierId: id,
        connectorBaseUrl: env.publicBaseUrl,
        paceMs: config.sandboxPaceMs,
        updatesClient: config.updatesClient,
        log: deps.log.child({ component: `sandbox ${id}` }),
      });
      baseUrl = sandbox.url;
    },
    async stop() {
      await sandbox?.stop();
    },
  };

  function lookupCtx(context: { tenantId: string; conversationId?: string } | undefined): CallContext {
    return { tenant: context?.tenantId ?? '', conversationId: context?.conversationId };
  }
}

/**
 * A 201 to an order is the supplier's acknowledgement (status ACKNOWLEDGED), or its commitment (IN_PROGRESS with a
 * committedDate): the Supplier Update it would otherwise have sent, so the tenant hears of it the same way.
 */
function answerUpdate(sent: Record<string, unknown>, data: unknown): Record<string, unknown> | undefined {
  const d = (data ?? {}) as Record<string, unknown>;
  const committed = d.status === 'IN_PROGRESS' && typeof d.committedDate === 'string';
  if (d.status !== 'ACKNOWLEDGED' && !committed) return undefined;
  const field =
    sent.orderType === 'MODIFY'
      ? 'modifyServiceOrder'
      : sent.orderType === 'CEASE'
        ? 'ceaseServiceOrder'
        : 'provideServiceOrder';
  return {
    id: `answer-${sent.tenant}-${sent.id}-${randomUUID()}`,
    sequenceNumber: 1,
    issuedOn: new Date().toISOString(),
    reasonCode: committed ? 'COMMITTED' : 'ACKNOWLEDGED',
    [field]: { ...d, id: sent.id, tenant: sent.tenant },
  };
}

/** A 201 to an amendment or cancellation: the AMENDED or CANCELLED update it stands for. */
function requestAnswerUpdate(
  order: PlacedOrder,
  sent: Outbound,
  reasonCode: 'AMENDED' | 'CANCELLED',
  entity: Record<string, unknown>,
): Record<string, unknown> {
  const field =
    order.orderType === 'MODIFY'
      ? 'modifyServiceOrder'
      : order.orderType === 'CEASE'
        ? 'ceaseServiceOrder'
        : 'provideServiceOrder';
  const reason = String(sent.body.reasonCode ?? '');
  return {
    id: `answer-${sent.ctx.tenant}-${String(sent.body.orderId)}-${randomUUID()}`,
    // after any the supplier numbered: an answer is the newest thing known of the order
    sequenceNumber: ((order.adapterState as OrderState | undefined)?.lastSequence ?? 0) + 1,
    issuedOn: new Date().toISOString(),
    reasonCode,
    ...(reasonCode === 'CANCELLED'
      ? { problemCode: (PROBLEM_CODES as readonly string[]).includes(reason) ? reason : 'OTHER' }
      : {}),
    [field]: {
      id: sent.body.orderId,
      tenant: sent.ctx.tenant,
      ...(order.supplierOrderId ? { supplierOrderReference: order.supplierOrderId } : {}),
      ...Object.fromEntries(Object.entries(entity).filter(([, v]) => v !== undefined)),
    },
  };
}

const orderCtx = (order: PlacedOrder) => ({
  externalId: order.externalId,
  conversationId: order.conversationId ?? (order.adapterState as OrderState | undefined)?.conversationId,
});

/** The registry's entry for this kind: each configured supplier of it is a module of its own. */
export const fibreCafeKind: SupplierKind = {
  configSchema: FibreCafeConfigSchema,
  mappingTools: fibreCafeMappingTools,
  module(id, raw): SupplierModule {
    const config = raw as FibreCafeConfig;
    return {
      id,
      accountSchema: FibreCafeAccountSchema,
      supplierClient: config.updatesClient,
      mappingTools: fibreCafeMappingTools(config.mappings ?? id.toLowerCase()),
      create: (deps) => createFibreCafeSupplier(id, config, deps) as Supplier,
    };
  },
};
