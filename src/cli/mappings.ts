import { readFileSync } from 'node:fs';
import { loadBb1Mappings, MappingsError } from '../suppliers/bb1/mappings/load.js';
import { explainFile } from './explain.js';
import { diffTables } from './diff.js';
import { coverage } from './coverage.js';

const USAGE = `Usage: npm run mappings -- <command> [--dir DIR]

Commands:
  validate                 check every table (schema and cross-table rules); exit 1 with file:line and a fix hint
  explain <file.json>      a KSU: the KCI it produces (and which rows fired), for the order state in
                           --status/--order-type (default IN_PROGRESS / NEW); a tenant order request: the BB1 payload
  diff <git-ref>           what changes, for every seed fixture, between the tables at <git-ref> and these
  coverage                 codes and statuses in stored KSUs that no row matches (needs DATABASE_URL or PGLITE_DATA_DIR)

Options:
  --dir DIR                mappings directory (default: MAPPINGS_DIR or ./mappings)
`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}

export async function run(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
): Promise<number> {
  const args = [...argv];
  const dir = option(args, '--dir') ?? process.env.MAPPINGS_DIR ?? './mappings';
  const status = option(args, '--status');
  const orderType = option(args, '--order-type');
  const [command, arg] = args;
  try {
    switch (command) {
      case 'validate': {
        const m = loadBb1Mappings(dir);
        const t = m.tables;
        out(
          `mapping tables in ${dir} are valid: ${t['line-profiles'].lineProfiles.length} line profiles, ${t['care-levels'].careLevels.length} care levels, ${t['ksu-codes'].codes.length} KSU code rows, ${t['ksu-item-states'].items.length} item-state rows`,
        );
        return 0;
      }
      case 'explain': {
        if (!arg) {
          out(USAGE);
          return 2;
        }
        out(explainFile(loadBb1Mappings(dir), JSON.parse(readFileSync(arg, 'utf8')), { status, orderType }));
        return 0;
      }
      case 'diff': {
        if (!arg) {
          out(USAGE);
          return 2;
        }
        const r = diffTables(dir, arg);
        out(r.text);
        return 0;
      }
      case 'coverage': {
        out(await coverage(loadBb1Mappings(dir)));
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
