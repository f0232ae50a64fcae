/**
 * Failed-attempt limiter for the token endpoints, in this process only (each instance counts its own; behind
 * N instances a client may make N times the attempts). Fixed windows per key: an attempt is counted when it
 * starts (so a burst of concurrent guesses is limited before any of them finishes) and given back when it
 * succeeds, so clients that authenticate correctly are never limited unless someone is guessing at their id.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts an attempt; `retryAfterS` when the key has used up its window (the attempt is then not counted). */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterS: number } {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (w) this.windows.delete(key);
      this.evict(now);
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    if (w.count >= this.max) return { ok: false, retryAfterS: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
    w.count += 1;
    return { ok: true };
  }

  /** An attempt that succeeded is not a failure: give it back. */
  giveBack(key: string): void {
    const w = this.windows.get(key);
    if (w && w.count > 0) w.count -= 1;
  }

  /** Bounded memory whatever the number of keys tried: expired windows go first, then the oldest. */
  private evict(now: number): void {
    if (this.windows.size < this.maxKeys) return;
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    for (const k of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(k);
    }
  }
}
