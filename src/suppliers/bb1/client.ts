import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import axiosRetry, { isNetworkError } from 'axios-retry';
import { randomUUID } from 'node:crypto';
import { SupplierError, type SupplierErrorKind } from '../errors.js';
import { TokenProvider } from '../../platform/oauth-client.js';

export const BB1_PATHS = {
  token: '/oauth/accesstoken',
  poq: '/hubco/tmf/productOfferingQualification/v4/productOfferingQualification',
  address: '/common/geographicAddressManagement/v1/geographicAddress',
  searchSlots: '/common/appointmentManagement/v4/searchTimeSlot',
  reserve: '/common/appointmentManagement/v4/appointment',
  /** POST an order; GET ?externalId= (TMF622 list with a filter) or GET /{id}: what BB1 holds */
  order: '/hubco/tmf/productOrderingManagement/v4/productOrder',
  cancel: '/hubco/tmf/productOrderingManagement/v4/cancelOrder',
} as const;

/** How a BB1 call failed, in the connector's terms (docs/contract.md §3 errors, §6 no duplicate orders). */
export class Bb1Error extends SupplierError {
  constructor(
    kind: SupplierErrorKind,
    message: string,
    status?: number,
    uncertain = false,
    transient = false,
    retryAfterMs?: number,
  ) {
    super('BTWHOLESALEBB1', kind, message, status, uncertain, transient, retryAfterMs);
  }
}

/** `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || !header.trim()) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Connection errors that mean the request was never written: the supplier cannot have acted on it. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface Bb1ClientOptions {
  baseUrl: string;
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  retries?: number;
}

/** The text BB1 put in an error body (TMF `message`/`reason`, Apigee `fault.faultstring`). */
export function bb1ErrorText(data: unknown): string {
  if (!data) return 'no details';
  if (typeof data === 'string') return data.slice(0, 300);
  const d = data as Record<string, unknown>;
  const fault = d.fault as Record<string, unknown> | undefined;
  const best = [d.message, d.description, fault?.faultstring, d.reason].find((x) => typeof x === 'string' && x.trim());
  return typeof best === 'string' ? best.trim() : JSON.stringify(data).slice(0, 300);
}

/**
 * One tenant's BB1 API client: its own OAuth2 app (token cached, refreshed once on 401), a timeout on
 * every call, retries with backoff only for idempotent calls (GET and the read-only POST searches), and
 * `Retry-After` honoured.
 */
export class Bb1Client {
  private readonly http: AxiosInstance;
  private readonly tokens: TokenProvider;

  constructor(private readonly opts: Bb1ClientOptions) {
    this.http = axios.create({
      baseURL: opts.baseUrl,
      timeout: opts.timeoutMs,
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
    });
    axiosRetry(this.http, {
      retries: opts.retries ?? 2,
      retryCondition: (err) => {
        const cfg = err.config as { idempotent?: boolean } | undefined;
        if (!cfg?.idempotent) return false;
        return isNetworkError(err) || err.code === 'ETIMEDOUT' || err.code === 'ECONNABORTED';
      },
      retryDelay: (count, err) => {
        const ra = err.response?.headers?.['retry-after'];
        if (ra && /^\d+$/.test(String(ra))) return Number(ra) * 1000;
        return Math.min(100 * 2 ** count, 2000);
      },
      shouldResetTimeout: true,
    });
    this.tokens = new TokenProvider(
      {
        tokenUrl: opts.tokenUrl ?? `${opts.baseUrl}${BB1_PATHS.token}`,
        clientId: opts.clientId,
        clientSecret: opts.clientSecret,
      },
      axios.create({ timeout: opts.timeoutMs }),
    );
  }

  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    opts: { data?: unknown; params?: Record<string, unknown>; idempotent: boolean },
  ): Promise<{ status: number; data: T }> {
    let res: AxiosResponse;
    let refreshed = false;
    let attempt = 0;
    for (;;) {
      let token: string;
      try {
        token = await this.tokens.token();
      } catch (e) {
        // A token call changes nothing at BB1: only a refusal of the credentials (400/401/403) is permanent.
        const status = (e as { response?: { status?: number } }).response?.status;
        const refused = status === 400 || status === 401 || status === 403;
        throw new Bb1Error(
          refused ? 'unauthorised' : 'unavailable',
          `could not get a BB1 token: ${(e as Error).message}`,
          undefined,
          false,
          !refused,
        );
      }
      try {
        res = await this.http.request({
          method,
          url: path,
          data: opts.data,
          params: opts.params,
          headers: {
            Authorization: `Bearer ${token}`,
            'APIGW-Tracking-Header': randomUUID(),
            Accept: 'application/json',
          },
          idempotent: opts.idempotent,
        } as never);
      } catch (e) {
        const err = e as { code?: string; message?: string };
        const timeout = err.code === 'ETIMEDOUT' || err.code === 'ECONNABORTED';
        const neverSent = NEVER_SENT.has(err.code ?? '');
        // A non-idempotent call that failed after the request may have left: BB1 may have acted on it.
        const uncertain = !opts.idempotent && !neverSent;
        throw new Bb1Error(
          timeout ? 'timeout' : 'unavailable',
          `BB1 ${method} ${path}: ${err.code ?? err.message}`,
          undefined,
          uncertain,
          neverSent,
        );
      }
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        this.tokens.invalidate();
        continue;
      }
      if ((res.status === 429 || res.status === 503) && opts.idempotent && attempt < (this.opts.retries ?? 2)) {
        attempt += 1;
        const ra = Number(res.headers['retry-after']);
        await new Promise((r) =>
          setTimeout(r, Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, 5000) : 200 * 2 ** attempt),
        );
        continue;
      }
      break;
    }
    if (res.status >= 200 && res.status < 300) return { status: res.status, data: res.data as T };
    const text = bb1ErrorText(res.data);
    const wait = retryAfterMs(res.headers['retry-after']);
    if (res.status === 401 || res.status === 403) throw new Bb1Error('unauthorised', text, res.status);
    // Too many requests: BB1 refused it, for now.
    if (res.status === 429) throw new Bb1Error('rejected', text, res.status, false, true, wait);
    if (res.status >= 400 && res.status < 500) throw new Bb1Error('rejected', text, res.status);
    if (res.status === 504) throw new Bb1Error('timeout', text, res.status, !opts.idempotent);
    // 503: BB1 (or its gateway) refused it unprocessed; 500 and 502 may come after BB1 acted on it.
    if (res.status === 503) throw new Bb1Error('unavailable', `${res.status} ${text}`, res.status, false, true, wait);
    throw new Bb1Error('unavailable', `${res.status} ${text}`, res.status, !opts.idempotent);
  }
}
