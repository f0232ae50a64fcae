import { z } from 'zod';
import type { ServiceRecord } from './service.js';

/**
 * The operator's import of services the connector did not see provided (a tenant moving onto the connector
 * with live services). JSON: an array of ImportRow. CSV: a header row naming `tenant`, `serviceId`,
 * `supplier`, and optionally `technology`, `status`, `address.NAD`, `address.DistrictCode`, `address.ROBT`,
 * `address.UPRN`; every other column is a characteristic (LINE_PROFILE, CARE_LEVEL, SERVICE_ASSET_ID, …);
 * an empty cell is no value. Pure: parsing and checking only (src/cli/services.ts writes).
 */
const Name = z.string().regex(/^[A-Z][A-Z0-9_]{0,49}$/, 'must be an upper-case characteristic name like LINE_PROFILE');
const Row = z
  .object({
    tenant: z.string().regex(/^\w{1,20}$/, 'must match ^\\w{1,20}$'),
    serviceId: z.string().regex(/^[A-Za-z0-9_.-]{1,50}$/, 'must be 1-50 letters, digits, _ . or -'),
    supplier: z.string().regex(/^\w{1,20}$/, 'must match ^\\w{1,20}$'),
    technology: z.string().min(1).max(30).optional(),
    status: z.enum(['ACTIVE', 'CEASED']).default('ACTIVE'),
    address: z
      .object({
        id: z.string().min(1),
        type: z.enum(['UPRN', 'NAD', 'DistrictCode', 'ROBT']),
        additionalIdentifiers: z
          .array(z.object({ id: z.string().min(1), type: z.enum(['UPRN', 'NAD', 'DistrictCode', 'ROBT']) }).strict())
          .optional(),
      })
      .strict()
      .optional(),
    serviceCharacteristics: z
      .record(Name, z.string().min(1).max(200))
      .refine(
        (c) => Object.keys(c).length > 0,
        'must name at least one characteristic (LINE_PROFILE and SERVICE_ASSET_ID let modifies and ceases be asked for by intent)',
      ),
  })
  .strict();
export type ImportRow = z.infer<typeof Row>;

/** What the tenants file says each tenant may use. */
export type Entitlements = Map<string, Set<string>>;

const ADDRESS_TYPES = ['NAD', 'DistrictCode', 'ROBT', 'UPRN'] as const;

/** A CSV line split into cells (double quotes, "" inside quotes). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((c) => c.trim());
}

function fromCsv(text: string): { rows: { where: string; raw: unknown }[]; problems: string[] } {
  const lines = text.split(/\r?\n/);
  const header = cells(lines[0] ?? '');
  const problems: string[] = [];
  for (const need of ['tenant', 'serviceId', 'supplier'])
    if (!header.includes(need)) problems.push(`line 1: the header needs a ${need} column`);
  const rows: { where: string; raw: unknown }[] = [];
  lines.slice(1).forEach((line, i) => {
    if (!line.trim()) return;
    const values = cells(line);
    const where = `line ${i + 2}`;
    if (values.length !== header.length) {
      problems.push(`${where}: ${values.length} cells for ${header.length} columns`);
      return;
    }
    const raw: Record<string, unknown> = { serviceCharacteristics: {} };
    const ids: { id: string; type: string }[] = [];
    header.forEach((col, j) => {
      const v = values[j]!;
      if (v === '') return;
      if (['tenant', 'serviceId', 'supplier', 'technology', 'status'].includes(col)) raw[col] = v;
      else if (col.startsWith('address.')) ids.push({ id: v, type: col.slice(8) });
      else (raw.serviceCharacteristics as Record<string, string>)[col] = v;
    });
    if (ids.length) {
      const main = ADDRESS_TYPES.map((t) => ids.find((x) => x.type === t)).find(Boolean)!;
      const rest = ids.filter((x) => x !== main);
      raw.address = { ...main, ...(rest.length ? { additionalIdentifiers: rest } : {}) };
    }
    rows.push({ where, raw });
  });
  return { rows, problems };
}

function fromJson(text: string): { rows: { where: string; raw: unknown }[]; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { rows: [], problems: [`not JSON: ${(e as Error).message}`] };
  }
  if (!Array.isArray(json)) return { rows: [], problems: ['must be a JSON array of services'] };
  return { rows: json.map((raw, i) => ({ where: `[${i}]`, raw })), problems: [] };
}

/** Parses and checks a whole file: the services, or every problem (file position, field, reason) and none. */
export function parseImport(
  text: string,
  format: 'csv' | 'json',
  entitled: Entitlements,
): { rows: ImportRow[]; problems: string[] } {
  const { rows, problems } = format === 'csv' ? fromCsv(text) : fromJson(text);
  const out: ImportRow[] = [];
  const seen = new Map<string, string>();
  for (const { where, raw } of rows) {
    const r = Row.safeParse(raw);
    if (!r.success) {
      for (const i of r.error.issues) problems.push(`${where}: ${i.path.join('.') || '(row)'}: ${i.message}`);
      continue;
    }
    const row = r.data;
    const may = entitled.get(row.tenant);
    if (!may) problems.push(`${where}: tenant: ${row.tenant} is not in the tenants file`);
    else if (!may.has(row.supplier))
      problems.push(
        `${where}: supplier: tenant ${row.tenant} has no ${row.supplier} account; it has ${[...may].join(', ')}`,
      );
    const key = `${row.tenant}/${row.serviceId}`;
    if (seen.has(key))
      problems.push(`${where}: serviceId: ${row.serviceId} of ${row.tenant} is already at ${seen.get(key)}`);
    seen.set(key, where);
    out.push(row);
  }
  return problems.length ? { rows: [], problems } : { rows: out, problems };
}

/** The record an imported row makes (or leaves unchanged); undefined: the existing one already says the same. */
export function importedRecord(
  prior: ServiceRecord | undefined,
  row: ImportRow,
  now: string,
): ServiceRecord | undefined {
  const next: ServiceRecord = {
    tenantId: row.tenant,
    serviceId: row.serviceId,
    supplier: row.supplier,
    status: row.status,
    ...(row.technology ? { technology: row.technology } : prior?.technology ? { technology: prior.technology } : {}),
    ...(row.address ? { address: row.address } : prior?.address ? { address: prior.address } : {}),
    characteristics: { ...(prior?.characteristics ?? {}), ...row.serviceCharacteristics },
    orders: prior?.orders ?? [],
    source: prior?.source ?? 'IMPORT',
    created: prior?.created ?? now,
    updated: now,
  };
  const canonical = (r: ServiceRecord) =>
    JSON.stringify([r.supplier, r.status, r.technology, r.address, Object.entries(r.characteristics).sort()]);
  return prior && canonical(prior) === canonical(next) ? undefined : next;
}
