import { createHash } from 'node:crypto';
import type { FoundOrder } from '../../supplier.js';
import { Bb1Error } from '../client.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : v ? [obj(v)] : []);

/**
 * A TMF622 productOrder as BB1's query answers it, as the adapter hands it to the connector: BB1's id, and the
 * view as a state-change KSU (seed 003's envelope around the same productOrder), so that reconciliation applies
 * it exactly as it applies a KSU. The eventId is a digest of the view: the same view is the same update.
 */
export function foundOrder(view: unknown): FoundOrder {
  const o = obj(view);
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : undefined;
  if (!id) throw new Bb1Error('unavailable', 'BB1 answered the order query without an order id');
  const digest = createHash('sha256').update(JSON.stringify(view)).digest('hex').slice(0, 32);
  return {
    supplierOrderId: id,
    view,
    update: {
      event: { productOrder: view },
      eventType: 'ProductOrderStateChangeEvent',
      eventTime: new Date().toISOString(),
      eventId: `RECONCILE-${id}-${digest}`,
    },
  };
}

const CANCELLING = new Set(['cancelled', 'assessingcancellation', 'pendingcancellation']);
const norm = (s: unknown) =>
  String(s ?? '')
    .replace(/[\s_-]+/g, '')
    .toLowerCase();

/**
 * Whether BB1's view shows an amendment or cancellation as taken. An amendment (a PATCH carrying the order's
 * latest item revisions) moves the root item's `internalId` on: a view still at the revision the PATCH named
 * has not taken it. A cancellation shows in the order's state (or its items').
 */
export function showsRequest(view: unknown, kind: 'AMENDMENT' | 'CANCELLATION', payload: unknown): boolean {
  const o = obj(view);
  const items = list(o.productOrderItem);
  if (kind === 'CANCELLATION') return CANCELLING.has(norm(o.state)) || items.some((i) => CANCELLING.has(norm(i.state)));
  const sent = list(obj(payload).productOrderItem)[0];
  const root = items.find((i) => String(i.id) === String(sent?.id)) ?? items[0];
  return Boolean(sent?.internalId && root?.internalId && String(root.internalId) !== String(sent.internalId));
}
