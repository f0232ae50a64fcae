import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coverageOf, run } from '../../src/cli/mappings.js';
import { openDatabase, migrate } from '../../src/store/database.js';
import { InboxWriter } from '../../src/ksus/inbox.js';

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});
function copyTables(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mappings-'));
  tmp.push(dir);
  cpSync('mappings', dir, { recursive: true });
  return dir;
}
const edit = (dir: string, file: string, f: (s: string) => string) =>
  writeFileSync(join(dir, 'bb1', file), f(readFileSync(join(dir, 'bb1', file), 'utf8')));
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await run(args, (s) => lines.push(s));
  return { code, out: lines.join('\n') };
}
/** The row of mappings/README.md's first worked example, exactly. */
const NEW_ROW =
  '  - { code: "9569", kci: { updateType: INFORMATIONAL, type: UPDATE }, priority: 11, text: External visit of a two-stage install completed }\n';
const addRow = (s: string) => s.replace('  - { code: "101158"', `${NEW_ROW}  - { code: "101158"`);

describe('npm run mappings -- validate', () => {
  it('passes on the shipped tables', async () => {
    const r = await cli(['validate']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/valid: 16 line profiles, 4 care levels/);
  });

  it('lists every problem with file, line and a fix hint, and exits 1', async () => {
    const dir = copyTables();
    edit(dir, 'ksu-codes.yaml', (s) =>
      s
        .replace('{ range: ["200000", "200999"]', '{ range: ["101500", "101600"]')
        .replace('problemCode: NETWORK_ISSUE', 'problemCode: NETWORK_PROBLEM'),
    );
    edit(dir, 'line-profiles.yaml', (s) => s.replace('lineProfile: "113"', 'lineProfile: "112"'));
    const schema = await cli(['validate', '--dir', dir]);
    expect(schema.code).toBe(1);
    expect(schema.out).toMatch(
      /ksu-codes\.yaml:\d+: codes\.\d+\.kci\.problemCode: Invalid enum value\. Expected 'ACCESS_ISSUE'/,
    );
    edit(dir, 'ksu-codes.yaml', (s) => s.replace('problemCode: NETWORK_PROBLEM', 'problemCode: NETWORK_ISSUE'));
    const cross = await cli(['validate', '--dir', dir]);
    expect(cross.code).toBe(1);
    expect(cross.out).toMatch(/line-profiles\.yaml:\d+: LINE_PROFILE 112 is listed twice \(remove one row\)/);
    expect(cross.out).toMatch(
      /ksu-codes\.yaml:\d+: range 101500-101600 overlaps the range on .*ksu-codes\.yaml:\d+ \(split one of them\)/,
    );
  });

  it('reports YAML syntax errors and missing tables by file and line', async () => {
    const dir = copyTables();
    edit(dir, 'care-levels.yaml', (s) => s.replace('careLevels:', 'careLevels:\n  - { careLevel: Basic, legacy: "1"'));
    rmSync(join(dir, 'bb1', 'ip-products.yaml'));
    const r = await cli(['validate', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/care-levels\.yaml:\d+: /);
    expect(r.out).toMatch(/ip-products\.yaml: missing/);
  });
});

describe('npm run mappings -- explain', () => {
  it('a KSU: the KCI, the status and the rows that fired with their lines', async () => {
    const r = await cli(['explain', 'test/fixtures/seed003/13-delay-due-to-network-issues.json']);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.out);
    expect(e).toMatchObject({
      statusBefore: 'IN_PROGRESS',
      statusAfter: 'HELD',
      kcis: [{ updateType: 'INFORMATIONAL', type: 'DELAY', problemCode: 'NETWORK_ISSUE', supplierCodes: ['101105'] }],
      unmappedCodes: [],
    });
    expect(e.firedRows[0]).toMatch(/^ksu-codes 101105 {2}\(.*ksu-codes\.yaml:\d+\) {2}← highest priority$/);
    expect(e.entityChanges.targetDate).toBe('2024-02-29T23:59:59.000Z');
  });

  it('a tenant request: the BB1 payload, or the 400 messages', async () => {
    const ok = JSON.parse((await cli(['explain', 'test/fixtures/requests/provide-fttp-appointed.json'])).out);
    expect(
      ok.bb1Payload.productOrderItem[0].productOrderItem.map(
        (i: { product: { productOffering: { id: string } } }) => i.product.productOffering.id,
      ),
    ).toEqual(['E0000027', 'E0000703', 'E0000152']);
    const dir = copyTables();
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        ...JSON.parse(readFileSync('test/fixtures/requests/cease.json', 'utf8')),
        ceaseReason: 'CHANGE_OF_CP',
      }),
    );
    expect(JSON.parse((await cli(['explain', bad])).out).invalid[0]).toMatch(
      /^ceaseReason: "CHANGE_OF_CP" is not allowed for FTTP/,
    );
  });

  it('the README worked example: a row for 9569 turns an unmapped UPDATE into the KCI the row says', async () => {
    const fixture = 'test/fixtures/seed003/12-external-visit-for-two-stage-install-complete.json';
    const before = JSON.parse((await cli(['explain', fixture])).out);
    expect(before.kcis.map((k: { type: string }) => k.type)).toEqual(['UPDATE']);
    expect(before.unmappedCodes).toEqual(['9569']);
    const dir = copyTables();
    edit(dir, 'ksu-codes.yaml', addRow);
    const after = JSON.parse((await cli(['explain', fixture, '--dir', dir])).out);
    expect(after.kcis).toEqual([
      expect.objectContaining({
        type: 'UPDATE',
        supplierCodes: ['9569'],
        text: expect.stringMatching(/^Notification only/),
      }),
    ]);
    expect(after.firedRows).toEqual([
      expect.stringMatching(/^ksu-codes 9569 {2}\(.*ksu-codes\.yaml:\d+\) {2}← highest priority$/),
    ]);
    expect(after.unmappedCodes).toEqual([]);
  });
});

