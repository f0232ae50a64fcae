import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../platform/paths.js';

export const OPENAPI_DIR = join(projectRoot(), 'openapi');

type Doc = {
  paths?: Record<string, unknown>;
  components?: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
};

function load(name: string): Doc {
  return parse(readFileSync(join(OPENAPI_DIR, name), 'utf8')) as Doc;
}

/** Rewrites refs into tenant-api.yaml (the shared components) as local refs. */
function localiseRefs<T>(node: T): T {
  if (Array.isArray(node)) return node.map(localiseRefs) as T;
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace(/^\.\/tenant-api\.yaml#/, '#') : localiseRefs(v);
    }
    return out as T;
  }
  return node;
}

function mergeComponents(into: Doc, from: Doc): void {
  into.components ??= {};
  for (const [section, entries] of Object.entries(from.components ?? {})) {
    const target = (into.components[section] ??= {});
    for (const [name, value] of Object.entries(entries)) {
      if (name in target && JSON.stringify(target[name]) !== JSON.stringify(value)) {
        throw new Error(`OpenAPI component ${section}.${name} is defined differently in two files`);
      }
      target[name] = value;
    }
  }
}

/** The service's whole API (tenant, supplier-facing and operations) as one document: validated and served at /openapi.json. */
export function loadServiceSpec(): Doc {
  const base = load('tenant-api.yaml');
  base.info = { ...(base.info as object), title: 'bb1-connector API' };
  base.tags = [...((base.tags as unknown[]) ?? []), { name: 'Supplier' }, { name: 'Operations' }];
  for (const file of ['supplier-api.yaml', 'ops-api.yaml']) {
    const doc = localiseRefs(load(file));
    Object.assign((base.paths ??= {}), doc.paths);
    mergeComponents(base, doc);
  }
  return base;
}

/** The KCI webhook definition (what tenants implement), with the shared components inlined. */
export function loadTenantUpdatesSpec(): Doc {
  const doc = localiseRefs(load('tenant-updates-api.yaml'));
  const tenant = load('tenant-api.yaml');
  mergeComponents(doc, { components: { schemas: tenant.components?.schemas ?? {} } });
  return doc;
}

/** The specs /docs offers, each served standalone at /openapi/<name>.json. */
export const DOC_SPECS = [
  { name: 'tenant-api', title: 'Tenant API' },
  { name: 'tenant-updates-api', title: 'Tenant Updates API (KCIs a tenant receives)' },
  { name: 'supplier-api', title: 'Supplier API (KSUs from suppliers)' },
  { name: 'ops-api', title: 'Operations API' },
] as const;

/**
 * One spec file as a document a browser can render alone: refs into tenant-api.yaml become local, and the
 * components they reach (schemas, responses, parameters…, transitively) are copied in.
 */
export function loadStandaloneSpec(name: (typeof DOC_SPECS)[number]['name']): Doc {
  const doc = localiseRefs(load(`${name}.yaml`));
  if (name === 'tenant-api') return doc;
  const shared = load('tenant-api.yaml').components ?? {};
  const components = (doc.components ??= {});
  const refsIn = (node: unknown): [string, string][] =>
    Array.isArray(node)
      ? node.flatMap(refsIn)
      : node && typeof node === 'object'
        ? Object.entries(node).flatMap(([k, v]) => {
            const m = k === '$ref' && typeof v === 'string' ? /^#\/components\/([^/]+)\/([^/]+)$/.exec(v) : null;
            return m ? [[m[1]!, m[2]!] as [string, string]] : refsIn(v);
          })
        : [];
  const wanted = refsIn(doc);
  while (wanted.length) {
    const [section, n] = wanted.pop()!;
    const own = (components[section] ??= {});
    const from = shared[section] ?? {};
    if (n in own || !(n in from)) continue;
    own[n] = from[n];
    wanted.push(...refsIn(from[n]));
  }
  return doc;
}
