import { readFileSync } from 'node:fs';
import { parseDocument, isSeq, isMap, LineCounter, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { hashSecret, type SecretHash } from '../auth/secrets.js';
import { SUPPLIER_KINDS, SUPPLIER_MODULES, type SupplierModule } from '../suppliers/registry.js';

const ClientSchema = z
  .object({ clientId: z.string().min(1).max(100), clientSecret: z.string().min(8, 'must be at least 8 characters') })
  .strict();

const KciAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }).strict(),
  z
    .object({
      type: z.literal('oauth2'),
      tokenUrl: z.string().url(),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      scope: z.string().optional(),
    })
    .strict(),
]);

const TenantSchema = z
  .object({
    id: z.string().regex(/^\w{1,20}$/, 'must match ^\\w{1,20}$'),
    clients: z.array(ClientSchema).min(1),
    kci: z
      .object({
        url: z.string().url(),
        auth: KciAuthSchema.default({ type: 'none' }),
        signingSecret: z
          .string()
          .regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be whsec_ followed by base64')
          .optional(),
      })
      .strict(),
    /** the suppliers this tenant may use, each with its account, validated by that supplier's schema */
    suppliers: z
      .record(z.string(), z.unknown())
      .refine((m) => Object.keys(m).length > 0, 'must name at least one supplier'),
  })
  .strict();

/** An entry of the top-level `suppliers:` list: its id and kind here, the rest by the kind's own schema. */
const ConfiguredSupplierSchema = z
  .object({
    id: z.string().regex(/^\w{1,20}$/, 'must match ^\\w{1,20}$'),
    kind: z.string().refine((k) => k in SUPPLIER_KINDS, {
      message: `unknown kind; known: ${Object.keys(SUPPLIER_KINDS).join(', ')}`,
    }),
  })
  .passthrough();

const FileSchema = z
  .object({ suppliers: z.array(ConfiguredSupplierSchema).optional(), tenants: z.array(TenantSchema).min(1) })
  .strict();

export type TenantConfig = z.infer<typeof TenantSchema>;
export type KciAuth = z.infer<typeof KciAuthSchema>;

export interface Tenant extends Omit<TenantConfig, 'clients' | 'suppliers'> {
  clients: { clientId: string; secret: SecretHash }[];
  /** the tenant's account with each supplier it may use, as that supplier's schema parsed it */
  accounts: Record<string, unknown>;
}

/** A client a supplier uses to call the connector back for one tenant. */
export interface InboundClient {
  /** the tenant it calls back for; none for a supplier-wide client (each update names its tenant) */
  tenant?: Tenant;
  supplierId: string;
  secret: SecretHash;
}

export interface TenantDirectory {
  all(): Tenant[];
  get(id: string): Tenant | undefined;
  byClientId(clientId: string): Tenant | undefined;
  /** a supplier's client calling back for a tenant (e.g. BB1's KSU client) */
  byInboundClientId(clientId: string): InboundClient | undefined;
  /** the suppliers the file's top-level `suppliers:` list configures (beside the built-in ones) */
  configuredSuppliers: SupplierModule[];
}

