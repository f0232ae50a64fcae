import type { Request } from 'express';
import type { AppContext } from '../../context.js';
import type { Tenant } from '../../config/tenants.js';
import { ApiError } from '../errors.js';

/** The calling tenant (authenticated by the bearer middleware). */
export function callingTenant(ctx: AppContext, req: Request): Tenant {
  const t = req.auth && ctx.tenants.get(req.auth.tenantId);
  if (!t) throw ApiError.unauthorised('Authorization: the token names a tenant that is no longer configured');
  return t;
}

/** A JSON-encoded query parameter (`address={...}`), whether or not the validator has parsed it. */
export function jsonQuery<T>(value: unknown, name: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new ApiError(400, 'MALFORMED_REQUEST', [`query.${name}: is not valid JSON`]);
  }
}

export const conversationOf = (req: Request) => req.get('X-Conversation-ID') ?? '';
