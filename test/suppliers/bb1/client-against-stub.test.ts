import { ENGINES } from '../../helpers/db.js';
import { startKciSink } from '../../helpers/sink.js';
import { startBb1Stub } from '../../helpers/bb1-stub.js';
import { startStack, provideBody, ADDRESS, type Stack } from '../../helpers/stack.js';
import { BB1_PATHS } from '../../../src/suppliers/bb1/client.js';

const POQ = {
  productOfferingQualificationItem: [
    {
      id: '1',
      product: {
        productCharacteristic: [{ name: 'AccessTechnology', value: 'FTTP' }],
        productOffering: { id: 'FTTP 160_30M', name: 'FTTP' },
      },
    },
  ],
};

describe.each(ENGINES)('BB1 client against a local stub BB1 (%s)', (engine) => {
  let stack: Stack;
  let stub: Awaited<ReturnType<typeof startBb1Stub>>;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  const availability = () => stack.call('get', '/v1/service-availability', undefined, { query: { address: ADDRESS } });

  beforeAll(async () => {
    stub = await startBb1Stub();
    sink = await startKciSink();
    stack = await startStack({ engine, kciUrl: sink.url, bb1: stub.url, env: { BB1_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    await stack.stop();
    await stub.close();
    await sink.close();
  });

  it("caches the tenant's token, refreshes once on 401 and retries the call", async () => {
    stub.on('POST', BB1_PATHS.poq, (req, res) => {
      if (req.get('Authorization') === 'Bearer token-1' && stub.count('POST', BB1_PATHS.poq) === 3)
        return res.status(401).json({ fault: { faultstring: 'Invalid access token' } });
      res.json(POQ);
    });
    const before = stub.tokens;
    for (let i = 0; i < 2; i++) expect((await availability()).status).toBe(200);
    expect(stub.tokens - before).toBe(1);
    const third = await availability();
    expect(third.status).toBe(200);
    expect(stub.tokens - before).toBe(2);
    expect(third.body[0].serviceSpecifications[0].serviceCharacteristics[0].values).toEqual(['122']);
  });

  it('retries an idempotent call after a dropped connection, and maps BB1 4xx/5xx/timeouts to 422/502/504', async () => {
    stub.on('POST', BB1_PATHS.poq, (req, res, n) => {
      if (n % 2 === 1) {
        req.socket.destroy();
        return;
      }
      res.json(POQ);
    });
    const reset = stub.count('POST', BB1_PATHS.poq);
    expect((await availability()).status).toBe(200);
    expect(stub.count('POST', BB1_PATHS.poq) - reset).toBe(2);

    stub.on('POST', BB1_PATHS.poq, (_req, res) => {
      res.status(400).json({ code: '25', reason: 'Bad Request', message: 'NAD A15104646284 is not a Gold address' });
    });
    const rejected = await availability();
    expect(rejected.status).toBe(422);
    expect(rejected.body).toMatchObject({
      code: 'INVALID_REQUEST',
      messages: ['The supplier API returned the following message: NAD A15104646284 is not a Gold address'],
    });

    stub.on('POST', BB1_PATHS.poq, (_req, res) => {
      res.status(500).json({ message: 'An unexpected system error has occurred' });
    });
    const broken = await availability();
    expect(broken.status).toBe(502);
    expect(broken.body.code).toBe('SUPPLIER_FAULT');

    stub.on('POST', BB1_PATHS.poq, () => {
      /* never answers */
    });
    const slow = await availability();
    expect(slow.status).toBe(504);
    expect(slow.body.code).toBe('SUPPLIER_TIMED_OUT');
  });

  it('an order POST that times out is never re-sent: UNCERTAIN until the create KSU (matched by externalId) settles it', async () => {
    stub.on('POST', BB1_PATHS.order, () => {
      /* BB1 takes the order but the answer never arrives */
    });
    const created = await stack.call('post', '/v1/service-orders', provideBody());
    expect(created.status).toBe(201);
    const id = created.body.id;
    await sink.waitFor(() => sink.forOrder(id).length >= 1);
    const row = await stack.db.db
      .selectFrom('orders')
      .selectAll()
      .where('tenant_id', '=', 'TENANT1')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.send_state).toBe('UNCERTAIN');
    expect(row.status).toBe('SENT_TO_SUPPLIER');
    // A restart's recovery and further dispatch passes do not send it again.
    await stack.service.dispatcher.recover();
    await stack.service.dispatcher.run();
    expect(
      stub.calls.filter(
        (c) => c.path === BB1_PATHS.order && (c.body as { externalId: string }).externalId === row.external_id,
      ),
    ).toHaveLength(1);
    // BB1's create event names our externalId: the order is acknowledged and settled.
    const ksu = {
      event: {
        productOrder: {
          externalId: row.external_id,
          id: '00999001',
          productOrderItem: [
            {
              id: '100',
              internalId: '0000000001',
              action: 'add',
              product: { productOffering: { id: 'E0000160' }, id: 'asset-1' },
            },
          ],
          relatedParty: [{ role: 'BtCug', id: 'CUG5009999999' }],
        },
      },
      eventType: 'ProductOrderCreateEvent',
      eventTime: new Date().toISOString(),
      eventId: `evt-${engine}-uncertain`,
    };
    const r = await stack.http
      .post('/v1/suppliers/BTWHOLESALEBB1/ksus')
      .set('Authorization', `Bearer ${await stack.supplierToken()}`)
      .send(ksu);
    expect(r.status).toBe(202);
    await sink.waitFor(() =>
      sink.forOrder(id).some((k) => (k.body.information as { type?: string })?.type === 'ACKNOWLEDGED'),
    );
    const after = await stack.db.db
      .selectFrom('orders')
      .selectAll()
      .where('tenant_id', '=', 'TENANT1')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect([after.status, after.send_state, after.supplier_order_id]).toEqual(['ACKNOWLEDGED', 'SENT', '00999001']);
  });

  it('an order BB1 refuses becomes REJECTED with RESUBMIT; one BB1 cannot be reached becomes FAILED_TO_SEND with an ERROR KCI', async () => {
    stub.on('POST', BB1_PATHS.order, (_req, res) => {
      res.status(400).json({ code: '28', reason: 'Bad Request', message: 'Invalid ATT_RT_ResellerID' });
    });
    const refused = (await stack.call('post', '/v1/service-orders', provideBody())).body.id;
    await sink.waitFor(() => sink.forOrder(refused).length >= 1);
    const k = sink.forOrder(refused)[0]!.body;
    expect(k).toMatchObject({
      updateType: 'ACTION_REQUIRED',
      actionRequired: {
        type: 'RESUBMIT',
        problemCode: 'INVALID_REQUEST',
        text: 'The supplier API returned the following message: Invalid ATT_RT_ResellerID',
      },
      entity: { id: refused, status: 'REJECTED' },
    });

    stub.on('POST', BB1_PATHS.order, (req) => {
      req.socket.destroy();
    });
    const dropped = (await stack.call('post', '/v1/service-orders', provideBody())).body.id;
    await sink.waitFor(() => sink.forOrder(dropped).length >= 1);
    // A reset after the request was written may have reached BB1: UNCERTAIN, not FAILED, and not re-sent.
    expect(sink.forOrder(dropped)[0]!.body).toMatchObject({
      updateType: 'INFORMATIONAL',
      entity: { status: 'SENT_TO_SUPPLIER' },
    });
  });

  it('FAILED_TO_SEND with an ERROR KCI when BB1 refuses the connection', async () => {
    const down = await startStack({ engine, kciUrl: sink.url, bb1: 'http://127.0.0.1:1' });
    try {
      const id = (await down.call('post', '/v1/service-orders', provideBody({ notes: 'down' }))).body.id;
      await sink.waitFor(() => sink.received.some((k) => (k.body.entity as { notes?: string }).notes === 'down'));
      const k = sink.received.find((x) => (x.body.entity as { notes?: string }).notes === 'down')!.body;
      expect(k).toMatchObject({
        updateType: 'ERROR',
        error: {
          code: 'SUPPLIER_FAULT',
          messages: [expect.stringMatching(/^The supplier API returned the following message: /)],
        },
        entity: { id, status: 'FAILED_TO_SEND' },
      });
      expect(k.issuedOn).toBeUndefined();
    } finally {
      await down.stop();
    }
  });
});
