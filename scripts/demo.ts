// `npm run demo`: against a running service, availability → slots → reserve → provide FTTP → watch the KCIs
// until the order ends, printing a timeline; acts on an ACTION_REQUIRED KCI as a tenant would (REAPPOINT: reserve
// a new slot and amend the order with it; INFORMATION_REQUIRED for a cost issue: amend ECC_CHARGEBAND). Exits
// non-zero if the journey stalls or ends other than the scenario should.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const saved = (() => {
  try {
    return JSON.parse(readFileSync('data/demo-credentials.json', 'utf8')) as Json;
  } catch {
    return {};
  }
})();
const base = process.env.BASE_URL ?? saved.baseUrl ?? 'http://127.0.0.1:8080';
const clientId = process.env.DEMO_CLIENT_ID ?? saved.clientId;
const clientSecret = process.env.DEMO_CLIENT_SECRET ?? saved.clientSecret;
const scenario = process.argv[2] ?? process.env.SCENARIO ?? 'happy';
// `npm run demo -- fibreco`: the order goes to the built-in sandbox altnet (a Fibre Cafe Supplier API supplier).
const supplier = scenario === 'fibreco' ? 'FIBRECO' : 'BTWHOLESALEBB1';
const stallMs = Number(process.env.DEMO_STALL_MS ?? 60000);
const t0 = Date.now();
const line = (what: string, detail = '') =>
  console.log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s  ${what.padEnd(34)} ${detail}`);

if (!clientId || !clientSecret) {
  console.error(
    'No demo credentials: start the service with `npm start` (it writes data/demo-credentials.json) or set DEMO_CLIENT_ID and DEMO_CLIENT_SECRET.',
  );
  process.exit(2);
}

const tokenRes = await fetch(`${base}/v1/auth/tenant/access-token`, {
  method: 'POST',
  headers: {
    Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    'Content-Type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials',
});
if (!tokenRes.ok) {
  console.error(`token request failed: ${tokenRes.status} ${await tokenRes.text()}`);
  process.exit(1);
}
const token = ((await tokenRes.json()) as Json).access_token as string;
const conversation = randomUUID();
async function api(method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'X-Request-ID': randomUUID(),
      'X-Conversation-ID': conversation,
      'Content-Type': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Json;
  if (!res.ok) {
    console.error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    process.exit(1);
  }
  return json;
}

const address = {
  id: '10091846447',
  type: 'UPRN',
  additionalIdentifiers: [
    { id: 'A15104646284', type: 'NAD' },
    { id: 'LS', type: 'DistrictCode' },
    { id: 'R09598326361', type: 'ROBT' },
  ],
};
line('token', 'demo tenant authenticated');
const avail = await api('GET', `/v1/service-availability?address=${encodeURIComponent(JSON.stringify(address))}`);
// One element per supplier the tenant may use (a supplier that failed is an element with its error).
for (const el of avail as unknown as Json[])
  line(
    `availability ${el.supplier}`,
    el.error
      ? `error ${el.error.code}: ${el.error.messages.join('; ')}`
      : el.serviceSpecifications
          .map((s: Json) => `${s.id} ${s.serviceCharacteristics[0].values.join('/')}`)
          .join(', ') + `; install ${el.siteInformation?.line?.installationType ?? 'none'}`,
  );
const mine = (avail as unknown as Json[]).find((el: Json) => el.supplier === supplier);
if (!mine || mine.error) {
  line('UNEXPECTED', `no availability from ${supplier}`);
  process.exit(1);
}
const fttp = mine.serviceSpecifications.find((s: Json) => s.id === 'FTTP');
async function reserveSlot(fromIso: string) {
  const from = fromIso.slice(0, 10);
  const slots = await api(
    'GET',
    `/v1/available-appointments?supplier=${supplier}&address=${encodeURIComponent(JSON.stringify(address))}&serviceSpecification=${encodeURIComponent('{"id":"FTTP"}')}&appointmentFromDate=${from}&appointmentPurpose=PROVIDE`,
  );
  const slot = slots.availableTimeslots[0];
  line(
    'appointment slots',
    `${slots.availableTimeslots.length} slots, first ${slot.timeslotStartDateTime} (${slot.classification})`,
  );
  const r = await api('POST', '/v1/appointments', {
    supplier,
    address,
    serviceSpecification: { id: 'FTTP' },
    purpose: 'PROVIDE',
    timeslot: slot,
  });
  line('reserved', `reservation ${r.id}, ${supplier} reference ${r.supplierReference}`);
  return r;
}
const reservation = await reserveSlot(new Date(Date.now() + 86400000).toISOString());
const order = await api('POST', '/v1/service-orders', {
  orderType: 'NEW',
  supplier,
  address,
  appointmentReservationId: reservation.id,
  serviceOrderItem: {
    serviceSpecification: { id: 'FTTP' },
    serviceCharacteristics: [
      { name: 'LINE_PROFILE', value: fttp?.serviceCharacteristics[0].values[0] ?? '122' },
      { name: 'END_USER_TYPE', value: 'Residential' },
      { name: 'CONTRACT_TERM', value: '12' },
      { name: 'CARE_LEVEL', value: 'Enhanced' },
    ],
  },
  primaryContact: { name: 'Demo Customer', email: 'demo@example.com', phoneNumber: '07700900123' },
  notes: `demo run SCENARIO:${scenario}`,
});
line('order placed', `order ${order.id} ${order.status}`);
/** What a tenant does when a KCI asks it to act: the amendment that answers it. */
async function act(o: Json, kci: Json): Promise<void> {
  const a = kci.actionRequired;
  let amendment: Json | undefined;
  if (a.type === 'REAPPOINT') {
    const after = o.appointmentTimeslot?.timeslotStartDateTime ?? new Date().toISOString();
    const r = await reserveSlot(new Date(Date.parse(after) + 86400000).toISOString());
    amendment = { orderId: o.id, appointmentReservationId: r.id };
  } else if (
    a.type === 'INFORMATION_REQUIRED' &&
    a.problemCode === 'COST_ISSUE' &&
    /amend ECC_CHARGEBAND/.test(a.text)
  ) {
    amendment = { orderId: o.id, serviceCharacteristics: [{ name: 'ECC_CHARGEBAND', value: '3' }] };
  }
  if (!amendment) return;
  const sent = await api('POST', '/v1/service-order-amendments', amendment);
  line('amendment sent', `${sent.id} ${sent.status}: ${JSON.stringify({ ...amendment, orderId: undefined })}`);
}

/** Where each scenario's order ends, for a tenant that answers what it is asked. */
const EXPECTED_END: Record<string, string> = { rejected: 'REJECTED', 'bt-cancel': 'CANCELLED' };
const expectedEnd = EXPECTED_END[scenario] ?? 'COMPLETED';
let seen = 0;
let last = Date.now();
for (;;) {
  const o = await api('GET', `/v1/service-orders/${order.id}`);
  for (const u of o.updates.slice(seen)) {
    const r = u.information ?? u.actionRequired ?? u.error;
    line(
      `KCI ${u.sequenceNumber} ${u.updateType}`,
      `${r.type ?? r.code} ${r.problemCode ?? ''} ${r.supplierCodes ? `[${r.supplierCodes.join(',')}]` : ''} ${r.text ?? (r.messages ?? []).join(' ')} → ${u.deliveryStatus}`,
    );
    last = Date.now();
    if (u.updateType === 'ACTION_REQUIRED' && o.status === 'PENDING') await act(o, u);
  }
  seen = o.updates.length;
  if (
    ['COMPLETED', 'CANCELLED', 'REJECTED', 'FAILED_TO_SEND'].includes(o.status) &&
    o.updates.every((u: Json) => u.deliveryStatus === 'DELIVERED')
  ) {
    const chars = (o.serviceOrderItem?.serviceCharacteristics ?? []).filter((c: Json) =>
      /_ID$|^ONT_|^STATIC_IP_/.test(c.name),
    );
    line(`order ${o.status}`, chars.map((c: Json) => `${c.name}=${c.value}`).join(' '));
    if (o.status !== expectedEnd) line('UNEXPECTED', `the ${scenario} scenario should end ${expectedEnd}`);
    process.exit(o.status === expectedEnd ? 0 : 1);
  }
  if (Date.now() - last > stallMs) {
    line('STALLED', `no KCI for ${stallMs / 1000}s; order is ${o.status}`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 500));
}
