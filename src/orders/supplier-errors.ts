import { Bb1Error } from '../suppliers/bb1/client.js';
import { TranslationError } from '../suppliers/bb1/outbound/translation-error.js';
import { ApiError } from '../http/errors.js';

export const PASSTHROUGH = 'The supplier API returned the following message: ';

/** Supplier and translation failures in the contract's error model (CONTRACT §3). */
export function toApiError(e: unknown): unknown {
  if (e instanceof TranslationError) return new ApiError(400, 'INVALID_REQUEST', e.messages);
  if (e instanceof Bb1Error) {
    switch (e.kind) {
      case 'rejected':
        return new ApiError(422, 'INVALID_REQUEST', [`${PASSTHROUGH}${e.message}`]);
      case 'timeout':
        return new ApiError(504, 'SUPPLIER_TIMED_OUT', ['BTWHOLESALEBB1 did not answer in time']);
      case 'unauthorised':
        return new ApiError(502, 'SUPPLIER_FAULT', [`${PASSTHROUGH}Not authorised`]);
      default:
        return new ApiError(502, 'SUPPLIER_FAULT', [`${PASSTHROUGH}${e.message}`]);
    }
  }
  return e;
}

export async function supplierCall<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw toApiError(e);
  }
}
