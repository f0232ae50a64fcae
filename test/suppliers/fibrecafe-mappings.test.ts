import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/mappings.js';
import { loadTranslation } from '../../src/suppliers/fibrecafe/mappings.js';
import { MappingsError } from '../../src/suppliers/supplier.js';

/** A configured altnet's optional tables (mappings/<supplier>/), through the same CLI as BB1's. */
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
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await run(args, (s) => lines.push(s));
  return { code, out: lines.join('\n') };
}

describe("a Fibre Cafe Supplier API supplier's tables", () => {
  it('are validated beside BB1’s, and on their own with --supplier', async () => {
    const all = await cli(['validate']);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/mapping tables in \.\/mappings are valid: \d+ line profiles/);
    expect(all.out).toContain('FIBRECO tables in mappings/fibreco are valid: 2 characteristics translated (3 values)');
    const one = await cli(['validate', '--supplier', 'FIBRECO']);
    expect(one.out).not.toMatch(/line profiles/);
  });

  it('report every problem with file and line, and translations that would not come back the same way', async () => {
    const dir = copyTables();
    const file = join(dir, 'fibreco', 'line-profiles.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('supplierValue: "500-75"', 'supplierValue: "150-30"')
        .replace('lineProfile: FIBRECO_900,', 'lineProfile: FIBRECO_900, speed: 900,'),
    );
    const r = await cli(['validate', '--dir', dir, '--supplier', 'FIBRECO']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/fibreco\/line-profiles\.yaml:7: lineProfiles\.2: Unrecognized key\(s\) in object: 'speed'/);
    rmSync(file);
    writeFileSync(
      join(dir, 'fibreco', 'characteristics.yaml'),
      'characteristics:\n  - { name: LINE_PROFILE, values: [{ value: A, supplierValue: X }, { value: B, supplierValue: X }] }\n',
    );
    expect(() => loadTranslation(dir, 'fibreco')).toThrow(MappingsError);
    expect((await cli(['validate', '--dir', dir, '--supplier', 'FIBRECO'])).out).toContain(
      'LINE_PROFILE supplier value "X" would translate back two ways',
    );
  });

  it('explain a tenant request (the characteristics sent) and a Supplier Update (the KCI it gives)', async () => {
    const dir = copyTables();
    const req = join(dir, 'req.json');
    writeFileSync(
      req,
      JSON.stringify({
        serviceOrderItem: {
          serviceCharacteristics: [
            { name: 'LINE_PROFILE', value: 'FIBRECO_500' },
            { name: 'CONTRACT_TERM', value: '24' },
            { name: 'CARE_LEVEL', value: 'Standard' },
          ],
        },
      }),
    );
    const out = JSON.parse((await cli(['explain', req, '--dir', dir, '--supplier', 'FIBRECO'])).out);
    expect(out.serviceCharacteristics).toEqual([
      { name: 'LINE_PROFILE', value: '500-75' },
      { name: 'MINIMUM_TERM_MONTHS', value: '24' },
      { name: 'CARE_LEVEL', value: 'Standard' },
    ]);
    const upd = join(dir, 'upd.json');
    writeFileSync(
      upd,
      JSON.stringify({
        id: 'u1',
        sequenceNumber: 1,
        issuedOn: '2026-12-01T10:00:00Z',
        reasonCode: 'REAPPOINT',
        problemCode: 'ACCESS_ISSUE',
        text: 'No access',
        provideServiceOrder: { id: 3, tenant: 'TENANT1' },
      }),
    );
    const explained = JSON.parse((await cli(['explain', upd, '--dir', dir, '--supplier', 'FIBRECO'])).out);
    expect(explained.signals[0]).toMatchObject({
      kci: { updateType: 'ACTION_REQUIRED', type: 'REAPPOINT', problemCode: 'ACCESS_ISSUE' },
      status: 'PENDING',
    });
    expect(explained.keys).toMatchObject({ eventId: 'FIBRECO:u1', gatewayOrder: { tenantId: 'TENANT1', id: 3 } });
  });

  it('diff a git ref against these: every translation added or removed', async () => {
    // 054e1ba: the commit before FIBRECO had tables.
    const r = await cli(['diff', '054e1ba', '--supplier', 'FIBRECO']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual(
      expect.arrayContaining([
        '+ CONTRACT_TERM → MINIMUM_TERM_MONTHS',
        '+ LINE_PROFILE → LINE_PROFILE: FIBRECO_900 → 900-100',
      ]),
    );
  });

  it('a supplier without tables passes every characteristic unchanged', () => {
    const t = loadTranslation(copyTables(), 'nosuchaltnet');
    expect(t.summary).toBe('no tables: characteristics pass unchanged');
    expect(t.outbound([{ name: 'LINE_PROFILE', value: 'X' }])).toEqual([{ name: 'LINE_PROFILE', value: 'X' }]);
  });
});
