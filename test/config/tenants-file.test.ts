import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTenants, TenantsFileError } from '../../src/config/tenants.js';
import { loadConfig, ConfigError } from '../../src/config/env.js';
import { verifySecret } from '../../src/auth/secrets.js';

const GOOD = `
tenants:
  - id: TENANT1
    clients:
      - clientId: tenant1-app
        clientSecret: \${TENANT1_SECRET}
    kci:
      url: http://127.0.0.1:9999/kcis
      auth: { type: oauth2, tokenUrl: http://127.0.0.1:9999/token, clientId: gw, clientSecret: \${KCI_SECRET} }
      signingSecret: whsec_MDEyMzQ1Njc4OWFiY2RlZg==
    suppliers:
      BTWHOLESALEBB1:
        clientId: \${T1_BB1_KEY}
        clientSecret: bb1-secret
        cugId: CUG5009999999
        retailerId: ZYX
        billingAccountId: "0455821481"
        ksuClient: { clientId: bt-ksu-tenant1, clientSecret: ksu-secret-1 }
`;

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseTenants(text, 'tenants.yaml', env);
  } catch (e) {
    if (e instanceof TenantsFileError) return e.problems;
    throw e;
  }
  throw new Error('expected problems');
}

describe('tenants file', () => {
  it('substitutes ${VAR} from the environment and keeps secrets only as hashes', async () => {
    const dir = parseTenants(GOOD, 'tenants.yaml', {
      TENANT1_SECRET: 'from-the-env',
      KCI_SECRET: 'k',
      T1_BB1_KEY: 'consumer-key',
    });
    const t = dir.byClientId('tenant1-app')!;
    expect(t.id).toBe('TENANT1');
    expect((t.accounts.BTWHOLESALEBB1 as { clientId: string }).clientId).toBe('consumer-key');
    expect(await verifySecret('from-the-env', t.clients[0]!.secret)).toBe(true);
    expect(await verifySecret('${TENANT1_SECRET}', t.clients[0]!.secret)).toBe(false);
    expect(JSON.stringify(t.clients)).not.toContain('from-the-env');
    expect(dir.byInboundClientId('bt-ksu-tenant1')?.tenant?.id).toBe('TENANT1');
  });

  it('lists every problem at once with line and path', () => {
    const bad = GOOD.replace('id: TENANT1', 'id: "TENANT 1"')
      .replace('retailerId: ZYX', 'retailerId: ZYXW')
      .replace('url: http://127.0.0.1:9999/kcis', 'url: not-a-url')
      .replace('cugId: CUG5009999999', 'cugId: BT5009999999');
    const list = problems(bad, { TENANT1_SECRET: 'x-long-secret', KCI_SECRET: 'k', T1_BB1_KEY: 'c' });
    expect(list).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^line 3, tenants\.0\.id: must match/),
        expect.stringMatching(/^line \d+, tenants\.0\.kci\.url: Invalid url/),
        expect.stringMatching(/^line \d+, tenants\.0\.suppliers\.BTWHOLESALEBB1\.cugId: must look like CUG5009999999/),
        expect.stringMatching(
          /^line \d+, tenants\.0\.suppliers\.BTWHOLESALEBB1\.retailerId: must be a three-character Ofcom RID/,
        ),
      ]),
    );
    expect(list).toHaveLength(4);
  });

  it('names unset variables and duplicate client ids', () => {
    expect(problems(GOOD, { KCI_SECRET: 'k' })).toEqual([
      'line 6: environment variable TENANT1_SECRET is not set',
      'line 13: environment variable T1_BB1_KEY is not set',
    ]);
    const twice = GOOD + GOOD.replace('tenants:\n', '').replace('id: TENANT1', 'id: TENANT2');
    expect(problems(twice, { TENANT1_SECRET: 'x-long-secret', KCI_SECRET: 'k', T1_BB1_KEY: 'c' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/clientId "tenant1-app" is already used by tenants\.0\.clients\.0\.clientId/),
      ]),
    );
  });

  it('a bad file stops start-up with the problems listed, never a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    try {
      const file = join(dir, 'tenants.yaml');
      writeFileSync(file, GOOD.replace('retailerId: ZYX', 'retailerId: Z'));
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          ...process.env,
          TENANTS_FILE: file,
          TENANT1_SECRET: 'x-long-secret',
          KCI_SECRET: 'k',
          T1_BB1_KEY: 'c',
          PORT: '0',
          PGLITE_DATA_DIR: 'memory://',
        },
        encoding: 'utf8',
        timeout: 60000,
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(
        /Tenants file .*tenants\.yaml is invalid:\n {2}- line \d+, tenants\.0\.suppliers\.BTWHOLESALEBB1\.retailerId: must be a three-character Ofcom RID/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('environment: every bad variable listed', () => {
    expect(() => loadConfig({ PORT: 'eighty', KCI_RETRY_SCHEDULE: '5,soon' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', KCI_RETRY_SCHEDULE: '5,soon', LOG_LEVEL: 'loud' });
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
        'PORT',
        'KCI_RETRY_SCHEDULE',
        'LOG_LEVEL',
      ]);
    }
    expect(loadConfig({}).kciRetrySchedule).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
  });
});
