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

  it('an order POST that times out is never re-sent blindly: BB1 is asked by externalId, and the order it holds is adopted', async () => {
    stub.on('POST', BB1_PATHS.order, () => {
      /* BB1 takes the order but the answer never arrives */
    });
    stub.on('GET', BB1_PATHS.order, (req, res) => {
      res.json([{ id: '00999001', externalId: req.query.externalId, productOrderItem: [] }]);
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
    expect([row.status, row.send_state, row.supplier_order_id]).toEqual(['SENT_TO_SUPPLIER', 'SENT', '00999001']);
    expect(sink.forOrder(id)[0]!.body).toMatchObject({
      updateType: 'INFORMATIONAL',
      information: { type: 'UPDATE', text: 'Order sent to BTWHOLESALEBB1' },
      entity: { status: 'SENT_TO_SUPPLIER', supplierOrderNumber: '00999001' },
    });
    // Further dispatch passes do not send it again.
    await stack.service.dispatcher.run();
    expect(
      stub.calls.filter(
        (c) =>
          c.method === 'POST' &&
          c.path === BB1_PATHS.order &&
          (c.body as { externalId: string }).externalId === row.external_id,
      ),
    ).toHaveLength(1);
    const asked = stub.calls.filter((c) => c.method === 'GET' && c.path === BB1_PATHS.order);
    expect(asked.map((c) => (c.query as { externalId: string }).externalId)).toContain(row.external_id);
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

    // A reset after the request was written may have reached BB1: BB1 is asked, and the order, not there, is
    // sent again (same externalId) once.
    let posts = 0;
    stub.on('POST', BB1_PATHS.order, (req, res) => {
      posts += 1;
      if (posts === 1) return req.socket.destroy();
      res.status(202).json({ id: '00999002' });
    });
    stub.on('GET', BB1_PATHS.order, (_req, res) => {
      res.json([]);
    });
    const dropped = (await stack.call('post', '/v1/service-orders', provideBody())).body.id;
    await sink.waitFor(() => sink.forOrder(dropped).length >= 1);
    expect(sink.forOrder(dropped)[0]!.body).toMatchObject({
      updateType: 'INFORMATIONAL',
      entity: { status: 'SENT_TO_SUPPLIER', supplierOrderNumber: '00999002' },
    });
    expect(posts).toBe(2);
  });

  it('FAILED_TO_SEND with an ERROR KCI when BB1 refuses the connection until the send window closes', async () => {
    // A refused connection is retried (the request never left) until the send window closes, then reported once.
    const down = await startStack({
      engine,
      kciUrl: sink.url,
      bb1: 'http://127.0.0.1:1',
      env: { SUPPLIER_SEND_WINDOW_S: '0.5', SUPPLIER_RETRY_BASE_MS: '50' },
    });
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
