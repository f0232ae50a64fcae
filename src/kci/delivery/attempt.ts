import { randomUUID } from 'node:crypto';
import type { Tenant } from '../../config/tenants.js';
import type { TokenProvider } from '../../platform/oauth-client.js';
import type { OutboxEntry } from '../outbox.js';
import { postJson } from '../post-json.js';
import { signWebhook } from '../signing.js';
import { EXCERPT_BYTES, responseExcerpt } from './response-excerpt.js';
import { retryAfterMs } from './retry-policy.js';

/** What one call to a tenant's webhook came to. */
export interface AttemptResult {
  delivered: boolean;
  /** the tenant's HTTP status; null when no answer came */
  status: number | null;
  /** when the call started (ISO), and how long it took to its answer or failure */
  at: string;
  latencyMs: number;
  error?: string;
  retryAfterMs?: number;
  /** the first 2 KB of a failed answer's body, credentials and contact details redacted */
  responseExcerpt?: string | null;
}

export interface AttemptDeps {
  timeoutMs: number;
  /** the tenant's OAuth2 token source, when its webhook takes one */
  tokens?: TokenProvider;
  signal?: AbortSignal;
}

/**
 * One delivery of one KCI: the envelope stamped with `deliveredOn`, signed (Standard Webhooks) when the
 * tenant has a signing secret, sent with the tenant's auth (an OAuth2 token refreshed once on 401). Never
 * throws: every failure is a result.
 */
export async function attemptDelivery(e: OutboxEntry, tenant: Tenant, deps: AttemptDeps): Promise<AttemptResult> {
  const at = new Date().toISOString();
  const start = performance.now();
  const latency = () => Math.round(performance.now() - start);
  const payload = JSON.stringify({ ...e.body, deliveredOn: at });
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Request-ID': randomUUID(),
    'X-Conversation-ID': e.conversationId,
    'User-Agent': 'bb1-connector',
  };
  if (tenant.kci.signingSecret) {
    const ts = Math.floor(Date.now() / 1000);
    headers['webhook-id'] = e.id;
    headers['webhook-timestamp'] = String(ts);
    headers['webhook-signature'] = signWebhook(tenant.kci.signingSecret, e.id, ts, payload);
  }
  let status: number | null = null;
  try {
    const auth = tenant.kci.auth;
    if (auth.type === 'basic')
      headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    const provider = deps.tokens;
    if (provider) headers.Authorization = `Bearer ${await provider.token()}`;
    const post = () => postJson(tenant.kci.url, payload, headers, deps.timeoutMs, deps.signal, EXCERPT_BYTES);
    let res = await post();
    if (res.status === 401 && provider) {
      provider.invalidate();
      headers.Authorization = `Bearer ${await provider.token()}`;
      res = await post();
    }
    status = res.status;
    if (status >= 200 && status < 300) return { delivered: true, status, at, latencyMs: latency() };
    return {
      delivered: false,
      status,
      at,
      latencyMs: latency(),
      error: `tenant answered ${status}`,
      retryAfterMs: retryAfterMs(res.retryAfter),
      responseExcerpt: responseExcerpt(res.body),
    };
  } catch (err) {
    const ax = err as { code?: string; message?: string };
    const error = `delivery failed: ${ax.code ?? ''} ${ax.message ?? String(err)}`.trim();
    return { delivered: false, status, at, latencyMs: latency(), error };
  }
}
