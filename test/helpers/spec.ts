import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { Response } from 'supertest';
import { loadServiceSpec, loadTenantUpdatesSpec } from '../../src/http/openapi.js';

const addFormats = addFormatsImport as unknown as (a: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const service = loadServiceSpec() as Record<string, unknown>;
ajv.addSchema(service, 'service');
ajv.addSchema(loadTenantUpdatesSpec(), 'updates');

type Node = Record<string, unknown>;
/** Follows local $refs (OpenAPI response objects may be references). */
const deref = (n: Node): Node => {
  let cur = n;
  while (typeof cur?.$ref === 'string')
    cur = (cur.$ref as string)
      .slice(2)
      .split('/')
      .reduce<Node>((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')] as Node, service);
  return cur;
};
const rebase = (n: unknown): unknown =>
  Array.isArray(n)
    ? n.map(rebase)
    : n && typeof n === 'object'
      ? Object.fromEntries(
          Object.entries(n).map(([k, v]) => [
            k,
            k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `service${v}` : rebase(v),
          ]),
        )
      : n;
const compiled = new Map<string, ReturnType<Ajv['compile']>>();

/**
 * Why a response does not match the OpenAPI definition of (method, path template, status), or undefined
 * when it does: an undocumented status, a body outside the documented schema, or a content type the
 * definition does not name.
 */
export function specProblem(
  res: { status: number; body: unknown; headers?: Record<string, unknown> },
  method: string,
  pathTemplate: string,
): string | undefined {
  const key = `${method} ${pathTemplate} ${res.status}`;
  const op = deref(((service.paths as Node)[pathTemplate] as Node)?.[method.toLowerCase()] as Node);
  const response = op && deref((op.responses as Node)?.[String(res.status)] as Node);
  if (!response) return `${key}: status not documented`;
  const content = (response.content ?? {}) as Node;
  const type = String(res.headers?.['content-type'] ?? '');
  if (!content['application/json']) {
    const declared = Object.keys(content);
    if (declared.length && !declared.some((d) => type.startsWith(d)))
      return `${key}: content type ${type} is not one of ${declared.join(', ')}`;
    return undefined;
  }
  if (res.headers && !type.startsWith('application/json')) return `${key}: content type ${type} is not JSON`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(rebase((content['application/json'] as Node).schema) as object);
    compiled.set(key, validate);
  }
  if (!validate(res.body))
    return `${key} does not match the spec: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`;
  return undefined;
}

/** Asserts a response matches the OpenAPI definition of (method, path template, status). */
export function expectMatchesSpec(res: Response, method: string, pathTemplate: string): void {
  const problem = specProblem({ status: res.status, body: res.body }, method, pathTemplate);
  if (problem) throw new Error(problem);
}

/** Asserts a KCI body matches the Tenant Updates API definition. */
export function expectValidKci(body: unknown): void {
  const ref = 'updates#/components/schemas/Kci';
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (!validate(body))
    throw new Error(
      `KCI does not match the Tenant Updates API: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 800)}`,
    );
}
