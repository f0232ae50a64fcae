import fc from 'fast-check';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { loadServiceSpec } from '../../src/http/openapi.js';

/**
 * Requests generated from the merged OpenAPI definition (what /openapi.json serves): for every operation,
 * valid-ish values built from its schemas, mixed with hostile ones (NUL, lone surrogates, integers beyond
 * int4, malformed %-escapes, repeated and negative query values, deep nesting, oversized, mis-encoded and
 * compressed bodies, thousands of form fields, missing or garbage credentials).
 */

type Node = Record<string, unknown>;
export const SPEC = loadServiceSpec() as Node;

export interface Operation {
  method: 'get' | 'post';
  template: string;
  op: Node;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  label: string;
}

/** What the generator needs to make credentials that work (so requests get past authentication). */
export interface Credentials {
  tenantToken: string;
  supplierToken: string;
  operatorToken: string;
  tenantBasic: [string, string];
  supplierBasic: [string, string];
}

export function deref(n: unknown): Node {
  let cur = n as Node;
  while (cur && typeof cur.$ref === 'string')
    cur = (cur.$ref as string)
      .slice(2)
      .split('/')
      .reduce<Node>((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')] as Node, SPEC);
  return cur;
}

export function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(SPEC.paths as Record<string, Node>))
    for (const method of ['get', 'post'] as const)
      if (item[method]) out.push({ method, template, op: item[method] as Node });
  return out;
}

const NASTY_STRINGS = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  '%',
  '%E0%A4%A',
  '../../etc/passwd',
  "'; DROP TABLE orders; --",
  '<script>alert(1)</script>',
  'x'.repeat(3000),
  '\u202e\ufeff',
  '😀'.repeat(50),
];
const NASTY_NUMBERS = [
  -1,
  0,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  1e308,
  -1e308,
  1.5,
  Number.MAX_SAFE_INTEGER,
];
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.constantFrom(...NASTY_NUMBERS),
  fc.constantFrom(null, true, false, [], {}, [[[]]], { a: { b: {} } }),
);

/** A value for a schema: mostly valid, sometimes (more often at the leaves) hostile. */
export function valueFor(schemaIn: unknown, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(schemaIn);
  if (!s || depth > 6) return fc.constant(null);
  const valid = validFor(s, depth);
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: nastyValue });
}

function validFor(s: Node, depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(s.allOf))
    return fc
      .tuple(...(s.allOf as unknown[]).map((x) => validFor(deref(x), depth)))
      .map((parts) => Object.assign({}, ...parts.filter((p) => p && typeof p === 'object')));
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  switch (s.type) {
    case 'string':
      return stringFor(s);
    case 'integer':
      return fc.integer({
        min: typeof s.minimum === 'number' ? s.minimum : -1000,
        max: typeof s.maximum === 'number' ? s.maximum : 1000,
      });
    case 'number':
      return fc.double({ noNaN: true, min: -1e6, max: 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueFor(s.items, depth + 1), {
        minLength: typeof s.minItems === 'number' ? s.minItems : 0,
        maxLength: Math.min(typeof s.maxItems === 'number' ? s.maxItems : 3, 3),
      });
    default: {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set((s.required as string[] | undefined) ?? []);
      const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueFor(v, depth + 1)])), {
        requiredKeys: Object.keys(props).filter((k) => required.has(k)),
      });
      return fc.oneof(
        { weight: 8, arbitrary: record },
        { weight: 1, arbitrary: record.map((r) => ({ ...r, unexpectedField: 'x' })) },
      );
    }
  }
}

function stringFor(s: Node): fc.Arbitrary<string> {
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : 40;
  if (s.format === 'date') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'email') return fc.emailAddress();
  if (s.format === 'uuid') return fc.uuid();
  if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern as string));
  return fc.string({ minLength: min, maxLength: Math.min(max, 40), unit: 'grapheme' });
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

