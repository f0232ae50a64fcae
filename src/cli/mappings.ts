import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../store/database.js';
import { storedBodies } from '../ksus/inbox.js';
import { SUPPLIER_KINDS, SUPPLIER_MODULES } from '../suppliers/registry.js';
import { MappingsError, type MappingTools } from '../suppliers/supplier.js';

const withTools = SUPPLIER_MODULES.filter((m) => m.mappingTools) as { id: string; mappingTools: MappingTools }[];

/**
 * The suppliers whose tables are in a mappings directory: the built-in ones, and every other folder as the tables
 * of a configured supplier (kind fibrecafe-supplier-api), named by the folder in upper case (`fibreco/` → FIBRECO).
 */
export function suppliersWithTables(dir: string): { id: string; mappingTools: MappingTools }[] {
  const owned = new Set(withTools.map((m) => m.mappingTools.folder));
  const kind = Object.values(SUPPLIER_KINDS).find((k) => k.mappingTools);
  const folders = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !owned.has(d.name) && /^[\w-]{1,40}$/.test(d.name))
        .map((d) => d.name)
        .sort()
    : [];
  return [
    ...withTools,
    ...(kind ? folders.map((f) => ({ id: f.toUpperCase(), mappingTools: kind.mappingTools!(f) })) : []),
  ];
}

const USAGE = `Usage: npm run mappings -- <command> [--dir DIR] [--supplier ID]

Commands:
  validate                 check every table (schema and cross-table rules); exit 1 with file:line and a fix hint
  explain <file.json>      a supplier update (KSU): the KCI it produces (and which rows fired), for the order state
                           in --status/--order-type (default IN_PROGRESS / NEW); a tenant order request: the payload
  diff <git-ref>           what changes, for every seed fixture, between the tables at <git-ref> and these
  coverage                 codes and statuses in stored updates that no row matches (needs DATABASE_URL or PGLITE_DATA_DIR)

Options:
  --dir DIR                mappings directory (default: MAPPINGS_DIR or ./mappings)
  --supplier ID            whose tables (default: ${withTools[0]?.id}; known: ${withTools.map((m) => m.id).join(', ')})
`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}

/** Codes no row matches in the updates stored in a database (DATABASE_URL, else PGLITE_DATA_DIR). */
export async function coverageOf(
  supplierId: string,
  mappingsDir: string,
  opts: { databaseUrl?: string; pgliteDataDir?: string } = {},
): Promise<string> {
  const tools = suppliersWithTables(mappingsDir).find((m) => m.id === supplierId)?.mappingTools;
  if (!tools) throw new Error(`supplier ${supplierId} has no mapping tables`);
  const handle = await openDatabase({
    databaseUrl: opts.databaseUrl ?? process.env.DATABASE_URL,
    pgliteDataDir: opts.pgliteDataDir ?? process.env.PGLITE_DATA_DIR ?? './data/pglite',
  });
  try {
    return await tools.coverage(mappingsDir, storedBodies(handle.db, supplierId));
  } finally {
    await handle.close();
  }
}

export async function run(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
): Promise<number> {
  const args = [...argv];
  const dir = option(args, '--dir') ?? process.env.MAPPINGS_DIR ?? './mappings';
  const status = option(args, '--status');
  const orderType = option(args, '--order-type');
  const named = option(args, '--supplier');
  const supplierId = named ?? withTools[0]?.id;
  const known = suppliersWithTables(dir);
  const tools = known.find((m) => m.id === supplierId)?.mappingTools;
  const [command, arg] = args;
  if (!tools) {
    out(`unknown supplier ${supplierId}; known: ${known.map((m) => m.id).join(', ')}`);
    return 2;
  }
  try {
    switch (command) {
      case 'validate': {
        // Without --supplier: every supplier's tables (the first problem found stops it, with every problem of that supplier).
        for (const m of named ? known.filter((k) => k.id === named) : known)
          out(
            m.id === withTools[0]?.id
              ? `mapping tables in ${dir} are valid: ${m.mappingTools.validate(dir)}`
              : `${m.id} tables in ${join(dir, m.mappingTools.folder)} are valid: ${m.mappingTools.validate(dir)}`,
          );
        return 0;
      }
      case 'explain': {
        if (!arg) {
          out(USAGE);
          return 2;
        }
        out(tools.explain(dir, JSON.parse(readFileSync(arg, 'utf8')), { status, orderType }));
        return 0;
      }
      case 'diff': {
        if (!arg) {
          out(USAGE);
          return 2;
        }
        out(tools.diff(dir, arg).text);
        return 0;
      }
      case 'coverage': {
        out(await coverageOf(supplierId!, dir));
        return 0;
      }
      default:
        out(USAGE);
        return command ? 2 : 0;
    }
  } catch (e) {
    if (e instanceof MappingsError) {
      out(e.message);
      return 1;
    }
    out(`error: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.slice(2)).then((code) => process.exit(code));
}
