import { ENGINES, freshDatabase } from '../helpers/db.js';
import { migrate, type DatabaseHandle } from '../../src/store/database.js';
import { InboxWriter } from '../../src/ksus/inbox.js';

const k = (eventId: string | null, raw = '{}') => ({
  eventId,
  tenantId: 'T',
  supplier: 'BTWHOLESALEBB1',
  raw,
  body: JSON.parse(raw),
  eventType: null,
  eventTime: null,
  externalId: null,
  supplierOrderId: null,
  status: 'PENDING',
  error: null,
});

describe.each(ENGINES)('KSU inbox group commit (%s)', (engine) => {
  let db: DatabaseHandle;
  beforeAll(async () => {
    db = await freshDatabase(engine);
    await migrate(db.db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('stores a burst in batches, each caller learning its own row; repeated eventIds (in or across batches) are duplicates of the first', async () => {
    const w = new InboxWriter(db.db, 10);
    const first = await w.store(k('e-0'));
    const results = await Promise.all([
      ...Array.from({ length: 25 }, (_, i) => w.store(k(`e-${i + 1}`))),
      w.store(k('e-0')),
      w.store(k('e-7')),
      w.store(k(null, '{"x":1}')),
      w.store(k(null, '{"x":2}')),
    ]);
    expect(first.duplicate).toBe(false);
    const fresh = results.slice(0, 25);
    expect(fresh.every((r) => !r.duplicate)).toBe(true);
    expect(new Set(fresh.map((r) => r.id)).size).toBe(25);
    expect(results[25]).toEqual({ id: first.id, duplicate: true });
    expect(results[26]).toEqual({ id: fresh[6]!.id, duplicate: true });
    expect(results.slice(27).map((r) => r.duplicate)).toEqual([false, false]);
    const rows = await db.db.selectFrom('ksu_inbox').select(['id', 'event_id', 'raw']).orderBy('id').execute();
    expect(rows).toHaveLength(28);
    for (const [i, r] of fresh.entries()) expect(rows.find((x) => x.id === r.id)!.event_id).toBe(`e-${i + 1}`);
    expect(rows.find((x) => x.id === results[28]!.id)!.raw).toBe('{"x":2}');
  });

  it('keeps the raw text, stores a parsed body as jsonb (none when unparseable), and one row the database refuses fails only its own caller', async () => {
    const w = new InboxWriter(db.db, 10);
    const [good, bad, unparseable] = await Promise.allSettled([
      w.store(k('g-1', '{"event": {"n": 1},  "eventId": "g-1"}')),
      w.store({ ...k('g-2'), eventTime: 'the day after tomorrow' }),
      w.store({ ...k(null), raw: '{not json', body: null, status: 'UNPARSEABLE' }),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    expect(unparseable.status).toBe('fulfilled');
    const rows = await db.db
      .selectFrom('ksu_inbox')
      .select(['id', 'event_id', 'raw', 'body', 'status'])
      .where('id', 'in', [
        (good as PromiseFulfilledResult<{ id: number }>).value.id,
        (unparseable as PromiseFulfilledResult<{ id: number }>).value.id,
      ])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.event_id, r.raw, r.body, r.status])).toEqual([
      ['g-1', '{"event": {"n": 1},  "eventId": "g-1"}', { event: { n: 1 }, eventId: 'g-1' }, 'PENDING'],
      [null, '{not json', null, 'UNPARSEABLE'],
    ]);
    expect(await db.db.selectFrom('ksu_inbox').select('id').where('event_id', '=', 'g-2').execute()).toEqual([]);
  });
});
