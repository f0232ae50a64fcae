/**
 * Group commit, generalised: calls made in the same event-loop turn are served by one call of `many` (one
 * database round trip for a group of concurrent requests instead of one each), answered in the order asked.
 * Each caller's promise settles only when its group's call has. When the group's call fails, each key is
 * tried again alone with `one` (one bad key must not fail the others that happened to share its group);
 * without `one`, the group's failure is every caller's.
 */
export class GroupedCalls<K, V> {
  private queue: { key: K; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly many: (keys: K[]) => Promise<V[]>,
    private readonly one?: (key: K) => Promise<V>,
    private readonly maxGroup = 200,
  ) {}

  call(key: K): Promise<V> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (this.queue.length >= this.maxGroup) void this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const group = this.queue.splice(0, this.maxGroup);
    if (!group.length) return;
    if (this.queue.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
    try {
      const values = await this.many(group.map((g) => g.key));
      group.forEach((g, i) => g.resolve(values[i]!));
    } catch (e) {
      const one = this.one;
      if (!one) for (const g of group) g.reject(e);
      else for (const g of group) await one(g.key).then(g.resolve, g.reject);
    }
  }
}