/** A JSON body for an operation: a (mostly) schema-shaped value, or something hostile. */
function jsonBody(schema: unknown): fc.Arbitrary<{ body: Buffer; headers: Record<string, string>; label: string }> {
  const json = (label: string) => (v: unknown) => ({
    body: Buffer.from(JSON.stringify(v) ?? 'null'),
    headers: { 'Content-Type': 'application/json' },
    label,
  });
  const raw = (
    label: string,
    text: string | Buffer,
    type = 'application/json',
    extra: Record<string, string> = {},
  ) => ({
    body: Buffer.isBuffer(text) ? text : Buffer.from(text),
    headers: { 'Content-Type': type, ...extra },
    label,
  });
  const shaped = valueFor(schema);
  return fc.oneof(
    { weight: 10, arbitrary: shaped.map(json('json')) },
    {
      weight: 4,
      arbitrary: fc.oneof(
        fc.constantFrom(
          raw('deep array', deep(10000)),
          raw('deep object', deepObject(5000)),
          raw('deep 200', deep(200)),
          raw('not json', '{"a":'),
          raw('empty', ''),
          raw('literal NUL', '{"notes":"a\u0000b"}'),
          raw('escaped NUL', '{"notes":"a\\u0000b"}'),
          raw('lone surrogate', '{"notes":"\\ud800"}'),
          raw('huge int', '{"orderId":99999999999999999999,"appointmentReservationId":2147483648}'),
          raw('big body', `{"notes":"${'x'.repeat(600_000)}"}`),
          raw('text/plain', 'hello', 'text/plain'),
          raw('xml', '<a/>', 'application/xml'),
          raw('utf-16 charset', '{}', 'application/json; charset=utf-16'),
          raw('bogus charset', '{}', 'application/json; charset=bogus'),
          raw('garbage gzip', Buffer.from('not gzip at all'), 'application/json', { 'Content-Encoding': 'gzip' }),
          raw('garbage deflate', Buffer.from('nope'), 'application/json', { 'Content-Encoding': 'deflate' }),
          raw('garbage br', Buffer.from('nope nope'), 'application/json', { 'Content-Encoding': 'br' }),
          raw('unknown encoding', Buffer.from('{}'), 'application/json', { 'Content-Encoding': 'compress' }),
          raw('gzip bomb-ish', gzipSync(Buffer.alloc(2_000_000, 32)), 'application/json', {
            'Content-Encoding': 'gzip',
          }),
          raw('invalid utf-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
        ),
        shaped.map((v) =>
          raw('gzip', gzipSync(JSON.stringify(v) ?? 'null'), 'application/json', { 'Content-Encoding': 'gzip' }),
        ),
        shaped.map((v) =>
          raw('deflate', deflateSync(JSON.stringify(v) ?? 'null'), 'application/json', {
            'Content-Encoding': 'deflate',
          }),
        ),
        shaped.map((v) =>
          raw('br', brotliCompressSync(JSON.stringify(v) ?? 'null'), 'application/json', { 'Content-Encoding': 'br' }),
        ),
      ),
    },
  );
}

/** A form body for the token endpoints. */
function formBody(
  creds: [string, string],
): fc.Arbitrary<{ body: Buffer; headers: Record<string, string>; label: string }> {
  const form = (
    label: string,
    text: string,
    type = 'application/x-www-form-urlencoded',
    extra: Record<string, string> = {},
  ) => ({
    body: Buffer.from(text),
    headers: { 'Content-Type': type, ...extra },
    label,
  });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .record(
          {
            grant_type: fc.constantFrom('client_credentials', 'password', '', '%', 'client_credentials%00'),
            client_id: fc.constantFrom(creds[0], 'unknown-client', '%E0%A4%A', 'a'.repeat(5000), ''),
            client_secret: fc.constantFrom(creds[1], 'wrong', '', '%'),
            scope: fc.string(),
          },
          { requiredKeys: [] },
        )
        .map((r) =>
          form(
            'form',
            Object.entries(r)
              .map(([k, v]) => `${k}=${/^%|%00$/.test(v) ? v : encodeURIComponent(v)}`)
              .join('&'),
          ),
        ),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        form(
          '1,001 fields',
          Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&') + '&grant_type=client_credentials',
        ),
        form('bad % in form', 'grant_type=client_credentials&client_id=%E0%A4%A&client_secret=%'),
        form('repeated grant_type', 'grant_type=client_credentials&grant_type=password'),
        form('json body', '{"grant_type":"client_credentials"}', 'application/json'),
        form('bad json body', '{"grant_type":', 'application/json'),
        form('big form', `grant_type=client_credentials&x=${'y'.repeat(300_000)}`),
        form('bogus charset', 'grant_type=client_credentials', 'application/x-www-form-urlencoded; charset=bogus'),
        form('garbage gzip', 'grant_type=client_credentials', 'application/x-www-form-urlencoded', {
          'Content-Encoding': 'gzip',
        }),
        form('garbage br', 'not brotli', 'application/x-www-form-urlencoded', { 'Content-Encoding': 'br' }),
        form('unknown encoding', 'grant_type=client_credentials', 'application/x-www-form-urlencoded', {
          'Content-Encoding': 'compress',
        }),
        form('nothing', '', 'application/x-www-form-urlencoded'),
        form('text', 'grant_type=client_credentials', 'text/plain'),
      ),
    },
  );
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function authHeader(template: string, op: Node, c: Credentials): fc.Arbitrary<Record<string, string>> {
  const security = (op.security as Node[] | undefined) ?? (SPEC.security as Node[]);
  const scheme = security[0] ? Object.keys(security[0])[0] : undefined;
  let good: string | undefined;
  if (template.includes('/auth/tenant/')) good = basic(...c.tenantBasic);
  else if (template.includes('/auth/supplier/')) good = basic(...c.supplierBasic);
  else if (scheme === 'operatorBearer') good = `Bearer ${c.operatorToken}`;
  else if (scheme === 'supplierOauth2') good = `Bearer ${c.supplierToken}`;
  else if (scheme === 'oauth2') good = `Bearer ${c.tenantToken}`;
  const bad = fc.constantFrom<Record<string, string>>(
    {},
    { Authorization: 'Bearer not.a.jwt' },
    { Authorization: 'Bearer ' + 'a'.repeat(5000) },
    { Authorization: 'Basic %%%' },
    { Authorization: basic('%E0%A4%A', '%') },
    { Authorization: basic('tenant1-app', '%zz') },
    { Authorization: basic('unknown-client', 'x') },
    { Authorization: 'Digest abc' },
  );
  if (!good) return fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: bad });
  return fc.oneof({ weight: 8, arbitrary: fc.constant({ Authorization: good }) }, { weight: 2, arbitrary: bad });
}

