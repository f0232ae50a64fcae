import type { Request } from 'express';
import { ApiError } from './errors.js';

export type QueryField =
  | { kind: 'int'; min: number; max: number; default?: number }
  | { kind: 'string'; pattern?: RegExp; maxLength: number; means?: string }
  | { kind: 'enum'; values: readonly string[] };

type Value<F> = F extends { kind: 'int'; default: number }
  ? number
  : F extends { kind: 'int' }
    ? number | undefined
    : string | undefined;
export type QueryValues<S> = { [K in keyof S]: Value<S[K]> };

export const TENANT_ID = /^\w{1,20}$/;

/**
 * An operator call's query string, checked against what it accepts: every problem (unknown, repeated,
 * empty or malformed parameter) is listed in one 400 that names the parameter.
 */
export function queryParams<const S extends Record<string, QueryField>>(req: Request, spec: S): QueryValues<S> {
  const problems: string[] = [];
  const out: Record<string, string | number | undefined> = {};
  for (const name of Object.keys(req.query))
    if (!(name in spec)) problems.push(`query.${name}: unknown parameter (accepted: ${Object.keys(spec).join(', ')})`);
  for (const [name, field] of Object.entries(spec)) {
    // The OpenAPI validator runs first and may have coerced an integer (or filled in its default).
    const given: unknown = req.query[name];
    const raw: unknown = typeof given === 'number' ? String(given) : given;
    const problem = (text: string) => problems.push(`query.${name}: ${text}`);
    if (raw === undefined) {
      out[name] = field.kind === 'int' ? field.default : undefined;
      continue;
    }
    if (Array.isArray(raw)) {
      problem('given more than once');
      continue;
    }
    if (typeof raw !== 'string') {
      problem('must be a single value');
      continue;
    }
    if (raw === '') {
      problem('must not be empty');
      continue;
    }
    if (field.kind === 'int') {
      const n = /^-?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n < field.min || n > field.max)
        problem(`must be an integer from ${field.min} to ${field.max}, not "${raw.slice(0, 40)}"`);
      else out[name] = n;
    } else if (field.kind === 'enum') {
      if (!field.values.includes(raw)) problem(`must be one of ${field.values.join(', ')}`);
      else out[name] = raw;
    } else if (raw.length > field.maxLength) problem(`must be at most ${field.maxLength} characters`);
    else if (field.pattern && !field.pattern.test(raw)) problem(`must be ${field.means ?? `like ${field.pattern}`}`);
    else out[name] = raw;
  }
  if (problems.length) throw ApiError.invalid(...problems);
  return out as QueryValues<S>;
}
