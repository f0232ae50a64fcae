import { randomUUID } from 'node:crypto';
import { ENGINES } from '../helpers/db.js';
import { startKciSink } from '../helpers/sink.js';
import { startStack, provideBody, type Stack } from '../helpers/stack.js';
import { RetentionJob } from '../../src/store/retention.js';
import { createLogger } from '../../src/platform/log.js';

const DAY = 24 * 3600 * 1000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe.each(ENGINES)('retention and abandoned Idempotency-Keys (%s)', (engine) => {
  let stack: Stack;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  beforeAll(async () => {
    sink = await startKciSink();
    stack = await startStack({
      engine,
      kciUrl: sink.url,
      workers: false,
      env: { IDEMPOTENCY_IN_PROGRESS_TIMEOUT_S: '60' },
    });
  }, 120_000);
  afterAll(async () => {
    await stack.stop();
    await sink.close();
  });

  it('deletes delivered KCIs, applied KSUs and idempotency keys past their age, in batches, and nothing else', async () => {
    const db = stack.db.db;
    const kci = (status: string, deliveredAt: string | null, seq: number) => ({
      id: randomUUID(),
      tenant_id: 'TENANT1',
      order_id: 9000,
      sequence_number: seq,
      conversation_id: 'c',
      body: JSON.stringify({}),
      status,
      attempts: 1,
      next_attempt_at: ago(0),
      delivered_at: deliveredAt,
      created_at: ago(40 * DAY),
    });
    await db
      .insertInto('kci_outbox')
      .values([
        ...Array.from({ length: 5 }, (_, i) => kci('DELIVERED', ago(31 * DAY + i * 1000), i + 1)),
        kci('DELIVERED', ago(29 * DAY), 6),
        kci('DEAD', null, 7),
        kci('PENDING', null, 8),
      ])
      .execute();
    const attempt = (at: string, n: number) => ({
      kci_id: randomUUID(),
      attempt: n,
      tenant_id: 'TENANT1',
      at,
      status: 500,
      latency_ms: 12,
      error: 'tenant answered 500',
      response_excerpt: null,
    });
    await db
      .insertInto('kci_attempts')
      .values([
        ...Array.from({ length: 3 }, (_, i) => attempt(ago(31 * DAY + i * 1000), i + 1)),
        attempt(ago(29 * DAY), 1),
      ])
      .execute();
    const ksu = (status: string, appliedAt: string | null) => ({
      tenant_id: 'TENANT1',
      supplier: 'BTWHOLESALEBB1',
      raw: '{}',
      status,
      applied_at: appliedAt,
      received_at: ago(40 * DAY),
    });
    await db
      .insertInto('ksu_inbox')
      .values([
        ...Array.from({ length: 3 }, () => ksu('APPLIED', ago(31 * DAY))),
        ksu('APPLIED', ago(1 * DAY)),
        ksu('UNMATCHED', null),
        ksu('FAILED', null),
      ])
      .execute();
    const key = (k: string, state: string, createdAt: string) => ({
      tenant_id: 'TENANT1',
      key: k,
      fingerprint: 'f',
      state,
      created_at: createdAt,
    });
    await db
      .insertInto('idempotency_keys')
      .values([
        key('old-done', 'DONE', ago(25 * 3600_000)),
        key('old-stuck', 'IN_PROGRESS', ago(25 * 3600_000)),
        key('new', 'DONE', ago(3600_000)),
      ])
      .execute();

    const job = new RetentionJob(db, createLogger('silent'), {
      kciDays: 30,
      ksuDays: 30,
      idempotencyHours: 24,
      batchSize: 2,
    });
    expect(await job.run()).toEqual({ kcis: 5, attempts: 3, ksus: 3, idempotencyKeys: 2 });
    const kcis = await db
      .selectFrom('kci_outbox')
      .select(['status', 'sequence_number'])
      .where('order_id', '=', 9000)
      .orderBy('sequence_number')
      .execute();
    expect(kcis.map((k) => k.status)).toEqual(['DELIVERED', 'DEAD', 'PENDING']);
    const ksus = await db.selectFrom('ksu_inbox').select('status').orderBy('id').execute();
    expect(ksus.map((k) => k.status)).toEqual(['APPLIED', 'UNMATCHED', 'FAILED']);
    const keys = await db.selectFrom('idempotency_keys').select('key').execute();
    expect(keys.map((k) => k.key)).toEqual(['new']);
    expect(await db.selectFrom('kci_attempts').select('at').execute()).toHaveLength(1);
    expect(await job.run()).toEqual({ kcis: 0, attempts: 0, ksus: 0, idempotencyKeys: 0 });
  });

  it('an Idempotency-Key left IN_PROGRESS by a request that died is taken over after the timeout, not 409 forever', async () => {
    const body = provideBody();
    const first = await stack.call('post', '/v1/service-orders', body, {
      headers: { 'Idempotency-Key': 'will-crash' },
    });
    expect(first.status).toBe(201);
    // As if the process had died between claiming the key and answering: the key is IN_PROGRESS.
    const stuck = (createdAt: string) =>
      stack.db.db
        .updateTable('idempotency_keys')
        .set({ state: 'IN_PROGRESS', response_status: null, response_body: null, created_at: createdAt })
        .where('key', '=', 'will-crash')
        .execute();
    await stuck(ago(10_000));
    const young = await stack.call('post', '/v1/service-orders', body, {
      headers: { 'Idempotency-Key': 'will-crash' },
    });
    expect(young.status).toBe(409); // may still be running
    await stuck(ago(61_000));
    const retried = await stack.call('post', '/v1/service-orders', body, {
      headers: { 'Idempotency-Key': 'will-crash' },
    });
    expect(retried.status).toBe(201);
    const replay = await stack.call('post', '/v1/service-orders', body, {
      headers: { 'Idempotency-Key': 'will-crash' },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(retried.body.id);
    // A different body under an abandoned key is still a misuse of the key.
    await stuck(ago(61_000));
    const other = await stack.call('post', '/v1/service-orders', provideBody({ notes: 'other' }), {
      headers: { 'Idempotency-Key': 'will-crash' },
    });
    expect(other.status).toBe(422);
  });
});
