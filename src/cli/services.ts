import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'yaml';
import { openDatabase, migrate } from '../store/database.js';
import { projectRoot } from '../platform/paths.js';
import { parseImport, type Entitlements } from '../services/import-file.js';
import { importRows } from '../services/import-services.js';

const USAGE = `Usage: npm run services -- import FILE [--tenants TENANTS_FILE]

  import FILE    services the connector did not see provided (JSON array or CSV: see docs in README
                 "Services"), validated with every problem listed (nothing is written when there is one);
                 idempotent: a re-run changes nothing. Writes to DATABASE_URL, else PGLITE_DATA_DIR
                 (default ./data/pglite; stop the service first: the embedded database has one user).
`;

/** Which suppliers each tenant of a tenants file may use (ids only: the CLI needs no secrets). */
function entitlements(file: string): Entitlements {
  const doc = parse(readFileSync(file, 'utf8')) as {
    tenants?: { id?: unknown; suppliers?: Record<string, unknown> }[];
  };
  return new Map(
    (doc?.tenants ?? [])
      .filter((t) => typeof t.id === 'string')
      .map((t) => [t.id as string, new Set(Object.keys(t.suppliers ?? {}))]),
  );
}

export async function importServices(
  file: string,
  opts: { tenantsFile: string; databaseUrl?: string; pgliteDataDir?: string },
): Promise<{ code: number; text: string }> {
  const format = extname(file).toLowerCase() === '.csv' ? 'csv' : 'json';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { code: 1, text: `${file}: cannot be read (${(e as NodeJS.ErrnoException).code})` };
  }
  const { rows, problems } = parseImport(text, format, entitlements(opts.tenantsFile));
  if (problems.length)
    return {
      code: 1,
      text: [
        `${file}: nothing imported; ${problems.length} problem(s):`,
        ...problems.map((p) => `  ${file} ${p}`),
      ].join('\n'),
    };
  const handle = await openDatabase({
    databaseUrl: opts.databaseUrl,
    pgliteDataDir: opts.pgliteDataDir ?? './data/pglite',
  });
  try {
    await migrate(handle.db);
    const counts = await importRows(handle.db, rows);
    if ('inFlight' in counts)
      return {
        code: 1,
        text: [
          `${file}: nothing imported; these services have a change in flight (import again when it has finished):`,
          ...counts.inFlight.map((x) => `  ${x}`),
        ].join('\n'),
      };
    return {
      code: 0,
      text: `${file}: ${rows.length} services: ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged`,
    };
  } finally {
    await handle.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const i = args.indexOf('--tenants');
  const tenantsFile =
    i >= 0 ? args.splice(i, 2)[1]! : (process.env.TENANTS_FILE ?? `${projectRoot()}/config/demo-tenants.yaml`);
  const [command, file] = args;
  if (command !== 'import' || !file) {
    process.stdout.write(USAGE);
    return command ? 2 : 0;
  }
  const r = await importServices(file, {
    tenantsFile,
    databaseUrl: process.env.DATABASE_URL,
    pgliteDataDir: process.env.PGLITE_DATA_DIR,
  });
  process.stdout.write(r.text + '\n');
  return r.code;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
