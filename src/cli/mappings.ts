import { readFileSync } from 'node:fs';
import { openDatabase } from '../store/database.js';
import { storedBodies } from '../ksus/inbox.js';
import { SUPPLIER_MODULES } from '../suppliers/registry.js';
import { MappingsError } from '../suppliers/supplier.js';

const withTools = SUPPLIER_MODULES.filter((m) => m.mappingTools);

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
  const tools = SUPPLIER_MODULES.find((m) => m.id === supplierId)?.mappingTools;
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
  const supplierId = option(args, '--supplier') ?? withTools[0]?.id;
  const tools = withTools.find((m) => m.id === supplierId)?.mappingTools;
  const [command, arg] = args;
  if (!tools) {
    out(`unknown supplier ${supplierId}; known: ${withTools.map((m) => m.id).join(', ')}`);
    return 2;
  }
  try {
    switch (command) {
      case 'validate': {
        out(`mapping tables in ${dir} are valid: ${tools.validate(dir)}`);
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
