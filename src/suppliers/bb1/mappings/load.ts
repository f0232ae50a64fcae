import { readFileSync } from 'node:fs';
import { MappingsError } from '../../supplier.js';
import { join } from 'node:path';
import { YamlSource } from '../../../platform/yaml-source.js';
import { Tables, type Bb1Tables, type TableName } from './schema.js';
import { crossCheck } from './cross-check.js';
import { indexTables, type Bb1Mappings } from './indexed.js';

export { MappingsError };

/** Reads, validates (schema + cross-table checks) and indexes every BB1 table; lists every problem. */
export function loadBb1Mappings(mappingsDir: string): Bb1Mappings {
  const dir = join(mappingsDir, 'bb1');
  const problems: string[] = [];
  const tables: Partial<Bb1Tables> = {};
  const sources: Partial<Record<TableName, YamlSource>> = {};
  for (const name of Object.keys(Tables) as TableName[]) {
    const file = join(dir, `${name}.yaml`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      problems.push(`${file}: missing (every table is required)`);
      continue;
    }
    const src = new YamlSource(file, text);
    sources[name] = src;
    if (src.errors.length) {
      problems.push(...src.errors);
      continue;
    }
    const parsed = Tables[name].safeParse(src.toJS());
    if (!parsed.success) {
      for (const i of parsed.error.issues)
        problems.push(`${src.where(i.path)}: ${i.path.join('.') || '(root)'}: ${i.message}`);
      continue;
    }
    (tables as Record<string, unknown>)[name] = parsed.data;
  }
  if (problems.length) throw new MappingsError(problems);
  const full = tables as Bb1Tables;
  problems.push(...crossCheck(full, sources as Record<TableName, YamlSource>));
  if (problems.length) throw new MappingsError(problems);
  return indexTables(full, (table, path) => sources[table as TableName]?.where(path));
}
