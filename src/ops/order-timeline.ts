import type { components } from '../generated/ops-api.js';
import type { SupplierRegistry } from '../suppliers/registry.js';
import type { OrderEntity } from '../orders/order.js';
import type { OrderStatus } from '../orders/vocabulary.js';
import { applyUpdate, isStale, type LifecycleState } from '../orders/lifecycle.js';
import type { OrderStory } from '../store/read/order-story.js';

export type OrderTimeline = components['schemas']['OrderTimeline'];
type TimelineEvent = components['schemas']['TimelineEvent'];
type Explained = NonNullable<components['schemas']['TimelineKsu']['explained']>;

/**
 * An order's story as one list, oldest first (events at the same moment keep a natural order: the request
 * before its RECEIVED, a payload before its send, a KSU before the history line it wrote). Each KSU is
 * explained by replaying the order's KSUs through the supplier's tables in use now and the lifecycle, as the
 * applier does (src/ksus/apply.ts): the status before and after, the table rows that fired (as
 * `npm run mappings -- explain` lists them), the KCI it decides. Pure: the caller reads the story.
 */
export function buildTimeline(story: OrderStory, suppliers: Pick<SupplierRegistry, 'get'>): OrderTimeline {
  const { order } = story;
  const { request, outbound, ...summary } = order;
  const supplier = suppliers.get(order.supplier);
  const events: TimelineEvent[] = [
    {
      at: order.createdAt,
      kind: 'REQUEST',
      title: `${order.orderType} order request from ${order.tenantId}`,
      request,
    },
  ];
  const firstSend = story.history.find((h) => h.event.startsWith('SEND_'));
  events.push({
    at: firstSend?.at ?? order.createdAt,
    kind: 'PAYLOAD',
    title: firstSend
      ? `Payload sent to ${order.supplier}`
      : `Payload for ${order.supplier}, not sent yet (send state ${order.sendState})`,
    status: firstSend ? firstSend.event.slice('SEND_'.length) : order.sendState,
    payload: outbound ?? null,
  });
  // Replayed from the order as sent: each applied KSU leaves the status, entity, lifecycle and adapter state
  // the next one starts from.
  let replay = {
    status: 'SENT_TO_SUPPLIER' as OrderStatus,
    entity: { status: 'SENT_TO_SUPPLIER' } as unknown as OrderEntity,
    lifecycle: {} as LifecycleState,
    adapterState: undefined as unknown,
  };
  for (const { body, ...k } of story.ksus) {
    let explained: Explained | null = null;
    let explainError: string | null = null;
    try {
      if (!supplier?.updates) throw new Error(`supplier ${order.supplier} is not configured`);
      const { keys, parsed } = supplier.updates.read(body ?? JSON.parse(k.raw));
      const stale = isStale(replay.lifecycle, keys.eventTime ?? k.receivedAt);
      const u = supplier.updates.interpret(parsed, {
        orderType: order.orderType,
        entity: replay.entity,
        adapterState: replay.adapterState,
        stale,
      });
      const r = applyUpdate(
        { status: replay.status, orderType: order.orderType, entity: replay.entity, state: replay.lifecycle },
        u,
        k.receivedAt,
      );
      const decided = u.signals.findIndex((s) => s.kci);
      explained = {
        statusBefore: replay.status,
        statusAfter: r.status,
        codes: u.codes,
        firedRows: u.signals.map((s, i) => `${s.source}${i === decided && r.kcis.length ? '  ← decided the KCI' : ''}`),
        unmappedCodes: u.unmapped.map((c) => c.code),
        kci: r.kcis[0] ? { ...r.kcis[0] } : null,
        kcis: r.kcis.map((x) => ({ ...x })),
      };
      if (k.status === 'APPLIED')
        replay = { status: r.status, entity: r.entity, lifecycle: r.state, adapterState: u.adapterState };
    } catch (e) {
      explainError = (e as Error).message;
    }
    events.push({
      at: k.receivedAt,
      kind: 'KSU',
      title: `KSU ${k.eventType ?? '(no event type)'} #${k.id}`,
      status: k.status,
      ksu: { ...k, explained, explainError },
    });
  }
  for (const h of story.history)
    events.push({ at: h.at, kind: 'HISTORY', title: h.event, history: { event: h.event, detail: h.detail ?? null } });
  for (const k of story.kcis)
    events.push({
      at: k.createdAt,
      kind: 'KCI',
      title: `KCI #${k.sequenceNumber} ${kciKind(k.body)}`,
      status: k.status,
      kci: {
        id: k.id,
        sequenceNumber: k.sequenceNumber,
        status: k.status as 'PENDING' | 'DELIVERED' | 'DEAD',
        attempts: k.attempts,
        lastError: k.lastError,
        lastStatus: k.lastStatus,
        deliveredAt: k.deliveredAt,
        nextAttemptAt: k.nextAttemptAt,
        body: k.body,
      },
    });
  for (const r of story.requests)
    events.push({
      at: r.createdAt,
      kind: r.kind === 'CANCELLATION' ? 'CANCELLATION' : 'AMENDMENT',
      title: `${r.kind === 'CANCELLATION' ? 'Cancellation' : 'Amendment'} request #${r.id}`,
      status: r.status,
      orderRequest: {
        kind: r.kind as 'AMENDMENT' | 'CANCELLATION',
        id: r.id,
        status: r.status,
        sendState: r.sendState,
        body: r.body,
        outbound: r.outbound ?? null,
      },
    });
  // Array.prototype.sort is stable: equal times keep the order pushed above.
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { order: summary, events };
}

/** `INFORMATIONAL ACKNOWLEDGED`, `ACTION_REQUIRED REAPPOINT`, `ERROR SUPPLIER_FAULT`. */
function kciKind(body: Record<string, unknown>): string {
  const reason = (body.information ?? body.actionRequired) as { type?: string } | undefined;
  const error = body.error as { code?: string } | undefined;
  return [body.updateType, reason?.type ?? error?.code].filter(Boolean).join(' ');
}
