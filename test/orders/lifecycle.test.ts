import {
  applyUpdate,
  refusalOf,
  requestFailed,
  requestReceived,
  statusAfterSend,
  type OrderAtUpdate,
} from '../../src/orders/lifecycle.js';
import type { SupplierUpdate, UpdateSignal } from '../../src/suppliers/supplier.js';
import type { OrderEntity } from '../../src/orders/order.js';

const entity = (status: string) =>
  ({ id: 1, orderType: 'NEW', supplier: 'X', status, created: 'c', updated: 'u' }) as OrderEntity;
const order = (status: OrderAtUpdate['status'], state: OrderAtUpdate['state'] = {}): OrderAtUpdate => ({
  status,
  orderType: 'NEW',
  entity: entity(status),
  state,
});
const update = (
  signals: Omit<UpdateSignal, 'source' | 'key'>[],
  eventTime = '2026-12-01T10:00:00.000Z',
  codes: string[] = [],
): SupplierUpdate => ({
  eventTime,
  signals: signals.map((s) => ({ ...s, key: `${s.kci?.type}`, source: 'test' })),
  codes,
  unmapped: [],
  codeTexts: [],
  facts: { characteristics: [], notes: [] },
  adapterState: {},
});
const ack = {
  kci: { updateType: 'INFORMATIONAL', type: 'ACKNOWLEDGED' },
  status: 'ACKNOWLEDGED',
  priority: 9,
} as const;
const done = { kci: { updateType: 'INFORMATIONAL', type: 'COMPLETED' }, status: 'COMPLETED', priority: 100 } as const;

describe('the order lifecycle', () => {
  it('remembers where an order was when the tenant asked for a change, and goes back there when it fails', () => {
    const a = requestReceived('AMENDMENT', 'HELD', {});
    expect(a).toEqual({ status: 'PENDING_AMENDMENT', state: { statusBeforeRequest: 'HELD' } });
    const c = requestReceived('CANCELLATION', a.status, a.state);
    expect(c.state.statusBeforeRequest).toBe('HELD');
    expect(requestFailed(c.status, c.state)).toEqual({ status: 'HELD', state: { statusBeforeRequest: undefined } });
  });

  it('names the statuses that allow an amendment or a cancellation', () => {
    expect(refusalOf('AMENDMENT', 7, 'IN_PROGRESS')).toBeUndefined();
    expect(refusalOf('AMENDMENT', 7, 'SENT_TO_SUPPLIER')).toMatch(
      /^orderId: order 7 is SENT_TO_SUPPLIER; amendments are accepted while it is ACKNOWLEDGED, /,
    );
    expect(refusalOf('CANCELLATION', 7, 'SENT_TO_SUPPLIER')).toBeUndefined();
    expect(refusalOf('CANCELLATION', 7, 'COMPLETED')).toMatch(/cancellations are accepted while/);
  });

  it('keeps a later status a fast supplier already reported when the send is settled', () => {
    expect(statusAfterSend('RECEIVED_BY_GATEWAY', 'SENT')).toBe('SENT_TO_SUPPLIER');
    expect(statusAfterSend('RECEIVED_BY_GATEWAY', 'FAILED')).toBe('FAILED_TO_SEND');
    expect(statusAfterSend('ACKNOWLEDGED', 'SENT')).toBe('ACKNOWLEDGED');
  });

  it('reports a milestone once, and never moves an order backwards or out of a terminal status', () => {
    const first = applyUpdate(order('SENT_TO_SUPPLIER'), update([ack]), 'r');
    expect(first.status).toBe('ACKNOWLEDGED');
    expect(first.kcis.map((k) => k.type)).toEqual(['ACKNOWLEDGED']);
    const again = applyUpdate(
      { ...order('ACKNOWLEDGED', first.state) },
      update([ack], '2026-12-01T11:00:00.000Z'),
      'r',
    );
    expect(again.kcis).toEqual([]);
    const completed = applyUpdate(order('IN_PROGRESS', first.state), update([done], '2026-12-02T10:00:00.000Z'), 'r');
    expect(completed.status).toBe('COMPLETED');
    const late = applyUpdate(order('COMPLETED', completed.state), update([ack], '2026-12-01T09:00:00.000Z'), 'r');
    expect(late).toMatchObject({ status: 'COMPLETED', stale: true, kcis: [] });
  });
});
