import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { YamlSource } from '../../platform/yaml-source.js';
import { MappingsError } from '../supplier.js';

/**
 * A Fibre Cafe Supplier API supplier's optional tables (`mappings/<folder>/`): it speaks the tenant's words
 * already, so without tables every characteristic passes unchanged. `characteristics.yaml` renames a
 * characteristic and translates its values; `line-profiles.yaml` translates LINE_PROFILE values (the tenant's
 * line profile → the supplier's). Both directions: outbound (orders, slots) and inbound (availability, updates).
 */
const Value = z.object({ value: z.string().min(1), supplierValue: z.string().min(1) }).strict();
const CharacteristicsFile = z
  .object({
    characteristics: z.array(
      z
        .object({
          name: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be the tenant name in UPPER_SNAKE_CASE'),
          supplierName: z.string().min(1).optional(),
          values: z.array(Value).optional(),
        })
        .strict(),
    ),
  })
  .strict();
const LineProfilesFile = z
  .object({
    lineProfiles: z.array(
      z
        .object({
          lineProfile: z.string().min(1),
          supplierValue: z.string().min(1),
          serviceSpecification: z.string().optional(),
          description: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();

type NameValue = { name: string; value: string };

export interface Translation {
  readonly tableCount: number;
  readonly summary: string;
  /** every translation as a line (`LINE_PROFILE → LINE_PROFILE: FIBRECO_900 → 900-100`), for diffs */
  readonly lines: string[];
  outbound<T extends NameValue>(list: T[]): T[];
  inbound<T extends NameValue>(list: T[]): T[];
  /** availability's `{name, values}` the supplier offers, in the tenant's words */
  inboundValues<T extends { name: string; values?: string[] }>(list: T[]): T[];
}

interface Rule {
  name: string;
  supplierName: string;
  values: Map<string, string>;
  back: Map<string, string>;
}

function load<T>(dir: string, file: string, schema: z.ZodType<T>, problems: string[]): T | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) return undefined;
  const src = new YamlSource(path, readFileSync(path, 'utf8'));
  if (src.errors.length) {
    problems.push(...src.errors);
    return undefined;
  }
  const r = schema.safeParse(src.toJS());
  if (r.success) return r.data;
  for (const i of r.error.issues) problems.push(`${src.where(i.path)}: ${i.path.join('.')}: ${i.message}`);
  return undefined;
}

/** Loads and checks a supplier's tables (none is fine); throws MappingsError with file:line for each problem. */
export function loadTranslation(mappingsDir: string, folder: string): Translation {
  const dir = join(mappingsDir, folder);
  const problems: string[] = [];
  const chars = load(dir, 'characteristics.yaml', CharacteristicsFile, problems);
  const profiles = load(dir, 'line-profiles.yaml', LineProfilesFile, problems);
  const rules = new Map<string, Rule>();
  const rule = (name: string, supplierName = name) => {
    const r = rules.get(name) ?? { name, supplierName, values: new Map(), back: new Map() };
    rules.set(name, r);
    return r;
  };
  const add = (r: Rule, value: string, supplierValue: string, where: string) => {
    if (r.values.has(value)) problems.push(`${where}: ${r.name} value "${value}" is translated twice`);
    if (r.back.has(supplierValue))
      problems.push(`${where}: ${r.name} supplier value "${supplierValue}" would translate back two ways`);
    r.values.set(value, supplierValue);
    r.back.set(supplierValue, value);
  };
  for (const c of chars?.characteristics ?? []) {
    const r = rule(c.name, c.supplierName);
    for (const v of c.values ?? []) add(r, v.value, v.supplierValue, `${folder}/characteristics.yaml`);
  }
  for (const p of profiles?.lineProfiles ?? []) {
    add(
      rule('LINE_PROFILE', rules.get('LINE_PROFILE')?.supplierName),
      p.lineProfile,
      p.supplierValue,
      `${folder}/line-profiles.yaml`,
    );
  }
  const names = new Map<string, string>();
  for (const r of rules.values()) {
    const prior = names.get(r.supplierName);
    if (prior) problems.push(`${folder}/characteristics.yaml: ${prior} and ${r.name} both become ${r.supplierName}`);
    names.set(r.supplierName, r.name);
  }
  if (problems.length) throw new MappingsError(problems);
  const bySupplierName = new Map([...rules.values()].map((r) => [r.supplierName, r]));
  const tableCount = Number(Boolean(chars)) + Number(Boolean(profiles));
  const lines = [...rules.values()].flatMap((r) => [
    `${r.name} → ${r.supplierName}`,
    ...[...r.values].map(([v, sv]) => `${r.name} → ${r.supplierName}: ${v} → ${sv}`),
  ]);
  return {
    tableCount,
    lines,
    summary: tableCount
      ? `${rules.size} characteristics translated (${[...rules.values()].reduce((n, r) => n + r.values.size, 0)} values)`
      : 'no tables: characteristics pass unchanged',
    outbound: (list) =>
      list.map((c) => {
        const r = rules.get(c.name);
        return r ? { ...c, name: r.supplierName, value: r.values.get(c.value) ?? c.value } : c;
      }),
    inbound: (list) =>
      list.map((c) => {
        const r = bySupplierName.get(c.name);
        return r ? { ...c, name: r.name, value: r.back.get(c.value) ?? c.value } : c;
      }),
    inboundValues: (list) =>
      list.map((c) => {
        const r = bySupplierName.get(c.name);
        return r && c.values ? { ...c, name: r.name, values: c.values.map((v) => r.back.get(v) ?? v) } : c;
      }),
  };
}
