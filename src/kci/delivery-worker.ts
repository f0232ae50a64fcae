import axios, { type AxiosInstance } from 'axios';
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { Tenant, TenantDirectory } from '../config/tenants.js';
import type { Metrics } from '../metrics.js';
import { TokenProvider } from '../oauth-client.js';
import { claimDue, recordOutcomes, type DeliveryOutcome, type OutboxEntry } from './outbox.js';
import { signWebhook } from './signing.js';
import { postJson } from './post-json.js';

export interface DeliveryOptions { retrySchedule: number[]; timeoutMs: number; batchSize?: number; pollMs?: number; leaseSeconds?: number; jitter?: number; passes?: number }

const RETRYABLE = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500;

/** Retry-After as seconds or HTTP date → milliseconds from now. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || !header.trim()) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const t = Date.parse(header);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * Delivers outbox KCIs to tenant webhooks: at least once, in order per order, in parallel across orders
 * and tenants. Transient failures follow the retry schedule (±jitter, honouring Retry-After); when it is
 * exhausted, or the tenant answers a permanent 4xx, the KCI is DEAD: kept and redeliverable.
 */
export class DeliveryWorker {
  private readonly http: AxiosInstance;
  private readonly tokens = new Map<string, TokenProvider>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopping = false;
  private active?: Promise<void>;
  private wakeRequested = false;

  constructor(private readonly db: Db, private readonly tenants: TenantDirectory, private readonly log: Logger, private readonly metrics: Metrics, private readonly opts: DeliveryOptions) {
    this.http = axios.create({
      timeout: opts.timeoutMs, maxRedirects: 0, validateStatus: () => true, transitional: { clarifyTimeoutError: true },
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }), httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    });
  }

  start(): void {
    this.stopping = false;
    this.schedule(0);
  }

  /** Ask for an immediate pass (after new KCIs were committed). */
  wake(): void {
    if (this.stopping) return;
    if (this.running) { this.wakeRequested = true; return; }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.active;
  }

  private schedule(ms: number): void {
    if (this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.active = this.tick(); }, ms);
    this.timer.unref?.();
  }

  /** One pass: claim, deliver in parallel, record. Returns the number of KCIs attempted. */
  async runOnce(): Promise<number> {
    const batch = await claimDue(this.db, this.opts.batchSize ?? 200, this.opts.leaseSeconds ?? Math.ceil(this.opts.timeoutMs / 1000) + 5);
    const outcomes = await Promise.all(batch.map((e) => this.deliver(e)));
    await recordOutcomes(this.db, outcomes);
    return batch.length;
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = true;
    let n = 0;
    try {
      // Several passes at once on PostgreSQL (SKIP LOCKED keeps them disjoint; only an order's oldest
      // undelivered KCI is ever claimable, so per-order order holds).
      n = (await Promise.all(Array.from({ length: this.opts.passes ?? 1 }, () => this.runOnce()))).reduce((a, b) => a + b, 0);
    } catch (e) {
      this.log.error({ err: e }, 'KCI delivery pass failed');
    } finally {
      this.running = false;
    }
    const again = n > 0 || this.wakeRequested;
    this.wakeRequested = false;
    this.schedule(again ? 0 : this.opts.pollMs ?? 500);
  }

  private authProvider(t: Tenant): TokenProvider | undefined {
    if (t.kci.auth.type !== 'oauth2') return undefined;
    let p = this.tokens.get(t.id);
    if (!p) {
      const a = t.kci.auth;
      p = new TokenProvider({ tokenUrl: a.tokenUrl, clientId: a.clientId, clientSecret: a.clientSecret, scope: a.scope }, this.http);
      this.tokens.set(t.id, p);
    }
    return p;
  }

  private async deliver(e: OutboxEntry): Promise<DeliveryOutcome> {
    const tenant = this.tenants.get(e.tenantId);
    if (!tenant) return { id: e.id, delivered: false, status: null, next: null, error: `tenant ${e.tenantId} is no longer configured`, at: new Date().toISOString() };
    const deliveredOn = new Date().toISOString();
    const payload = JSON.stringify({ ...e.body, deliveredOn });
    const headers: Record<string, string> = {
      'Content-Type': 'application/json', 'X-Request-ID': randomUUID(), 'X-Conversation-ID': e.conversationId, 'User-Agent': 'bb1-connector',
    };
    if (tenant.kci.signingSecret) {
      const ts = Math.floor(Date.now() / 1000);
      headers['webhook-id'] = e.id;
      headers['webhook-timestamp'] = String(ts);
      headers['webhook-signature'] = signWebhook(tenant.kci.signingSecret, e.id, ts, payload);
    }
    let status: number | null = null;
    let error: string;
    let retryAfter: number | undefined;
    try {
      const auth = tenant.kci.auth;
      if (auth.type === 'basic') headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      const provider = this.authProvider(tenant);
      if (provider) headers.Authorization = `Bearer ${await provider.token()}`;
      let res = await postJson(tenant.kci.url, payload, headers, this.opts.timeoutMs);
      if (res.status === 401 && provider) {
        provider.invalidate();
        headers.Authorization = `Bearer ${await provider.token()}`;
        res = await postJson(tenant.kci.url, payload, headers, this.opts.timeoutMs);
      }
      status = res.status;
      if (status >= 200 && status < 300) {
        this.metrics.kciDeliveries.inc({ tenant: e.tenantId, result: 'delivered' });
        this.log.debug({ kci: e.id, tenant: e.tenantId, order: e.orderId, seq: e.sequenceNumber, status }, 'KCI delivered');
        return { id: e.id, delivered: true, status, at: deliveredOn };
      }
      retryAfter = retryAfterMs(res.retryAfter);
      error = `tenant answered ${status}`;
    } catch (err) {
      const ax = err as { code?: string; message?: string };
      error = `delivery failed: ${ax.code ?? ''} ${ax.message ?? String(err)}`.trim();
    }
    const permanent = status !== null && !RETRYABLE(status);
    const schedule = this.opts.retrySchedule;
    const delaySeconds = permanent ? undefined : schedule[e.attempts - 1];
    let next: Date | null = null;
    if (delaySeconds !== undefined) {
      const jitter = this.opts.jitter ?? 0.2;
      const base = delaySeconds * 1000 * (1 + (Math.random() * 2 - 1) * jitter);
      next = new Date(Date.now() + Math.max(base, retryAfter ?? 0));
    }
    this.metrics.kciDeliveries.inc({ tenant: e.tenantId, result: next ? 'retry' : 'dead' });
    this.log.warn({ kci: e.id, tenant: e.tenantId, order: e.orderId, seq: e.sequenceNumber, status, attempt: e.attempts, next: next?.toISOString() ?? 'DEAD' }, error);
    return { id: e.id, delivered: false, status, next, error, at: new Date().toISOString() };
  }
}
