import type { UpdateKeys } from '../suppliers/supplier.js';
import { unstorableIdentifier, unstorableTime } from '../store/storable.js';

/**
 * Why an update's keys cannot be kept in the inbox as sent, naming the field: a key the inbox indexes
 * (eventId, externalId, the supplier's order id) or keeps as text (eventType) that is too long or holds NUL,
 * or an eventTime outside timestamptz's years as we write them. Undefined when they can.
 */
export function unstorableKeys(keys: UpdateKeys): string | undefined {
  return (
    unstorableIdentifier('eventId', keys.eventId) ??
    unstorableIdentifier('eventType', keys.eventType) ??
    unstorableIdentifier('externalId', keys.externalId) ??
    unstorableIdentifier('supplierOrderId', keys.supplierOrderId) ??
    unstorableTime('eventTime', keys.eventTime)
  );
}
