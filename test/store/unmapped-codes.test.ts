import { ENGINES, freshDatabase } from '../helpers/db.js';
import { migrate, type DatabaseHandle } from '../../src/store/database.js';
import { countUnmapped, listUnmapped, recordUnmapped } from '../../src/store/unmapped-codes.js';
import { createMetrics, UNMAPPED_CODE_SERIES } from '../../src/platform/metrics.js';

describe.each(ENGINES)('unmapped supplier codes (%s)', (engine) => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await freshDatabase(engine);
    await migrate(h.db);
  });
  afterAll(() => h.close());

  it('counts every occurrence, keeps the earliest and latest sighting, whatever the order they are recorded in', async () => {
    await h.db.transaction().execute(async (trx) => {
      const at = '2026-03-02T10:00:00.000Z';
      await recordUnmapped(trx, [
        { supplier: 'BB1', code: '9569', at },
        { supplier: 'BB1', code: '777', at },
        { supplier: 'BB1', code: '9569', at },
      ]);
      await recordUnmapped(trx, []);
    });
    // One batch of KSUs: two suppliers, sightings out of time order (applied later, seen earlier).
    await recordUnmapped(h.db, [
      { supplier: 'OTHER', code: '777', at: '2026-03-05T09:00:00.000Z' },
      { supplier: 'BB1', code: '777', at: '2026-03-01T09:00:00.000Z' },
    ]);
    await recordUnmapped(h.db, [{ supplier: 'BB1', code: '9569', at: new Date('2026-03-04T08:00:00.000Z') }]);
    expect(await listUnmapped(h.db, { limit: 10 })).toEqual([
      {
        supplier: 'OTHER',
        code: '777',
        count: 1,
        firstSeen: '2026-03-05T09:00:00.000Z',
        lastSeen: '2026-03-05T09:00:00.000Z',
      },
      {
        supplier: 'BB1',
        code: '9569',
        count: 3,
        firstSeen: '2026-03-02T10:00:00.000Z',
        lastSeen: '2026-03-04T08:00:00.000Z',
      },
      {
        supplier: 'BB1',
        code: '777',
        count: 2,
        firstSeen: '2026-03-01T09:00:00.000Z',
        lastSeen: '2026-03-02T10:00:00.000Z',
      },
    ]);
    expect((await listUnmapped(h.db, { supplier: 'BB1', limit: 1 })).map((c) => c.code)).toEqual(['9569']);
    expect(await countUnmapped(h.db)).toBe(3);
  });

  it('is rolled back with the transaction that recorded it', async () => {
    await expect(
      h.db.transaction().execute(async (trx) => {
        await recordUnmapped(trx, [{ supplier: 'BB1', code: 'rolled-back', at: '2026-03-10T00:00:00.000Z' }]);
        throw new Error('the KSU batch failed');
      }),
    ).rejects.toThrow('the KSU batch failed');
    expect((await listUnmapped(h.db, { limit: 10 })).map((c) => c.code)).not.toContain('rolled-back');
  });
});

describe('the unmapped-code metric', () => {
  it('gives each code its own series up to a bound, then counts further codes as other', async () => {
    const m = createMetrics();
    for (let i = 0; i < UNMAPPED_CODE_SERIES + 10; i++) m.countUnmapped('BB1', String(100000 + i));
    m.countUnmapped('BB1', '100000'); // a known code keeps its series
    const values = (await m.unmappedCodes.get()).values;
    expect(values).toHaveLength(UNMAPPED_CODE_SERIES + 1);
    expect(values.find((v) => v.labels.code === 'other')?.value).toBe(10);
    expect(values.find((v) => v.labels.code === '100000')?.value).toBe(2);
  });
});
