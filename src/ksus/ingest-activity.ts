/**
 * Ingest first: while a supplier posts updates in a burst (BB1 catching up after an outage), the applier
 * steps aside so that each POST is stored and answered 202 as fast as the floor allows; what is stored
 * meanwhile is applied in larger batches once the burst eases. A burst is `busyAt` or more updates received
 * within the last `windowMs` (the default, 50 in 100 ms, is 500/s: far above any supplier's steady rate, so
 * steady traffic is applied at once). `whenQuiet` resolves when the burst has eased, or after `maxWaitMs` at
 * most, so a flood that never eases still has its updates applied at least that often: nothing waits
 * without bound.
 */
export class IngestActivity {
  /** arrival times (ms) in a ring of busyAt entries: busy when the oldest is within the window */
  private readonly ring: Float64Array;
  private next = 0;

  constructor(
    readonly busyAt = 50,
    readonly windowMs = 100,
    readonly maxWaitMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.ring = new Float64Array(busyAt).fill(-Infinity);
  }

  /** One update arrived. */
  arrived(): void {
    this.ring[this.next] = this.now();
    this.next = (this.next + 1) % this.ring.length;
  }

  /** Whether the last busyAt arrivals all fell within the window. */
  get busy(): boolean {
    return this.now() - this.ring[this.next]! < this.windowMs;
  }

  /** Resolves at once when receiving is quiet, else when it quietens or after maxWaitMs, whichever is first. */
  async whenQuiet(): Promise<void> {
    const until = this.now() + this.maxWaitMs;
    while (this.busy && this.now() < until)
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.windowMs / 4, until - this.now())));
  }
}
