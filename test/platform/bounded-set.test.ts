import { BoundedSet } from '../../src/platform/bounded-set.js';

describe('BoundedSet', () => {
  it('keeps at most its capacity, forgetting the oldest entry first', () => {
    const s = new BoundedSet<string>(2);
    s.add('a');
    s.add('b');
    s.add('a'); // already there: not added again, not made newer
    s.add('c');
    expect([s.has('a'), s.has('b'), s.has('c'), s.size]).toEqual([false, true, true, 2]);
  });
});
