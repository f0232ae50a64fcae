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

/** Asserts a response matches the OpenAPI definition of (method, path template, status). */
export function expectMatchesSpec(res: Response, method: string, pathTemplate: string): void {
  const key = `${method} ${pathTemplate} ${res.status}`;
  let validate = compiled.get(key);
  if (!validate) {
    const op = deref(((service.paths as Node)[pathTemplate] as Node)?.[method.toLowerCase()] as Node);
    const response = op && deref((op.responses as Node)?.[String(res.status)] as Node);
    const schema = ((response?.content as Node)?.['application/json'] as Node)?.schema;
    if (!schema) throw new Error(`the spec defines no JSON response ${key}`);
    validate = ajv.compile(rebase(schema) as object);
    compiled.set(key, validate);
  }
  if (!validate(res.body))
    throw new Error(
      `${method} ${pathTemplate} ${res.status} does not match the spec: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`,
    );
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
