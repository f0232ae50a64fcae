/** How a call to a supplier failed, in the connector's terms, whichever supplier it was. */
export type SupplierErrorKind = 'rejected' | 'unavailable' | 'timeout' | 'unauthorised';

export class SupplierError extends Error {
  constructor(
    readonly supplier: string,
    readonly kind: SupplierErrorKind,
    message: string,
    readonly status?: number,
    /** true when a request that changes something may have reached the supplier (timeout, reset): never re-send it blindly */
    readonly uncertain = false,
    /** the supplier refused for now and surely did not act (429, 503, connection refused): worth trying again */
    readonly transient = false,
    /** how long the supplier asked us to wait (Retry-After), in ms */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** How a supplier's own refusal reaches the tenant (docs/contract.md §3). */
export const PASSTHROUGH = 'The supplier API returned the following message: ';
export const passThrough = (e: Error) => `${PASSTHROUGH}${e.message}`;
