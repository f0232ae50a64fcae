import { ENGINES } from '../helpers/db.js';
import { startKciSink, type ReceivedKci } from '../helpers/sink.js';
import { startStack, ADDRESS, CONTACT, type Stack } from '../helpers/stack.js';
import { SANDBOX_STOPPED_LINE } from '../../src/suppliers/bb1/sandbox/poq.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Nv = { name: string; value: string };
const byName = (l: Nv[] | undefined) => Object.fromEntries((l ?? []).map((c) => [c.name, c.value]));
const attrs = (body: J) => byName(body.productOrderItem[0].product.productCharacteristic);
const nad = (id: string, robt?: string) => ({
  id,
  type: 'NAD',
  additionalIdentifiers: [{ id: 'LS', type: 'DistrictCode' }, ...(robt ? [{ id: robt, type: 'ROBT' }] : [])],
});

/**
 * What issue 11 asks of BB1, end to end over HTTP: the connector, the BB1 sandbox answering in the seeds' shapes,
 * and a tenant sink, on each database engine.
 */
describe.each(ENGINES)('BB1 coverage end to end with the sandbox (%s)', (engine) => {
  let stack: Stack;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let conv = 0;

  beforeAll(async () => {
    sink = await startKciSink();
    stack = await startStack({ engine, kciUrl: sink.url, bb1: 'sandbox', sandboxPaceMs: 15 });
  });
  afterAll(async () => {
    await stack.stop();
    await sink.close();
  });

  const availability = async (address: unknown) => {
    const r = await stack.call('get', '/v1/service-availability', undefined, { query: { address } });
    expect(r.status).toBe(200);
    return r.body[0] as J;
  };
  const order = (body: J) =>
    stack.call('post', '/v1/service-orders', body, { headers: { 'X-Conversation-ID': `cov-${engine}-${++conv}` } });
  const acknowledged = (conversation: string) =>
    sink.waitFor(
      () =>
        sink.received.some(
          (k: ReceivedKci) =>
            k.headers['x-conversation-id'] === conversation && (k.body.information as J)?.type === 'ACKNOWLEDGED',
        ),
      20000,
    );
  const sentFor = async (id: number) => {
    await sink.waitFor(() => stack.sandbox!.received.some((b) => String(b.externalId).includes(`-${id}-`)), 20000);
    return stack.sandbox!.received.find((b) => String(b.externalId).includes(`-${id}-`)) as J;
  };
  async function reserve(address: unknown, spec = 'FTTP') {
    const slots = await stack.call('get', '/v1/available-appointments', undefined, {
      query: { supplier: 'BTWHOLESALEBB1', address, serviceSpecification: { id: spec } },
    });
    expect(slots.status).toBe(200);
    const r = await stack.call('post', '/v1/appointments', {
      supplier: 'BTWHOLESALEBB1',
      address,
      serviceSpecification: { id: spec },
      purpose: 'PROVIDE',
      timeslot: slots.body.availableTimeslots[0],
    });
    expect(r.status).toBe(201);
    return r.body.id as number;
  }
  const provide = (address: unknown, spec: string, lineProfile: string, extra: J = {}, chars: Nv[] = []) => ({
    orderType: 'NEW',
    supplier: 'BTWHOLESALEBB1',
    address,
    primaryContact: CONTACT,
    serviceOrderItem: {
      serviceSpecification: { id: spec },
      serviceCharacteristics: [
        { name: 'LINE_PROFILE', value: lineProfile },
        { name: 'END_USER_TYPE', value: 'Residential' },
        { name: 'CONTRACT_TERM', value: '12' },
        ...chars,
      ],
    },
    ...extra,
  });

  it("availability: each offering's own guaranteed speed and every FTTP flag reach the tenant", async () => {
    const a = await availability(ADDRESS);
    const figures = Object.fromEntries(
      a.serviceSpecifications.flatMap((s: J) =>
        s.lineProfiles.map((l: J) => [l.value, byName(l.lineCharacteristics).MINIMUM_SPEED]),
      ),
    );
    expect(figures).toEqual({ '122': '76', '129': '500', '113': '55.2' });
    expect(byName(a.siteInformation.siteCharacteristics)).toEqual({
      FTTP_EXISTING_ONT_AVAILABLE: 'N',
      FTTP_NEW_ONT_AVAILABLE: 'Y',
      FTTP_PRIORITY_EXCHANGE: 'N',
      FTTP_INSTALL_PROCESS: '1 Stage',
      FTTP_TRANSFER_OR_TAKEOVER_AVAILABLE: 'Y',
    });
    const waiting = await availability(nad('A15104643333'));
    expect(byName(waiting.siteInformation.siteCharacteristics).FTTP_NEW_ONT_AVAILABLE).toBe('W');
    expect(byName(waiting.serviceSpecifications[0].lineProfiles[0].lineCharacteristics)).toMatchObject({
      MINIMUM_SPEED: '76',
      AVAILABILITY_DATE: '2027-03-31',
    });
  });

  it('a provide without MINIMUM_SPEED carries the offering’s guaranteed speed from the availability answer', async () => {
    const r = await order(provide(ADDRESS, 'FTTP', '129'));
    expect(r.status).toBe(201);
    expect(attrs(await sentFor(r.body.id)).ATT_RT_ProductMinimumGuaranteedSpeed).toBe('500');
    const own = await order(provide(ADDRESS, 'FTTP', '122', {}, [{ name: 'MINIMUM_SPEED', value: '70' }]));
    expect(attrs(await sentFor(own.body.id)).ATT_RT_ProductMinimumGuaranteedSpeed).toBe('70');
    // a profile the place does not offer has no figure: the tenant must say it, and is told so
    const none = await order(provide(ADDRESS, 'FTTP', '121'));
    expect(none.status).toBe(400);
    expect(none.body.messages).toEqual([
      "serviceCharacteristics MINIMUM_SPEED: required: BTWHOLESALEBB1's availability answer for this address gives no minimum guaranteed speed for LINE_PROFILE 121 (it offers 113, 122, 129)",
    ]);
  });

  it('a line-based check gives the stopped line, and a copper START with its LINE_ID goes to BB1 and is acknowledged', async () => {
    const a = await availability({
      id: '01134960123',
      type: 'DirectoryNumber',
      additionalIdentifiers: [
        { id: 'A15104644444', type: 'NAD' },
        { id: 'LS', type: 'DistrictCode' },
        { id: 'R09598324444', type: 'ROBT' },
      ],
    });
    const copper = a.siteInformation.existingLines.find((l: J) => l.lineType === 'COPPER');
    expect(copper).toEqual({
      lineId: SANDBOX_STOPPED_LINE,
      lineType: 'COPPER',
      status: 'STOPPED',
      stoppedDate: '2025-06-30T00:00:00.000Z',
      lineCharacteristics: [
        { name: 'PARTIAL_DN', value: '960123' },
        { name: 'NTE_FLOOR', value: 'Ground' },
        { name: 'NTE_ROOM', value: 'Hallway' },
        { name: 'NTE_POSITION', value: 'Behind front door' },
      ],
    });
    const conversation = `cov-${engine}-start`;
    const r = await stack.call(
      'post',
      '/v1/service-orders',
      provide(nad('A15104644444', 'R09598324444'), 'SOGEA', '113', { orderType: 'START' }, [
        { name: 'LINE_ID', value: copper.lineId },
      ]),
      { headers: { 'X-Conversation-ID': conversation } },
    );
    expect(r.status).toBe(201);
    const sent = attrs(await sentFor(r.body.id));
    expect(sent).toMatchObject({
      ATT_X_AccessLineID: SANDBOX_STOPPED_LINE,
      ATT_RT_AccessLineType: 'Stopped',
      ATT_RT_ProductMinimumGuaranteedSpeed: '55.2',
      ATT_RT_InstallType: 'S',
    });
    await acknowledged(conversation);
  });

  it('an address needing a two-stage install: EXTENDED_STANDARD with INSTALL_NOTES, and the order says KCI2 Assure', async () => {
    const address = nad('A15104642222', 'R09598322222');
    const a = await availability(address);
    expect(a.siteInformation.line.installationType).toBe('EXTENDED_STANDARD');
    expect(byName(a.siteInformation.line.lineCharacteristics).INSTALL_NOTES).toMatch(/external survey/);
    const r = await order(provide(address, 'FTTP', '122', { appointmentReservationId: await reserve(address) }));
    expect(r.status).toBe(201);
    const install = (await sentFor(r.body.id)).productOrderItem[0].productOrderItem[2];
    expect(byName(install.product.productCharacteristic).ATT_RT_FTTPInstallType).toBe('KCI2 Assure');
  });

  it('an address with a NAD and no ROBT gets a temporary ROBT record, which the order carries', async () => {
    const r = await order(provide(nad('A15104646284'), 'SOGEA', '113'));
    expect(r.status).toBe(201);
    const site = (await sentFor(r.body.id)).productOrderItem[0].product.place[0];
    expect(site).toMatchObject({ role: 'SiteAddress', id: expect.stringMatching(/^R9\d{10}$/) });
  });

  it('a reservation is used by one order only, and only for its own address and technology', async () => {
    const id = await reserve(ADDRESS);
    const elsewhere = await order(
      provide(nad('A15104649999', 'R09598329999'), 'FTTP', '122', { appointmentReservationId: id }),
    );
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.messages).toEqual([
      `appointmentReservationId: reservation ${id} was made for another address (NAD A15104646284, not A15104649999); reserve a slot for this address`,
    ]);
    const sogea = await order(provide(ADDRESS, 'SOGEA', '113', { appointmentReservationId: id }));
    expect(sogea.status).toBe(422);
    expect(sogea.body.messages).toEqual([
      `appointmentReservationId: reservation ${id} was made for FTTP, not SOGEA; reserve a slot for SOGEA`,
    ]);
    const first = await order(provide(ADDRESS, 'FTTP', '122', { appointmentReservationId: id }));
    expect(first.status).toBe(201);
    const second = await order(provide(ADDRESS, 'FTTP', '122', { appointmentReservationId: id }));
    expect(second.status).toBe(422);
    expect(second.body.messages).toEqual([
      `appointmentReservationId: reservation ${id} is already used by order ${first.body.id}; reserve another slot`,
    ]);
    // nor by an amendment of another order
    const conversation = `cov-${engine}-amend`;
    const other = await stack.call(
      'post',
      '/v1/service-orders',
      provide(ADDRESS, 'FTTP', '122', { appointmentReservationId: await reserve(ADDRESS) }),
      { headers: { 'X-Conversation-ID': conversation } },
    );
    expect(other.status).toBe(201);
    await acknowledged(conversation);
    const amend = await stack.call('post', '/v1/service-order-amendments', {
      orderId: other.body.id,
      appointmentReservationId: id,
    });
    expect([amend.status, amend.body.messages]).toEqual([
      422,
      [`appointmentReservationId: reservation ${id} is already used by order ${first.body.id}; reserve another slot`],
    ]);
  });

  it("query encodings: seed 002's URL-encoded example verbatim, '+' for a space, a raw ':' and singleDayAppointment", async () => {
    const token = await stack.token();
    const get = (path: string) =>
      stack.http
        .get(path)
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-ID', `q-${++conv}`)
        .set('X-Conversation-ID', 'cov-query');
    // seed 002, "URL-encoded", each parameter exactly as printed there
    const seed002 = [
      'supplier=BTWHOLESALEBB1',
      'address=%7b%22id%22%3a%22A00062300716%22%2c%22type%22%3a%22NAD%22%2c%22additionalIdentifiers%22%3a%5b%7b%22id%22%3a%22TH%22%2c%22type%22%3a%22DistrictCode%22%7d%5d%7d',
      'serviceSpecification=%7B%22id%22:%20%22FTTP%22%7D',
      'serviceCharacteristics=%5B%0A%7B%0A%22name%22%3A%20%22SITE_VISIT_REASON%22%2C%0A%22value%22%3A%22Premium%22%0A%7D%0A%5D',
      'appointmentFromDate=2026-02-02',
      'appointmentPurpose=PROVIDE',
    ].join('&');
    const s = await get(`/v1/available-appointments?${seed002}`);
    expect([s.status, s.body.messages]).toEqual([200, undefined]);
    expect(s.body.availableTimeslots.length).toBeGreaterThan(0);
    // what Python requests and `curl --data-urlencode` send: '+' for each space, ':' and ',' left raw
    const plus =
      'address={"id":+"10091846447",+"type":+"UPRN",+"additionalIdentifiers":+[{"id":+"A15104646284",+"type":+"NAD"},+{"id":+"LS",+"type":+"DistrictCode"}]}';
    const a = await get(`/v1/service-availability?${plus.replace(/[{}"[\]]/g, encodeURIComponent)}`);
    expect([a.status, a.body[0]?.serviceSpecifications?.[0]?.id]).toEqual([200, 'FTTP']);
    const single = await get(
      `/v1/available-appointments?supplier=BTWHOLESALEBB1&address=${encodeURIComponent(JSON.stringify(ADDRESS))}&serviceSpecification=${encodeURIComponent('{"id":"FTTP"}')}&singleDayAppointment=true`,
    );
    expect([single.status, single.body.messages]).toEqual([200, undefined]);
  });

  it('errors name the field: a directory number that is not one', async () => {
    const bad = await stack.call('get', '/v1/service-availability', undefined, {
      query: { address: { id: '12345', type: 'DirectoryNumber' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.messages).toEqual([
      'address: the DirectoryNumber "12345" is not a UK number starting 0, e.g. 01632960123',
    ]);
  });
});
