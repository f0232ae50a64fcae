import { uuidv7 } from '../../src/platform/uuid-v7.js';

describe('uuidv7', () => {
  it('is an RFC 9562 version 7 UUID carrying the time in milliseconds', () => {
    const now = Date.UTC(2026, 11, 7, 19, 30, 0, 123);
    const id = uuidv7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('sorts ids made in later milliseconds after earlier ones, as text and as PostgreSQL compares uuids', () => {
    const t = Date.UTC(2026, 0, 1);
    const ids = [t, t + 1, t + 255, t + 256, t + 0x1000000, t + 86_400_000].map((ms) => uuidv7(ms));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => uuidv7(t))).size).toBe(1000); // random beyond the time
  });
});