function headerParams(op: Node): fc.Arbitrary<Record<string, string>> {
  const params = ((op.parameters as unknown[]) ?? []).map(deref).filter((p) => p.in === 'header');
  const entries = params.map((p) =>
    fc
      .option(
        fc.oneof(
          { weight: 8, arbitrary: valueFor(p.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) },
          { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(300), '%00', 'caf\u00e9') },
        ),
        { freq: p.required ? 12 : 2, nil: undefined },
      )
      .map((v) => [p.name as string, v] as const),
  );
  return fc.tuple(...entries).map((kv) => {
    const h: Record<string, string> = {};
    for (const [k, v] of kv) if (typeof v === 'string' && /^[\t\x20-\x7e\x80-\xff]*$/.test(v)) h[k] = v;
    return h;
  });
}

const HOSTILE_SEGMENTS = [
  '%',
  '%E0%A4%A',
  '%00',
  '-1',
  '0',
  '2147483648',
  '99999999999999999999',
  '%ED%A0%80',
  '1e3',
  'abc',
  '%2F..%2F',
];

function pathFor(template: string, op: Node): fc.Arbitrary<string> {
  const params = ((op.parameters as unknown[]) ?? []).map(deref).filter((p) => p.in === 'path');
  if (!params.length) return fc.constant(template);
  return fc
    .tuple(
      ...params.map((p) =>
        fc
          .oneof(
            { weight: 5, arbitrary: validFor(deref(p.schema), 0).map((v) => enc(String(v))) },
            { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
          )
          .map((v) => [p.name as string, v] as const),
      ),
    )
    .map((kv) => kv.reduce((path, [k, v]) => path.replace(`{${k}}`, v), template));
}

/** encodeURIComponent, except that a lone surrogate goes out as its (invalid) 3-byte form instead of throwing. */
const enc = (v: string) =>
  Array.from(v, (c) => {
    const n = c.charCodeAt(0);
    if (c.length === 1 && n >= 0xd800 && n <= 0xdfff)
      return [0xe0 | (n >> 12), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)]
        .map((x) => `%${x.toString(16).toUpperCase()}`)
        .join('');
    return encodeURIComponent(c);
  }).join('');