export class TenantsFileError extends Error {
  constructor(
    public readonly file: string,
    public readonly problems: string[],
  ) {
    super(`Tenants file ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Replaces ${NAME} from the environment; an unset variable is a problem, not an empty string. */
function substitute(text: string, env: NodeJS.ProcessEnv, problems: string[], lines: LineCounter): string {
  return text.replace(/\$\{(\w+)\}/g, (whole, name: string, offset: number) => {
    const v = env[name];
    if (v === undefined) {
      const { line } = lines.linePos(offset);
      problems.push(`line ${line}: environment variable ${name} is not set`);
      return whole;
    }
    return v;
  });
}

function lineOf(doc: ReturnType<typeof parseDocument>, lines: LineCounter, path: (string | number)[]): string {
  let node: YamlNode | null | undefined = doc.contents as YamlNode;
  for (const key of path) {
    if (isMap(node) || isSeq(node)) node = (node as { get(k: unknown, keep: true): YamlNode }).get(key, true);
    else break;
  }
  const start = node?.range?.[0];
  return start === undefined ? '' : `line ${lines.linePos(start).line}, `;
}

/** Parses and validates a tenants file text; throws TenantsFileError listing every problem. */
export function parseTenants(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  builtIn: SupplierModule[] = SUPPLIER_MODULES,
): TenantDirectory {
  const problems: string[] = [];
  const rawLines = new LineCounter();
  parseDocument(text, { lineCounter: rawLines });
  const substituted = substitute(text, env, problems, rawLines);
  const lines = new LineCounter();
  const doc = parseDocument(substituted, { lineCounter: lines });
  for (const err of doc.errors) problems.push(`line ${lines.linePos(err.pos[0]).line}: ${err.message.split('\n')[0]}`);
  if (problems.length) throw new TenantsFileError(file, problems);
  const raw = doc.toJS() as { tenants?: { suppliers?: unknown }[]; suppliers?: unknown } | null;
  const parsed = FileSchema.safeParse(raw);
  const report = (path: (string | number)[], message: string) =>
    problems.push(`${lineOf(doc, lines, path)}${path.join('.') || '(root)'}: ${message}`);
  if (!parsed.success) for (const i of parsed.error.issues) report(i.path, i.message);
  // Configured suppliers: each entry by its kind's schema; they join the built-in ones for the tenants below.
  const configured: SupplierModule[] = [];
  (Array.isArray(raw?.suppliers) ? (raw.suppliers as Record<string, unknown>[]) : []).forEach((entry, i) => {
    const kind = entry && typeof entry === 'object' ? SUPPLIER_KINDS[String(entry.kind)] : undefined;
    if (!kind || typeof entry.id !== 'string' || !/^\w{1,20}$/.test(entry.id)) return;
    if ([...builtIn, ...configured].some((m) => m.id === entry.id))
      return report(['suppliers', i, 'id'], `supplier "${entry.id}" is already defined`);
    const { id, kind: _kind, ...rest } = entry;
    const r = kind.configSchema.safeParse(rest);
    if (r.success) configured.push(kind.module(id, r.data));
    else for (const issue of r.error.issues) report(['suppliers', i, ...issue.path], issue.message);
  });
  const modules = [...builtIn, ...configured];
  // Each supplier entry is validated by its supplier's own schema, with the line it sits on.
  // (also when the rest of the file is invalid, so that every problem is listed at once)
  const rawTenants = Array.isArray(raw?.tenants) ? raw.tenants : [];
  const accounts = rawTenants.map((t, i) => {
    const out: Record<string, unknown> = {};
    const entries = t && typeof t.suppliers === 'object' && t.suppliers ? Object.entries(t.suppliers) : [];
    for (const [supplierId, account] of entries) {
      const at = ['tenants', i, 'suppliers', supplierId];
      const module = modules.find((m) => m.id === supplierId);
      if (!module) {
        problems.push(
          `${lineOf(doc, lines, at)}${at.join('.')}: unknown supplier; known: ${modules.map((m) => m.id).join(', ')}`,
        );
        continue;
      }
      const r = module.accountSchema.safeParse(account);
      if (r.success) out[supplierId] = r.data;
      else
        for (const issue of r.error.issues) {
          const path = [...at, ...issue.path];
          problems.push(`${lineOf(doc, lines, path)}${path.join('.')}: ${issue.message}`);
        }
    }
    return out;
  });
  if (problems.length || !parsed.success) throw new TenantsFileError(file, problems);
  const seen = new Map<string, string>();
  const dup = (kind: string, key: string, where: string) => {
    const prior = seen.get(`${kind}:${key}`);
    if (prior) problems.push(`${where}: ${kind} "${key}" is already used by ${prior}`);
    else seen.set(`${kind}:${key}`, where);
  };
  const inbound: { tenantIndex?: number; supplierId: string; clientId: string; clientSecret: string }[] = [];
  configured.forEach((m, i) => {
    if (!m.supplierClient) return;
    dup('clientId', m.supplierClient.clientId, `suppliers.${i}.updatesClient.clientId`);
    inbound.push({ supplierId: m.id, ...m.supplierClient });
  });
  parsed.data.tenants.forEach((t, i) => {
    dup('tenant id', t.id, `tenants.${i}.id`);
    t.clients.forEach((c, j) => dup('clientId', c.clientId, `tenants.${i}.clients.${j}.clientId`));
    for (const [supplierId, account] of Object.entries(accounts[i]!)) {
      const c = modules.find((m) => m.id === supplierId)!.inboundClient?.(account);
      if (!c) continue;
      dup('clientId', c.clientId, `tenants.${i}.suppliers.${supplierId} (the client it calls back with)`);
      inbound.push({ tenantIndex: i, supplierId, ...c });
    }
  });
  if (problems.length) throw new TenantsFileError(file, problems);
  const tenants: Tenant[] = parsed.data.tenants.map((t, i) => ({
    id: t.id,
    kci: t.kci,
    clients: t.clients.map((c) => ({ clientId: c.clientId, secret: hashSecret(c.clientSecret) })),
    accounts: accounts[i]!,
  }));
  return directoryOf(
    tenants,
    inbound.map((c) => ({
      tenant: c.tenantIndex === undefined ? undefined : tenants[c.tenantIndex]!,
      supplierId: c.supplierId,
      clientId: c.clientId,
      secret: hashSecret(c.clientSecret),
    })),
    configured,
  );
}

export function directoryOf(
  tenants: Tenant[],
  inbound: (InboundClient & { clientId: string })[] = [],
  configuredSuppliers: SupplierModule[] = [],
): TenantDirectory {
  const byId = new Map(tenants.map((t) => [t.id, t]));
  const byClient = new Map(tenants.flatMap((t) => t.clients.map((c) => [c.clientId, t] as const)));
  const byInbound = new Map(inbound.map((c) => [c.clientId, c]));
  return {
    all: () => tenants,
    get: (id) => byId.get(id),
    byClientId: (id) => byClient.get(id),
    byInboundClientId: (id) => byInbound.get(id),
    configuredSuppliers,
  };
}

export function loadTenantsFile(file: string, env: NodeJS.ProcessEnv = process.env): TenantDirectory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TenantsFileError(file, [`cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`]);
  }
  return parseTenants(text, file, env);
}
