/**
 * A background loop woken by events: `kick()` starts `loops` runs of `pass` side by side unless they are
 * running already, in which case the kick is remembered and one more round starts when they have all
 * finished. However many kicks come in meanwhile, they cost one round: work committed between two rounds is
 * never missed, and a burst of events is never a burst of passes. `drain()` stops it and waits for the runs
 * in flight.
 */
export class CoalescingLoop {
  private running = 0;
  private again = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly onError: (e: unknown) => void,
    private readonly loops = 1,
  ) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running > 0) {
      this.again = true;
      return;
    }
    for (let i = 0; i < this.loops; i++) {
      this.running += 1;
      const p: Promise<unknown> = this.pass()
        .catch(this.onError)
        .finally(() => {
          this.inFlight.delete(p);
          this.running -= 1;
          if (this.running === 0 && this.again) {
            this.again = false;
            this.kick();
          }
        });
      this.inFlight.add(p);
    }
  }

  get stopping(): boolean {
    return this.stopped;
  }

  /** Stops taking kicks and waits for the runs in flight. */
  async drain(): Promise<void> {
    this.stopped = true;
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}