function queryFor(op: Node): fc.Arbitrary<string> {
  const params = ((op.parameters as unknown[]) ?? []).map(deref).filter((p) => p.in === 'query');
  const one = (p: Node): fc.Arbitrary<string[]> => {
    const content = p.content as Record<string, Node> | undefined;
    const schema = content ? content['application/json']!.schema : p.schema;
    const value = valueFor(schema).map((v) =>
      content ? (JSON.stringify(v) ?? 'null') : Array.isArray(v) ? v.map(String) : String(v),
    );
    const name = p.name as string;
    return fc.oneof(
      {
        weight: 8,
        arbitrary: value.map((v) => (Array.isArray(v) ? v.map((x) => `${name}=${enc(x)}`) : [`${name}=${enc(v)}`])),
      },
      {
        weight: 3,
        arbitrary: fc.constantFrom<string[]>(
          [`${name}=a`, `${name}=b`],
          [`${name}=-5`],
          [`${name}=99999999999999999999`],
          [`${name}=2147483648`],
          [`${name}=%E0%A4%A`],
          [`${name}=%00`],
          [`${name}=%ED%A0%80`],
          [`${name}[a]=1`],
          [`${name}[]=1&${name}[]=2`],
          [`${name}=${'z'.repeat(5000)}`],
        ),
      },
    );
  };
  const parts = params.map((p) => fc.option(one(p), { freq: p.required ? 12 : 2, nil: [] as string[] }));
  const extra = fc.constantFrom<string[]>(
    [],
    [],
    [],
    [],
    ['unknownParam=1'],
    Array.from({ length: 1200 }, (_, i) => `p${i}=1`),
    ['a[b][c][d][e][f][g][h][i][j][k][l]=1'],
  );
  return fc.tuple(fc.tuple(...parts), extra).map(([ps, x]) => {
    const all = [...ps.flat(), ...x];
    return all.length ? `?${all.join('&')}` : '';
  });
}

const SEED_KSU = readFileSync('test/fixtures/seed003/01-access-in-progress.json', 'utf8');
const randomText = (n: number) =>
  Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join('');

/**
 * Poison KSUs: a real KSU (seed 003) with one field the inbox cannot hold as sent: nested 10,000 deep,
 * identifiers over the btree limit, NUL and lone surrogates, eventTimes Postgres cannot hold.
 */
