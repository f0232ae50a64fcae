import { startKciSink } from '../helpers/sink.js';
import { ADDRESS, CONTACT, T1_SECRET, T2_SECRET, startStack, type Stack } from '../helpers/stack.js';

/**
 * The built-in sandbox altnet (`baseUrl: sandbox`, as the demo tenant has it): availability from it beside the
 * BB1 sandbox, and an order through its Supplier Updates to COMPLETED, with its tables (mappings/fibreco/).
 */
describe('the FIBRECO sandbox altnet', () => {
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let stack: Stack;
  beforeAll(async () => {
    sink = await startKciSink();
    stack = await startStack({
      kciUrl: sink.url,
      bb1: 'sandbox',
      tenantsYaml: (kciUrl) => `
suppliers:
  - id: FIBRECO
    kind: fibrecafe-supplier-api
    baseUrl: sandbox
    sandboxPaceMs: 20
    updatesClient: { clientId: fibreco-updates, clientSecret: fibreco-updates-secret }
tenants:
  - id: TENANT1
    clients: [{ clientId: tenant1-app, clientSecret: ${T1_SECRET} }]
    kci: { url: ${kciUrl}, auth: { type: none } }
    suppliers:
      BTWHOLESALEBB1: { clientId: t1-bb1, clientSecret: t1-bb1-secret, cugId: CUG5009999999, retailerId: ZYX, billingAccountId: "0455821481",
        ksuClient: { clientId: bt-ksu-tenant1, clientSecret: ksu1-secret-value } }
      FIBRECO: {}
  - id: TENANT2
    clients: [{ clientId: tenant2-app, clientSecret: ${T2_SECRET} }]
    kci: { url: ${kciUrl}, auth: { type: none } }
    suppliers: { FIBRECO: {} }
`,
    });
  });
  afterAll(async () => {
    await stack.stop();
    await sink.close();
  });

  it('answers availability beside BB1 and takes an order to COMPLETED', async () => {
    const avail = await stack.call('get', '/v1/service-availability', undefined, { query: { address: ADDRESS } });
    expect(avail.status).toBe(200);
    expect(avail.body.map((e: { supplier: string }) => e.supplier)).toEqual(['BTWHOLESALEBB1', 'FIBRECO']);
    expect(avail.body[1].serviceSpecifications[0].serviceCharacteristics[0]).toEqual({
      name: 'LINE_PROFILE',
      values: ['FIBRECO_150', 'FIBRECO_500', 'FIBRECO_900'],
    });
    const created = await stack.call('post', '/v1/service-orders', {
      orderType: 'NEW',
      supplier: 'FIBRECO',
      address: ADDRESS,
      serviceOrderItem: {
        serviceSpecification: { id: 'FTTP' },
        serviceCharacteristics: [{ name: 'LINE_PROFILE', value: 'FIBRECO_500' }],
      },
      primaryContact: CONTACT,
    });
    expect(created.status).toBe(201);
    const mine = () =>
      sink.received.map((k) => k.body).filter((b) => (b.entity as { id: number }).id === created.body.id);
    await sink.waitFor(() => mine().some((k) => (k.information as { type?: string })?.type === 'COMPLETED'));
    expect(mine().map((k) => (k.information as { type: string }).type)).toEqual([
      'UPDATE',
      'ACKNOWLEDGED',
      'COMMITTED',
      'COMPLETED',
    ]);
    expect(mine()[3]!.entity).toMatchObject({ status: 'COMPLETED', serviceId: expect.stringMatching(/^FCSVC/) });
  });

  it('answers a tenant without a BB1 account from FIBRECO alone', async () => {
    const avail = await stack.call('get', '/v1/service-availability', undefined, {
      tenant: 'TENANT2',
      query: { address: ADDRESS },
    });
    expect(avail.status).toBe(200);
    expect(avail.body.map((e: { supplier: string }) => e.supplier)).toEqual(['FIBRECO']);
  });
});
