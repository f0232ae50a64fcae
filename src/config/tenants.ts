import { readFileSync } from 'node:fs';
import { parseDocument, isSeq, isMap, LineCounter, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { hashSecret, type SecretHash } from '../auth/secrets.js';

export const SUPPLIER_BB1 = 'BTWHOLESALEBB1';

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

const Bb1Schema = z
  .object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    cugId: z.string().regex(/^CUG\d{10}$/, 'must look like CUG5009999999'),
    retailerId: z.string().regex(/^[A-Z0-9]{3}$/, 'must be a three-character Ofcom RID'),
    billingAccountId: z.string().regex(/^\d{1,20}$/, 'must be digits (quote it in YAML to keep leading zeros)'),
    ksuClient: ClientSchema,
  })
  .strict();

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
    suppliers: z.object({ [SUPPLIER_BB1]: Bb1Schema }).strict(),
  })
  .strict();

const FileSchema = z.object({ tenants: z.array(TenantSchema).min(1) }).strict();

export type TenantConfig = z.infer<typeof TenantSchema>;
export type Bb1TenantConfig = z.infer<typeof Bb1Schema>;
export type KciAuth = z.infer<typeof KciAuthSchema>;

export interface Tenant extends Omit<TenantConfig, 'clients' | 'suppliers'> {
  clients: { clientId: string; secret: SecretHash }[];
  bb1: Omit<Bb1TenantConfig, 'ksuClient'> & { ksuClient: { clientId: string; secret: SecretHash } };
}

export interface TenantDirectory {
  all(): Tenant[];
  get(id: string): Tenant | undefined;
  byClientId(clientId: string): Tenant | undefined;
  byKsuClientId(clientId: string): Tenant | undefined;
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
export function parseTenants(text: string, file: string, env: NodeJS.ProcessEnv = process.env): TenantDirectory {
  const problems: string[] = [];
  const rawLines = new LineCounter();
  parseDocument(text, { lineCounter: rawLines });
  const substituted = substitute(text, env, problems, rawLines);
  const lines = new LineCounter();
  const doc = parseDocument(substituted, { lineCounter: lines });
  for (const err of doc.errors) problems.push(`line ${lines.linePos(err.pos[0]).line}: ${err.message.split('\n')[0]}`);
  if (problems.length) throw new TenantsFileError(file, problems);
  const parsed = FileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new TenantsFileError(
      file,
      parsed.error.issues.map((i) => `${lineOf(doc, lines, i.path)}${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const seen = new Map<string, string>();
  const dup = (kind: string, key: string, where: string) => {
    const prior = seen.get(`${kind}:${key}`);
    if (prior) problems.push(`${where}: ${kind} "${key}" is already used by ${prior}`);
    else seen.set(`${kind}:${key}`, where);
  };
  parsed.data.tenants.forEach((t, i) => {
    dup('tenant id', t.id, `tenants.${i}.id`);
    t.clients.forEach((c, j) => dup('clientId', c.clientId, `tenants.${i}.clients.${j}.clientId`));
    dup(
      'clientId',
      t.suppliers[SUPPLIER_BB1].ksuClient.clientId,
      `tenants.${i}.suppliers.${SUPPLIER_BB1}.ksuClient.clientId`,
    );
  });
  if (problems.length) throw new TenantsFileError(file, problems);
  const tenants: Tenant[] = parsed.data.tenants.map((t) => {
    const { ksuClient, ...bb1 } = t.suppliers[SUPPLIER_BB1];
    return {
      id: t.id,
      kci: t.kci,
      clients: t.clients.map((c) => ({ clientId: c.clientId, secret: hashSecret(c.clientSecret) })),
      bb1: { ...bb1, ksuClient: { clientId: ksuClient.clientId, secret: hashSecret(ksuClient.clientSecret) } },
    };
  });
  return directoryOf(tenants);
}

export function directoryOf(tenants: Tenant[]): TenantDirectory {
  const byId = new Map(tenants.map((t) => [t.id, t]));
  const byClient = new Map(tenants.flatMap((t) => t.clients.map((c) => [c.clientId, t] as const)));
  const byKsu = new Map(tenants.map((t) => [t.bb1.ksuClient.clientId, t]));
  return {
    all: () => tenants,
    get: (id) => byId.get(id),
    byClientId: (id) => byClient.get(id),
    byKsuClientId: (id) => byKsu.get(id),
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
