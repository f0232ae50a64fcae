import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { randomUUID } from 'node:crypto';
import { SupplierError } from '../errors.js';
import { TokenProvider } from '../../platform/oauth-client.js';
import type { FibreCafeConfig } from './config.js';

/** The correlation a Supplier API call carries (`Tenant`, `X-Conversation-ID`; a new `X-Request-ID` each call). */
export interface CallContext {
  tenant: string;
  conversationId?: string;
}

/** The text of a Supplier API error body (`{uuid, code, messages}`), or of whatever came instead. */
export function errorText(data: unknown): string {
  if (!data) return 'no details';
  if (typeof data === 'string') return data.slice(0, 300);
  const d = data as { messages?: unknown; message?: unknown };
  if (Array.isArray(d.messages) && d.messages.length) return d.messages.map(String).join('; ').slice(0, 1000);
  if (typeof d.message === 'string') return d.message.slice(0, 300);
  return JSON.stringify(data).slice(0, 300);
}

/**
 * A Fibre Cafe Supplier API 1.15 client: OAuth2 client credentials to the supplier (token cached, refreshed
 * once on 401), a time limit on every call, no retry of a call that changes something (a timeout after it left
 * is `uncertain`: never re-sent blindly). Answers: 2xx taken; 400/422 the supplier's refusal; others a fault.
 */
export class FibreCafeClient {
  private readonly http: AxiosInstance;
  private readonly tokens?: TokenProvider;

  constructor(
    private readonly supplierId: string,
    private readonly config: FibreCafeConfig,
    private readonly baseUrl: () => string,
  ) {
    this.http = axios.create({
      timeout: config.timeoutMs,
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
    });
    if (config.auth.type === 'oauth2')
      this.tokens = new TokenProvider(
        {
          tokenUrl: config.auth.tokenUrl,
          clientId: config.auth.clientId,
          clientSecret: config.auth.clientSecret,
          scope: config.auth.scope,
        },
        axios.create({ timeout: config.timeoutMs }),
      );
  }

  async call<T = unknown>(
    method: 'GET' | 'POST',
    path: string,
    ctx: CallContext,
    opts: { data?: unknown; params?: Record<string, string | undefined> } = {},
  ): Promise<{ status: number; data: T }> {
    const changes = method !== 'GET';
    let refreshed = false;
    for (;;) {
      let token: string | undefined;
      try {
        token = await this.tokens?.token();
      } catch (e) {
        throw new SupplierError(this.supplierId, 'unauthorised', `no token from the supplier: ${(e as Error).message}`);
      }
      let res: AxiosResponse;
      try {
        res = await this.http.request({
          method,
          url: `${this.baseUrl()}${path}`,
          data: opts.data,
          params: opts.params,
          headers: {
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            Tenant: ctx.tenant,
            'X-Request-ID': randomUUID(),
            'X-Conversation-ID': ctx.conversationId ?? randomUUID(),
            Accept: 'application/json',
          },
        });
      } catch (e) {
        const err = e as { code?: string; message?: string };
        const timeout = err.code === 'ETIMEDOUT' || err.code === 'ECONNABORTED';
        // A call that changes something and failed after it may have left: the supplier may have acted on it.
        const uncertain = changes && err.code !== 'ECONNREFUSED' && err.code !== 'ENOTFOUND';
        throw new SupplierError(
          this.supplierId,
          timeout ? 'timeout' : 'unavailable',
          `${method} ${path}: ${err.code ?? err.message}`,
          undefined,
          uncertain,
        );
      }
      if (res.status === 401 && this.tokens && !refreshed) {
        refreshed = true;
        this.tokens.invalidate();
        continue;
      }
      if (res.status >= 200 && res.status < 300) return { status: res.status, data: res.data as T };
      const text = errorText(res.data);
      if (res.status === 400 || res.status === 422)
        throw new SupplierError(this.supplierId, 'rejected', text, res.status);
      if (res.status === 401 || res.status === 403)
        throw new SupplierError(this.supplierId, 'unauthorised', text, res.status);
      if (res.status === 404 && !changes) throw new SupplierError(this.supplierId, 'rejected', text, res.status);
      throw new SupplierError(this.supplierId, 'unavailable', `${res.status}: ${text}`, res.status);
    }
  }
}
