import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrate, openDatabase } from '../../src/store/database.js';

// PGlite on disk, as `npm start` runs it: a new data directory is created (initdb) in a child process,
// then opened here; what was written survives a reopen.
describe('PGlite data directory on disk', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bb1-pglite-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates a new directory, keeps what was committed, and reopens it without re-initialising', async () => {
    const dir = join(root, 'nested', 'pglite');
    const first = await openDatabase({ pgliteDataDir: dir });
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
    await migrate(first.db);
    await first.db.insertInto('counters').values({ tenant_id: 'T1', name: 'orders', value: 41 }).execute();
    await first.close();

    const again = await openDatabase({ pgliteDataDir: dir });
    const rows = await sql<{ value: number }>`SELECT value FROM counters WHERE tenant_id = 'T1'`.execute(again.db);
    expect(rows.rows).toEqual([{ value: 41 }]);
    await again.close();
  }, 60_000);

  it('names the directory when it cannot be created', async () => {
    const file = join(root, 'not-a-dir');
    writeFileSync(file, 'x');
    await expect(openDatabase({ pgliteDataDir: join(file, 'pglite') })).rejects.toThrow(/not-a-dir/);
  });
});
