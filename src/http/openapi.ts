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
