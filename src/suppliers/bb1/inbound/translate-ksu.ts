import type { Bb1Mappings } from '../mappings/indexed.js';
import type { SignalRule } from '../mappings/schema.js';
import type { OrderEntity, OrderStatus } from '../../../orders/order.js';
import { applyUpdate, isStale, type KciDraft, type LifecycleState } from '../../../orders/lifecycle.js';
import { interpretKsu, type Bb1AdapterState } from './interpret-ksu.js';
import type { ParsedKsu } from './parse-ksu.js';

export { rootItem, assetCharacteristics } from './interpret-ksu.js';

/** The adapter's and the lifecycle's state of one order, side by side (as the mapping tools and tests hold it). */
export type Bb1OrderState = Bb1AdapterState & LifecycleState;

export interface OrderView {
  status: string;
  orderType: string;
  entity: Record<string, unknown>;
  state: Bb1OrderState;
}

export interface KsuTranslation {
  status: string;
  entity: Record<string, unknown>;
  state: Bb1OrderState;
  /** the KCIs, in the order they are sent */
  kcis: KciDraft[];
  unmappedCodes: string[];
  fired: string[];
  /** whether anything the tenant sees in the order entity changed */
  entityChanged: boolean;
  /** the table rows that matched, highest priority first (the first decided the KCI) */
  firedRules: SignalRule[];
  stale: boolean;
}

/**
 * One KSU applied to one order, the way the service applies it: the BB1 interpretation, then the order
 * lifecycle. For the mapping tools (`npm run mappings -- explain`) and tests, which hold both states in one.
 */
export function translateKsu(m: Bb1Mappings, ksu: ParsedKsu, order: OrderView, receivedOn: string): KsuTranslation {
  const { technology, ecode, items, ...lifecycle } = order.state;
  const adapterState: Bb1AdapterState = { technology, ecode, items };
  const stale = isStale(lifecycle, ksu.eventTime ?? receivedOn);
  const entity = order.entity as unknown as OrderEntity;
  const u = interpretKsu(m, ksu, { orderType: order.orderType, entity, adapterState, stale });
  const r = applyUpdate(
    { status: order.status as OrderStatus, orderType: order.orderType, entity, state: lifecycle },
    u,
    receivedOn,
  );
  return {
    status: r.status,
    entity: r.entity as unknown as Record<string, unknown>,
    state: { ...(u.adapterState as Bb1AdapterState), ...r.state },
    kcis: r.kcis,
    unmappedCodes: u.unmapped.map((c) => c.code),
    fired: u.signals.map((s) => s.source),
    entityChanged: r.entityChanged,
    firedRules: u.signals.map((s) => s.row as SignalRule),
    stale: r.stale,
  };
}