export const POISON_KSUS: Record<string, string> = {
  'nested 10,000 deep': SEED_KSU.replace('"errorMessage": []', `"errorMessage": ${deep(10000)}`),
  'object nested 3,000 deep': SEED_KSU.replace('"errorMessage": []', `"errorMessage": ${deepObject(3000)}`),
  'eventId of 3,000 characters': SEED_KSU.replace('f9616bf1-4e23-9de3-fe62-1243aa92a92a', randomText(3000)),
  'externalId of 3,000 characters': SEED_KSU.replace('622FTTPNEWONTpreprod', randomText(3000)),
  'BB1 order id of 3,000 characters': SEED_KSU.replace('"00228874"', `"${randomText(3000)}"`),
  'NUL in eventId': SEED_KSU.replace('f9616bf1-4e23', 'f9616bf1\\u0000-4e23'),
  'NUL in externalId': SEED_KSU.replace('622FTTPNEWONTpreprod', '622FTTP\\u0000NEW'),
  'NUL in a note': SEED_KSU.replace('"errorMessage": []', '"note": [{"text": "a\\u0000b"}], "errorMessage": []'),
  'lone surrogate in a note': SEED_KSU.replace(
    '"errorMessage": []',
    '"note": [{"text": "\\ud800"}], "errorMessage": []',
  ),
  'NUL in eventType': SEED_KSU.replace('"ProductOrderStateChangeEvent"', '"Product\\u0000Order"'),
  'literal NUL byte': SEED_KSU.replace('"errorMessage": []', '"errorMessage": ["\u0000"]'),
  'invalid UTF-8': SEED_KSU.replace('In Progress', 'In \udcff Progress'),
  'eventTime year 275760': SEED_KSU.replace('2023-02-13T09:21:07.976Z', '+275760-09-13T00:00:00.000Z'),
  'eventTime year -1': SEED_KSU.replace('2023-02-13T09:21:07.976Z', '-000001-01-01T00:00:00.000Z'),
  'eventTime year 10000': SEED_KSU.replace('2023-02-13T09:21:07.976Z', '+010000-01-01T00:00:00Z'),
  'eventTime not a time': SEED_KSU.replace('2023-02-13T09:21:07.976Z', 'yesterday'),
};

/** A poison KSU, with a fresh eventId where it has a normal one (so it is stored, not a duplicate). */
export function poisonKsuBody(name: string, n: number): Buffer {
  const text = POISON_KSUS[name]!.replace(
    'f9616bf1-4e23-9de3-fe62-1243aa92a92a',
    `f9616bf1-4e23-9de3-fe62-${String(n).padStart(12, '0')}`,
  );
  // 'invalid UTF-8' carries a lone surrogate in the JS text: Buffer.from writes it as EF BF BD; write FF instead.
  return name === 'invalid UTF-8' ? Buffer.from(text.replace('\udcff', '\u00ff'), 'latin1') : Buffer.from(text);
}

let poisonCount = 0;
const poisonKsu = fc.constantFrom(...Object.keys(POISON_KSUS)).map((name) => ({
  body: poisonKsuBody(name, ++poisonCount),
  headers: { 'Content-Type': 'application/json' },
  label: `poison KSU: ${name}`,
}));

/** Every request the fuzzer may send to one operation. */
export function requestsFor(o: Operation, c: Credentials): fc.Arbitrary<FuzzRequest> {
  const rb = o.op.requestBody ? deref(o.op.requestBody) : undefined;
  const content = rb?.content as Record<string, Node> | undefined;
  let body: fc.Arbitrary<{ body?: Buffer; headers: Record<string, string>; label: string }> = fc.constant({
    headers: {},
    label: 'no body',
  });
  if (content?.['application/json']) body = jsonBody(content['application/json'].schema);
  if (o.template.endsWith('/ksus'))
    body = fc.oneof({ weight: 3, arbitrary: body }, { weight: 2, arbitrary: poisonKsu });
  else if (content?.['application/x-www-form-urlencoded'])
    body = formBody(o.template.includes('/tenant/') ? c.tenantBasic : c.supplierBasic);
  return fc
    .tuple(pathFor(o.template, o.op), queryFor(o.op), authHeader(o.template, o.op, c), headerParams(o.op), body)
    .map(([path, query, auth, headers, b]) => ({
      method: o.method.toUpperCase(),
      path: path + query,
      headers: { ...auth, ...headers, ...b.headers },
      body: b.body,
      label: b.label,
    }));
}
