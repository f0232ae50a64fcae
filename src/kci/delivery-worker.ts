import axios, { type AxiosInstance } from 'axios';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { Tenant, TenantDirectory } from '../config/tenants.js';
import type { Metrics } from '../platform/metrics.js';
import { TokenProvider } from '../platform/oauth-client.js';
import {
  claimDue,
  recordOutcomes,
  releaseClaims,
  releaseWaiting,
  type AttemptRecord,
  type DeliveryOutcome,
  type OutboxEntry,
} from './outbox.js';
import { attemptDelivery } from './delivery/attempt.js';
import { DEFAULT_JITTER, nextAttemptAt } from './delivery/retry-policy.js';

export interface DeliveryOptions {
  retrySchedule: number[];
  timeoutMs: number;
  batchSize?: number;
  pollMs?: number;
  leaseSeconds?: number;
  jitter?: number;
  /** deliveries in flight at once, and at most this many for one tenant (so one slow tenant cannot take every slot) */
  maxInFlight?: number;
  maxInFlightPerTenant?: number;
  engine?: 'pglite' | 'postgres';
  /** on stop, how long deliveries in flight may finish before they are abandoned and handed back */
  shutdownGraceMs?: number;
  /** the shortest time between two claims when the first found everything that was due (see claim()) */
  claimGapMs?: number;
}

/**
 * Delivers outbox KCIs to tenant webhooks: at least once, in order per order, in parallel across orders
 * and tenants. Transient failures follow the retry schedule (±jitter, honouring Retry-After); when it is
 * exhausted, or the tenant answers a permanent 4xx, the KCI is DEAD: kept and redeliverable.
 *
 * Deliveries run independently: due KCIs are claimed whenever a slot is free, each outcome is recorded as it
 * comes (outcomes finishing together share one statement), and a tenant never holds more than its share of
 * the slots, so a tenant whose endpoint hangs until the timeout delays nobody else.
 */
