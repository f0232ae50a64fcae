import { GroupedCalls } from '../../src/platform/grouped-calls.js';

describe('GroupedCalls', () => {
  it('serves calls made in one turn with one call, each caller answered with its own value', async () => {
    const groups: number[][] = [];
    const g = new GroupedCalls(async (keys: number[]) => {
      groups.push(keys);
      return keys.map((k) => k * 10);
    });
    const answers = await Promise.all([1, 2, 3].map((k) => g.call(k)));
    expect(answers).toEqual([10, 20, 30]);
    expect(groups).toEqual([[1, 2, 3]]);
    expect(await g.call(4)).toBe(40); // a later turn is a group of its own
    expect(groups).toEqual([[1, 2, 3], [4]]);
  });

  it('splits a crowd into groups of at most maxGroup, in the order asked', async () => {
    const groups: number[][] = [];
    const g = new GroupedCalls(
      async (keys: number[]) => {
        groups.push(keys);
        return keys;
      },
      undefined,
      2,
    );
    expect(await Promise.all([1, 2, 3, 4, 5].map((k) => g.call(k)))).toEqual([1, 2, 3, 4, 5]);
    expect(groups).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("tries each key alone when its group's call fails, so one bad key fails only its own caller", async () => {
    const g = new GroupedCalls(
      async (keys: number[]) => {
        if (keys.includes(13)) throw new Error('the group failed');
        return keys;
      },
      async (k: number) => {
        if (k === 13) throw new Error('13 refused');
        return -k;
      },
    );
    const settled = await Promise.allSettled([12, 13, 14].map((k) => g.call(k)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: -12 },
      { status: 'rejected', reason: new Error('13 refused') },
      { status: 'fulfilled', value: -14 },
    ]);
  });

  it("without a one-key fallback, the group's failure is every caller's", async () => {
    const g = new GroupedCalls(async (): Promise<number[]> => {
      throw new Error('database gone');
    });
    const settled = await Promise.allSettled([1, 2].map((k) => g.call(k)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  });
});
