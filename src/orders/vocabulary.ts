import type { components as tenantApi } from '../generated/tenant-api.js';
import type { components as updatesApi } from '../generated/tenant-updates-api.js';

/**
 * The tenant contract's words (openapi/tenant-api.yaml, openapi/tenant-updates-api.yaml), as values for
 * runtime checks (zod schemas of the mapping tables). Each list is checked against the generated type, so
 * a word added to the OpenAPI files and not here (or the other way round) fails the typecheck.
 */
export const ORDER_STATUSES = [
  'RECEIVED_BY_GATEWAY',
  'SENT_TO_SUPPLIER',
  'FAILED_TO_SEND',
  'ACKNOWLEDGED',
  'IN_PROGRESS',
  'REJECTED',
  'PENDING',
  'HELD',
  'PENDING_AMENDMENT',
  'PENDING_CANCELLATION',
  'CANCELLED',
  'COMPLETED',
] as const;
export type OrderStatus = tenantApi['schemas']['OrderStatus'];

export const INFORMATION_TYPES = [
  'CREATED',
  'ACKNOWLEDGED',
  'COMMITTED',
  'DELAY',
  'RESUMED',
  'REAPPOINTED',
  'ADDITIONAL',
  'WARNING',
  'UPDATE',
  'AMENDED',
  'CANCELLED',
  'TERMINATED',
  'COMPLETED',
] as const;
export type InformationType = updatesApi['schemas']['Information']['type'];

export const ACTION_TYPES = ['INFORMATION_REQUIRED', 'REAPPOINT', 'RESUBMIT'] as const;
export type ActionType = updatesApi['schemas']['ActionRequired']['type'];

export const PROBLEM_CODES = [
  'ACCESS_ISSUE',
  'ACTIVATION_FAILED',
  'ADDITIONAL_WORK',
  'APPOINTMENT_NOT_REQUIRED',
  'CAPACITY_ISSUE',
  'COST_ISSUE',
  'CUSTOMER_CHANGED_MIND',
  'FAULT_AT_NODE',
  'FAULT_AT_ONT',
  'FAULT_AT_POP',
  'INFORMATION_REQUIRED',
  'INSTALL_FAILED',
  'INVALID_REQUEST',
  'LINKED_ORDER_ISSUE',
  'NETWORK_ISSUE',
  'NETWORK_UNAVAILABLE',
  'NO_LONGER_REQUIRED',
  'OTHER',
  'PLANNING_ISSUE',
  'PROPERTY_UNOCCUPIED',
  'ROUTER_NOT_AVAILABLE',
  'SITE_UNSAFE',
  'SUPPLIER_FAULT',
  'SURVEY_REQUIRED',
  'TIMED_OUT',
  'UNABLE_TO_ATTEND',
  'UNKNOWN_FAULT',
  'WAYLEAVE_ISSUE',
] as const;
export type ProblemCode = updatesApi['schemas']['ProblemCode'];

// Compile-time: each list holds exactly the contract's values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const checks: [
  Same<(typeof ORDER_STATUSES)[number], OrderStatus>,
  Same<(typeof INFORMATION_TYPES)[number], InformationType>,
  Same<(typeof ACTION_TYPES)[number], ActionType>,
  Same<(typeof PROBLEM_CODES)[number], ProblemCode>,
] = [true, true, true, true];
void checks;
