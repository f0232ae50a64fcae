import { nextAttemptAt, retryAfterMs, RETRYABLE } from '../../src/kci/delivery/retry-policy.js';

/** The retry decision on its own: pure, so every branch is checked without a webhook or a clock. */
describe('KCI retry policy', () => {
  const NOW = Date.parse('2026-12-07T12:00:00Z');
  const schedule = [10, 60, 300];
  const mid = () => 0.5; // no jitter: the scheduled delay exactly
  const at = (attempt: number, status: number | null, retryAfter?: number, random = mid) =>
    nextAttemptAt({ attempt, status, retryAfterMs: retryAfter }, schedule, 0.2, NOW, random)?.getTime();

  it('retries transient failures on the schedule and makes the KCI DEAD when it runs out', () => {
    expect(at(1, 503)).toBe(NOW + 10_000);
    expect(at(2, null)).toBe(NOW + 60_000); // no answer at all (refused, reset, timed out)
    expect(at(3, 429)).toBe(NOW + 300_000);
    expect(at(4, 503)).toBeUndefined();
  });

  it('keeps within ±jitter of the scheduled delay', () => {
    expect(at(1, 500, undefined, () => 0)).toBe(NOW + 8_000);
    expect(at(1, 500, undefined, () => 1)).toBe(NOW + 12_000);
  });

  it("never tries sooner than the tenant's Retry-After", () => {
    expect(at(1, 503, 45_000)).toBe(NOW + 45_000);
    expect(at(1, 503, 1_000)).toBe(NOW + 10_000);
  });

  it('treats 404 as transient (a route missing during a deploy) and 410 and other 4xx as permanent', () => {
    expect(at(1, 404)).toBe(NOW + 10_000);
    for (const status of [400, 401, 403, 410, 413, 422]) expect([status, at(1, status)]).toEqual([status, undefined]);
    for (const status of [404, 408, 425, 429, 500, 502, 503, 504])
      expect([status, RETRYABLE(status)]).toEqual([status, true]);
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores anything else', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(' 7 ', NOW)).toBe(7_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 12:01:00 GMT', NOW)).toBe(60_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 11:00:00 GMT', NOW)).toBe(0);
    for (const junk of [undefined, '', 'soon', '-5', 12]) expect(retryAfterMs(junk, NOW)).toBeUndefined();
  });
});