describe('npm run mappings -- diff', () => {
  it('shows exactly the fixtures a table change affects, against a git ref', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mappings-git-'));
    tmp.push(repo);
    cpSync('mappings', join(repo, 'mappings'), { recursive: true });
    const git = (...a: string[]) => execFileSync('git', a, { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '.');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'tables');
    const dir = join(repo, 'mappings');
    const same = await cli(['diff', 'HEAD', '--dir', dir]);
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/^no fixture translates differently from HEAD \(\d+ checked\)$/);
    // README worked example 1: the KCI stays an UPDATE, but the code is mapped now: the fired rows and the
    // unmapped codes change, and diff says so (only for that fixture).
    edit(dir, 'ksu-codes.yaml', addRow);
    const changed = await cli(['diff', 'HEAD', '--dir', dir]);
    expect(changed.out.match(/^CHANGED .*$/gm)).toEqual([
      'CHANGED test/fixtures/seed003/12-external-visit-for-two-stage-install-complete.json',
    ]);
    expect(changed.out).toContain('  fired:\n    before: []\n    after:  ["ksu-codes 9569"]');
    expect(changed.out).toContain('  unmapped:\n    before: ["9569"]\n    after:  []');
    expect(changed.out).not.toMatch(/^ {2}kcis:/m);
    expect(changed.out).toMatch(/1 fixture\(s\) translate differently from HEAD/);
    // A row that changes the KCI and the status: both reported, before and after.
    edit(dir, 'ksu-codes.yaml', (s) =>
      s.replace(
        'kci: { updateType: INFORMATIONAL, type: UPDATE }, priority: 11',
        'kci: { updateType: INFORMATIONAL, type: DELAY, problemCode: ADDITIONAL_WORK }, status: HELD, priority: 11',
      ),
    );
    const delay = await cli(['diff', 'HEAD', '--dir', dir]);
    expect(delay.out).toMatch(/ {2}status:\n {4}before: IN_PROGRESS\n {4}after: {2}HELD/);
    expect(delay.out).toMatch(
      / {2}kcis:\n {4}before: \[\{"updateType":"INFORMATIONAL","type":"UPDATE".*\n {4}after: {2}\[\{"updateType":"INFORMATIONAL","type":"DELAY","problemCode":"ADDITIONAL_WORK"/,
    );
    edit(dir, 'line-profiles.yaml', (s) => s.replace('ecode: E0000174', 'ecode: E0000175'));
    const profile = await cli(['diff', 'HEAD', '--dir', dir]);
    expect(profile.out).toMatch(/CHANGED test\/fixtures\/requests\/modify-care-level\.json/);
  });
});

describe('npm run mappings -- coverage', () => {
  it('lists codes in stored KSUs that no row matches, with counts and first/last seen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coverage-'));
    tmp.push(dir);
    const db = await openDatabase({ pgliteDataDir: join(dir, 'db') });
    await migrate(db.db);
    for (const f of [
      '03-access-order-pending-with-supplier.json',
      '12-external-visit-for-two-stage-install-complete.json',
      '22-change-care-level-wbmc-order-pending.json',
      '13-delay-due-to-network-issues.json',
    ]) {
      const raw = readFileSync(`test/fixtures/seed003/${f}`, 'utf8');
      await new InboxWriter(db.db).store({
        eventId: f,
        tenantId: 'T',
        supplier: 'BTWHOLESALEBB1',
        raw,
        body: JSON.parse(raw),
        eventType: null,
        eventTime: null,
        externalId: null,
        supplierOrderId: null,
        status: 'APPLIED',
        error: null,
      });
    }
    await db.close();
    const out = await coverageOf('BTWHOLESALEBB1', 'mappings', { pgliteDataDir: join(dir, 'db') });
    expect(out).toMatch(/^unmatched in 4 stored KSUs:/);
    expect(out).toMatch(/code 2001 +2 {2}first \S+ {2}last \S+/);
    expect(out).toMatch(/code 2002 +1 /);
    expect(out).toMatch(/code 9569 +1 /);
    expect(out).not.toMatch(/101105/);
  });
});
