/**
 * A set that forgets its oldest entries beyond `capacity` (insertion order), for caches of facts that never
 * become false: a forgotten entry costs only the lookup it saved.
 */
export class BoundedSet<T> {
  private readonly items = new Set<T>();
  constructor(private readonly capacity: number) {}

  has(v: T): boolean {
    return this.items.has(v);
  }

  add(v: T): void {
    if (this.items.has(v)) return;
    if (this.items.size >= this.capacity) this.items.delete(this.items.values().next().value as T);
    this.items.add(v);
  }

  get size(): number {
    return this.items.size;
  }
}
