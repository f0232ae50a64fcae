import axios, { type AxiosInstance } from 'axios';

export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

/**
 * OAuth2 client-credentials token cache: reused until shortly before expiry, one request in flight
 * per client (single flight), `invalidate()` forces a refresh after a 401.
 */
export class TokenProvider {
  private cached?: { token: string; expiresAt: number };
  private inflight?: Promise<string>;
  constructor(
    private readonly creds: ClientCredentials,
    private readonly http: AxiosInstance = axios.create({ timeout: 10000 }),
    private readonly skewMs = 60000,
  ) {}

  async token(): Promise<string> {
    if (this.cached && Date.now() < this.cached.expiresAt - this.skewMs) return this.cached.token;
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async fetch(): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.creds.scope) body.set('scope', this.creds.scope);
    const res = await this.http.post(this.creds.tokenUrl, body.toString(), {
      auth: { username: this.creds.clientId, password: this.creds.clientSecret },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    });
    const token = res.data?.access_token;
    if (typeof token !== 'string') throw new Error('token endpoint answered without access_token');
    const ttl = Number(res.data?.expires_in ?? 300);
    this.cached = { token, expiresAt: Date.now() + (Number.isFinite(ttl) ? ttl : 300) * 1000 };
    return token;
  }
}
