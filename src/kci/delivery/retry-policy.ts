/**
 * When a failed KCI delivery is tried again, as a pure decision (named constants, no I/O): transient failures
 * follow the schedule with ±jitter, never sooner than the tenant's Retry-After; a permanent answer, or a
 * schedule run out, makes the KCI DEAD (null).
 */

/**
 * Statuses worth another attempt: timeouts, throttling, the tenant's own faults, and 404 (a webhook route
 * missing while the tenant deploys is the usual cause: one 404 must not make a KCI DEAD). Any other 4xx is
 * permanent, 410 Gone above all: the tenant says the endpoint is gone, so its KCIs go DEAD at once and wait,
 * kept, for an operator's redelivery (Standard Webhooks treats 410 as "stop sending").
 */
export const RETRYABLE = (status: number) =>
  status === 404 || status === 408 || status === 425 || status === 429 || status >= 500;

/** The default share of jitter around each scheduled delay (±20 %), so retries after an outage spread out. */
export const DEFAULT_JITTER = 0.2;

/** Retry-After as seconds or HTTP date → milliseconds from now. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || !header.trim()) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  if (!/^[A-Za-z]{3}, /.test(header.trim())) return undefined; // an HTTP date: "Mon, 07 Dec 2026 12:01:00 GMT"
  const t = Date.parse(header);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export interface FailedAttempt {
  /** this attempt's number (1 for the first) */
  attempt: number;
  /** the tenant's HTTP status, or null when no answer came (refused, reset, timed out) */
  status: number | null;
  /** the tenant's Retry-After, in ms from now */
  retryAfterMs?: number;
}

/** The time of the next attempt, or null when the KCI is DEAD. */
export function nextAttemptAt(
  failed: FailedAttempt,
  schedule: readonly number[],
  jitter = DEFAULT_JITTER,
  now = Date.now(),
  random: () => number = Math.random,
): Date | null {
  if (failed.status !== null && !RETRYABLE(failed.status)) return null;
  const delaySeconds = schedule[failed.attempt - 1];
  if (delaySeconds === undefined) return null;
  const base = delaySeconds * 1000 * (1 + (random() * 2 - 1) * jitter);
  return new Date(now + Math.max(base, failed.retryAfterMs ?? 0));
}
