import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKciSink } from '../helpers/sink.js';
import { startBb1Stub } from '../helpers/bb1-stub.js';
import { startStack, provideBody, OPERATOR_TOKEN, type Stack } from '../helpers/stack.js';
import { BB1_PATHS } from '../../src/suppliers/bb1/client.js';

describe('reloading the tables in a running service', () => {
  let stack: Stack;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let stub: Awaited<ReturnType<typeof startBb1Stub>>;
  const dir = mkdtempSync(join(tmpdir(), 'reload-'));
  const codes = join(dir, 'bb1', 'ksu-codes.yaml');
  beforeAll(async () => {
    cpSync('mappings', dir, { recursive: true });
    stub = await startBb1Stub();
    stub.on('POST', BB1_PATHS.order, (_req, res) => {
      res.status(202).json({ id: `R${Date.now()}` });
    });
    sink = await startKciSink();
    stack = await startStack({ kciUrl: sink.url, bb1: stub.url, env: { MAPPINGS_DIR: dir } });
  });
  afterAll(async () => {
    await stack.stop();
    await sink.close();
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ksuWith = async (code: string, n: number) => {
    const o = await stack.call('post', '/v1/service-orders', provideBody());
    await sink.waitFor(() => sink.forOrder(o.body.id).length === 1);
    const row = await stack.db.db
      .selectFrom('orders')
      .selectAll()
      .where('tenant_id', '=', 'TENANT1')
      .where('id', '=', o.body.id)
      .executeTakeFirstOrThrow();
    const body = {
      event: {
        productOrder: {
          externalId: row.external_id,
          id: row.supplier_order_id,
          errorMessage: [
            {
              subCode: code,
              message: `Informational : ${code} : External visit done`,
              productOrderItem: [{ itemId: '100' }],
            },
          ],
          productOrderItem: [],
        },
      },
      eventType: 'ProductOrderStateChangeEvent',
      eventTime: new Date().toISOString(),
      eventId: `reload-${n}`,
    };
    expect(
      (
        await stack.http
          .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
          .set('Authorization', `Bearer ${await stack.supplierToken()}`)
          .send(body)
      ).status,
    ).toBe(202);
    await sink.waitFor(() => sink.forOrder(o.body.id).length === 2);
    return sink.forOrder(o.body.id)[1]!.body.information as { type: string; problemCode?: string };
  };
  const reload = () => stack.http.post('/ops/mappings/reload').set('Authorization', `Bearer ${OPERATOR_TOKEN}`);

  it('keeps the old tables when the new ones are invalid, and uses new ones that validate', async () => {
    expect(await ksuWith('9569', 1)).toMatchObject({ type: 'UPDATE' });
    const metrics = await stack.http.get('/metrics');
    expect(metrics.text).toMatch(/supplier_unmapped_codes_total\{supplier="BTWHOLESALEBB1",code="9569"\} 1/);
    const good = readFileSync(codes, 'utf8');
    writeFileSync(
      codes,
      good.replace(
        '  - { code: "101158"',
        '  - { code: "9569", kci: { updateType: INFORMATIONAL, type: WARNNG }, priority: 11, text: x }\n  - { code: "101158"',
      ),
    );
    const refused = await reload();
    expect(refused.status).toBe(422);
    expect(refused.body.messages.join('\n')).toMatch(/ksu-codes\.yaml:\d+: codes\.\d+\.kci\.type: Invalid enum value/);
    expect(await ksuWith('9569', 2)).toMatchObject({ type: 'UPDATE' }); // still the old tables
    writeFileSync(
      codes,
      good.replace(
        '  - { code: "101158"',
        '  - { code: "9569", kci: { updateType: INFORMATIONAL, type: WARNING, problemCode: APPOINTMENT_NOT_REQUIRED }, priority: 11, text: x }\n  - { code: "101158"',
      ),
    );
    const ok = await reload();
    expect(ok.status).toBe(200);
    // Every table file of the suppliers this service has (BB1 alone here).
    const tables = ['bb1'].flatMap((d) => readdirSync(join('mappings', d)).filter((f) => f.endsWith('.yaml')));
    expect(ok.body).toEqual({ reloaded: true, tables: tables.length });
    expect(await ksuWith('9569', 3)).toMatchObject({ type: 'WARNING', problemCode: 'APPOINTMENT_NOT_REQUIRED' });
    expect((await stack.http.get('/metrics')).text).toMatch(
      /supplier_unmapped_codes_total\{supplier="BTWHOLESALEBB1",code="9569"\} 2/,
    );
    expect((await stack.http.post('/ops/mappings/reload')).status).toBe(401);
  });
});