export class DeliveryWorker {
  private readonly http: AxiosInstance;
  private readonly tokens = new Map<string, TokenProvider>();
  private timer?: NodeJS.Timeout;
  private stopping = true;
  private claiming = false;
  private claimAgain = false;
  private inFlight = 0;
  private readonly perTenant = new Map<string, number>();
  private readonly active = new Set<Promise<void>>();
  private readonly aborts = new Map<string, AbortController>();
  private readonly abandoned: string[] = [];
  private outcomes: DeliveryOutcome[] = [];
  private flushScheduled = false;
  private lastDrained = 0;
  private lastRelease = 0;
  private gapTimer?: NodeJS.Timeout;
  private recordingActive = false;
  private recording: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly tenants: TenantDirectory,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly opts: DeliveryOptions,
  ) {
    this.http = axios.create({
      timeout: opts.timeoutMs,
      maxRedirects: 0,
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    });
  }

  private get maxInFlight() {
    return this.opts.maxInFlight ?? 256;
  }
  private get maxPerTenant() {
    return this.opts.maxInFlightPerTenant ?? 64;
  }
  // PGlite runs every query on this thread: fewer, larger claims leave more of it to the requests.
  private get claimGap() {
    return this.opts.claimGapMs ?? (this.opts.engine === 'pglite' ? 25 : 5);
  }
  private get leaseSeconds() {
    return this.opts.leaseSeconds ?? Math.ceil(this.opts.timeoutMs / 1000) + 5;
  }

  start(): void {
    this.stopping = false;
    this.poll();
  }

  /** Ask for a claim now (after new KCIs were committed). */
  wake(): void {
    if (!this.stopping) void this.claim();
  }

  /**
   * Stops claiming; lets deliveries in flight finish for up to shutdownGraceMs, then abandons the rest and
   * hands their KCIs back untried (so the next instance or start sends them at once, with the same id).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    let grace: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((r) => {
      grace = setTimeout(r, this.opts.shutdownGraceMs ?? 5000);
    });
    await Promise.race([Promise.all([...this.active]), graceOver]);
    clearTimeout(grace);
    for (const c of this.aborts.values()) c.abort();
    while (this.active.size) await Promise.all([...this.active]);
    while (this.recordingActive || this.outcomes.length) {
      this.flush();
      await this.recording;
    }
    if (this.abandoned.length) {
      await releaseClaims(this.db, this.abandoned.splice(0)).catch((e) =>
        this.log.error({ err: e }, 'handing back abandoned KCIs failed; their leases expire instead'),
      );
    }
  }

  /** One synchronous pass (operators and tests): claim due KCIs, deliver them, record; returns how many. */
  async runOnce(): Promise<number> {
    const batch = await claimDue(this.db, this.opts.batchSize ?? 200, this.leaseSeconds);
    await recordOutcomes(this.db, await Promise.all(batch.map((e) => this.deliver(e))), this.opts.engine);
    return batch.length;
  }

  /** Retries fall due with time, not with an event: look again every pollMs (and for missed releases every 10 s). */
  private poll(): void {
    if (this.stopping) return;
    void this.releaseMissed()
      .then(() => this.claim())
      .finally(() => {
        if (this.stopping) return;
        this.timer = setTimeout(() => this.poll(), this.opts.pollMs ?? 500);
        this.timer.unref?.();
      });
  }

  private async releaseMissed(): Promise<void> {
    if (Date.now() - this.lastRelease < 10_000) return;
    this.lastRelease = Date.now();
    try {
      const n = await releaseWaiting(this.db);
      if (n) this.log.info({ kcis: n }, 'KCIs whose predecessors were delivered made due');
    } catch (e) {
      this.log.error({ err: e }, 'releasing waiting KCIs failed');
    }
  }

  /**
   * Claims due KCIs into the free slots (skipping tenants at their share) until none is left or no slot is.
   * Under load the reasons to look again (new KCIs committed, deliveries recorded) come every few
   * milliseconds; after a claim that found everything due, the next waits out a short gap so that they
   * are served together by one query rather than one query each.
   */
  private async claim(): Promise<void> {
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    const wait = this.lastDrained + this.claimGap - Date.now();
    if (wait > 0) {
      if (!this.gapTimer)
        this.gapTimer = setTimeout(() => {
          this.gapTimer = undefined;
          if (!this.stopping) void this.claim();
        }, wait);
      return;
    }
    this.claiming = true;
    try {
      do {
        this.claimAgain = false;
        const room = Math.min(this.maxInFlight - this.inFlight, this.opts.batchSize ?? 200);
        if (room <= 0 || this.stopping) break;
        const full = [...this.perTenant].filter(([, n]) => n >= this.maxPerTenant).map(([t]) => t);
        const batch = await claimDue(this.db, room, this.leaseSeconds, full);
        // One claim can bring a tenant past its share: the excess goes back, untried, for a later claim.
        const excess = batch.filter((e) => !this.launch(e));
        if (excess.length)
          await releaseClaims(
            this.db,
            excess.map((e) => e.id),
          );
        if (batch.length === room)
          this.claimAgain = true; // there may be more
        else this.lastDrained = Date.now();
      } while (this.claimAgain && this.lastDrained + this.claimGap <= Date.now());
      if (this.claimAgain) {
        this.claimAgain = false;
        setImmediate(() => void this.claim());
      }
    } catch (e) {
      this.log.error({ err: e }, 'KCI claim failed');
    } finally {
      this.claiming = false;
    }
  }

  /** Starts one delivery (true), unless its tenant has just reached its share (false). */
  private launch(e: OutboxEntry): boolean {
    if ((this.perTenant.get(e.tenantId) ?? 0) >= this.maxPerTenant) return false;
    this.inFlight += 1;
    this.perTenant.set(e.tenantId, (this.perTenant.get(e.tenantId) ?? 0) + 1);
    const abort = new AbortController();
    this.aborts.set(e.id, abort);
    const p: Promise<void> = this.deliver(e, abort.signal)
      .catch((err): DeliveryOutcome => ({
        id: e.id,
        delivered: false,
        status: null,
        next: new Date(Date.now() + 1000),
        error: `delivery failed: ${(err as Error).message}`,
        at: new Date().toISOString(),
      }))
      .then((o) => {
        if (abort.signal.aborted && !o.delivered) {
          this.abandoned.push(e.id);
          return;
        }
        this.outcomes.push(o);
        this.scheduleFlush();
      })
      .finally(() => {
        this.aborts.delete(e.id);
        this.inFlight -= 1;
        const n = (this.perTenant.get(e.tenantId) ?? 1) - 1;
        if (n > 0) this.perTenant.set(e.tenantId, n);
        else this.perTenant.delete(e.tenantId);
        this.active.delete(p);
      });
    this.active.add(p);
    return true;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Records the outcomes gathered so far in one statement, one statement at a time: outcomes that come in
   * while one is being written wait and go together in the next (group commit). Then claims: a delivered
   * KCI frees its order's next one.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.recordingActive || !this.outcomes.length) return;
    this.recordingActive = true;
    const batch = this.outcomes.splice(0);
    this.recording = recordOutcomes(this.db, batch, this.opts.engine)
      .catch((e) =>
        this.log.error(
          { err: e, kcis: batch.length },
          'recording KCI outcomes failed; their leases expire and they are delivered again',
        ),
      )
      .then(() => {
        this.recordingActive = false;
        this.flush();
        if (!this.stopping) void this.claim();
      });
  }

  private authProvider(t: Tenant): TokenProvider | undefined {
    if (t.kci.auth.type !== 'oauth2') return undefined;
    let p = this.tokens.get(t.id);
    if (!p) {
      const a = t.kci.auth;
      p = new TokenProvider(
        { tokenUrl: a.tokenUrl, clientId: a.clientId, clientSecret: a.clientSecret, scope: a.scope },
        this.http,
      );
      this.tokens.set(t.id, p);
    }
    return p;
  }

  /** One attempt, then the decision: delivered, another attempt later, or DEAD (retry-policy.ts). */
  private async deliver(e: OutboxEntry, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const tenant = this.tenants.get(e.tenantId);
    if (!tenant)
      return {
        id: e.id,
        delivered: false,
        status: null,
        next: null,
        error: `tenant ${e.tenantId} is no longer configured`,
        at: new Date().toISOString(),
      };
    const r = await attemptDelivery(e, tenant, {
      timeoutMs: this.opts.timeoutMs,
      tokens: this.authProvider(tenant),
      signal,
    });
    const attempt: AttemptRecord = {
      tenantId: e.tenantId,
      attempt: e.attempts,
      at: r.at,
      status: r.status,
      latencyMs: r.latencyMs,
      error: r.error ?? null,
      responseExcerpt: r.responseExcerpt ?? null,
    };
    const log = { kci: e.id, tenant: e.tenantId, order: e.orderId, seq: e.sequenceNumber, status: r.status };
    if (r.delivered) {
      this.metrics.kciDeliveries.inc({ tenant: e.tenantId, result: 'delivered' });
      this.log.debug(log, 'KCI delivered');
      return { id: e.id, delivered: true, status: r.status, at: r.at, attempt };
    }
    const error = r.error ?? 'delivery failed';
    if (signal?.aborted) return { id: e.id, delivered: false, status: r.status, next: null, error, at: r.at }; // handed back by stop()
    const next = nextAttemptAt(
      { attempt: e.attempts, status: r.status, retryAfterMs: r.retryAfterMs },
      this.opts.retrySchedule,
      this.opts.jitter ?? DEFAULT_JITTER,
    );
    this.metrics.kciDeliveries.inc({ tenant: e.tenantId, result: next ? 'retry' : 'dead' });
    this.log.warn({ ...log, attempt: e.attempts, next: next?.toISOString() ?? 'DEAD' }, error);
    return { id: e.id, delivered: false, status: r.status, next, error, at: new Date().toISOString(), attempt };
  }
}
