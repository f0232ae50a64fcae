import type { AppContext } from '../context.js';
import type { Tenant } from '../config/tenants.js';
import { buildAmend, buildCancel, type KnownItem } from '../suppliers/bb1/outbound/amend-cancel.js';
import type { AmendmentRequest, CancellationRequest, ReservedSlot } from '../suppliers/bb1/outbound/types.js';
import type { Technology } from '../suppliers/bb1/mappings/indexed.js';
import type { Bb1OrderState } from '../suppliers/bb1/inbound/translate-ksu.js';
import { ApiError } from '../http/errors.js';
import { nextValue } from '../store/counters.js';
import { TenantOrders, updateOrder } from '../store/orders.js';
import { findReservation } from './reserve-appointment.js';
import { requireSupplier } from './lookups.js';
import { toApiError } from './supplier-errors.js';

const AMENDABLE = ['ACKNOWLEDGED', 'IN_PROGRESS', 'PENDING', 'HELD', 'PENDING_AMENDMENT'];
const CANCELLABLE = ['ACKNOWLEDGED', 'IN_PROGRESS', 'PENDING', 'HELD', 'PENDING_AMENDMENT', 'SENT_TO_SUPPLIER'];

async function lockOwnOrder(trx: Parameters<typeof updateOrder>[0], tenantId: string, orderId: number) {
  const order = await new TenantOrders(trx, tenantId).getForUpdate(orderId, trx);
  if (!order) throw ApiError.notFound(`service order ${orderId}`);
  return order;
}

/** POST /v1/service-order-amendments: PATCH with the latest internalIds, sent by the dispatcher. */
export async function amendOrder(ctx: AppContext, tenant: Tenant, req: AmendmentRequest, conversationId: string) {
  requireSupplier(req.supplier);
  let slot: (ReservedSlot & { timeslot?: unknown }) | undefined;
  if (req.appointmentReservationId !== undefined) {
    const r = await findReservation(ctx, tenant.id, req.appointmentReservationId);
    slot = {
      id: r.id,
      supplierReference: r.supplierReference,
      start: r.timeslot.timeslotStartDateTime,
      end: r.timeslot.timeslotEndDateTime,
      siteVisitReason: r.siteVisitReason,
      timeslot: r.timeslot,
    };
  }
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      const order = await lockOwnOrder(trx, tenant.id, req.orderId);
      if (!AMENDABLE.includes(order.status))
        throw ApiError.unprocessable(
          `orderId: order ${req.orderId} is ${order.status}; amendments are accepted while it is ${AMENDABLE.join(', ')}`,
        );
      const state = order.supplierState as Bb1OrderState & { technology?: Technology };
      const items: KnownItem[] = Object.values(state.items ?? {}).map((i) => ({
        id: i.id,
        internalId: i.internalId,
        ecode: i.ecode,
        parentId: i.parentId,
      }));
      let payload: Record<string, unknown>;
      try {
        payload = buildAmend(ctx.bb1.mappings, req, tenant.bb1, state.technology ?? 'FTTP', items, slot);
      } catch (e) {
        throw toApiError(e);
      }
      const id = await nextValue(trx, tenant.id, 'amendment');
      const now = new Date().toISOString();
      const amendment: Record<string, unknown> = {
        id,
        supplierReference: `${order.supplierOrderId ?? order.externalId}-${id}`,
        status: 'RECEIVED_BY_GATEWAY',
        ...structuredClone(req),
        created: now,
      };
      await trx
        .insertInto('order_requests')
        .values({
          tenant_id: tenant.id,
          kind: 'AMENDMENT',
          id,
          order_id: order.id,
          status: 'RECEIVED_BY_GATEWAY',
          body: JSON.stringify(amendment),
          outbound: JSON.stringify(payload),
          send_state: 'PENDING',
          conversation_id: conversationId,
          created_at: now,
        })
        .execute();
      const entity = { ...order.entity, status: 'PENDING_AMENDMENT', serviceOrderAmendment: amendment, updated: now };
      const newState = {
        ...state,
        statusBeforeRequest: order.status === 'PENDING_AMENDMENT' ? state.statusBeforeRequest : order.status,
      };
      await updateOrder(
        trx,
        order,
        { status: 'PENDING_AMENDMENT', entity, supplierState: newState },
        { event: 'AMENDMENT_RECEIVED', detail: { amendmentId: id } },
      );
      return amendment;
    })
    .finally(() => ctx.kick.dispatch());
}

/** POST /v1/service-order-cancellations: BB1 cancelOrder with one of its seven reasons. */
export async function cancelOrder(ctx: AppContext, tenant: Tenant, req: CancellationRequest, conversationId: string) {
  requireSupplier(req.supplier);
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      const order = await lockOwnOrder(trx, tenant.id, req.orderId);
      if (!CANCELLABLE.includes(order.status))
        throw ApiError.unprocessable(
          `orderId: order ${req.orderId} is ${order.status}; cancellations are accepted while it is ${CANCELLABLE.join(', ')}`,
        );
      let payload: Record<string, unknown>;
      try {
        payload = buildCancel(ctx.bb1.mappings, req, order.supplierOrderId);
      } catch (e) {
        throw toApiError(e);
      }
      const id = await nextValue(trx, tenant.id, 'cancellation');
      const now = new Date().toISOString();
      const cancellation: Record<string, unknown> = {
        id,
        supplierReference: `${order.supplierOrderId}-C${id}`,
        status: 'RECEIVED_BY_GATEWAY',
        supplier: req.supplier ?? order.supplier,
        orderId: req.orderId,
        reasonCode: req.reasonCode,
        ...(req.text ? { text: req.text } : {}),
        created: now,
      };
      await trx
        .insertInto('order_requests')
        .values({
          tenant_id: tenant.id,
          kind: 'CANCELLATION',
          id,
          order_id: order.id,
          status: 'RECEIVED_BY_GATEWAY',
          body: JSON.stringify(cancellation),
          outbound: JSON.stringify(payload),
          send_state: 'PENDING',
          conversation_id: conversationId,
          created_at: now,
        })
        .execute();
      const state = order.supplierState as Bb1OrderState;
      const entity = {
        ...order.entity,
        status: 'PENDING_CANCELLATION',
        serviceOrderCancellation: cancellation,
        updated: now,
      };
      await updateOrder(
        trx,
        order,
        {
          status: 'PENDING_CANCELLATION',
          entity,
          supplierState: {
            ...state,
            statusBeforeRequest: order.status.startsWith('PENDING_') ? state.statusBeforeRequest : order.status,
          },
        },
        { event: 'CANCELLATION_RECEIVED', detail: { cancellationId: id } },
      );
      return cancellation;
    })
    .finally(() => ctx.kick.dispatch());
}
