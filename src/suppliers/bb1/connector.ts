import type { Metrics } from '../../platform/metrics.js';
import { Bb1Client, BB1_PATHS } from './client.js';
import type { Bb1Mappings } from './mappings/indexed.js';

/** The credentials of one tenant's BB1 app. */
export interface Bb1Credentials {
  clientId: string;
  clientSecret: string;
}

export interface Bb1ConnectorOptions {
  /** read when a tenant's client is first made (the sandbox's address is known only once it listens) */
  baseUrl: () => string;
  tokenUrl?: string;
  timeoutMs: number;
}

/**
 * The BB1 adapter's runtime face: one API client per BB1 app (tenant account), and the current mapping tables (swapped
 * atomically on reload). Translation functions stay pure; this is where their payloads meet the wire.
 */
export class Bb1Connector {
  readonly supplier: string = 'BTWHOLESALEBB1';
  private readonly clients = new Map<string, Bb1Client>();
  constructor(
    private readonly opts: Bb1ConnectorOptions,
    private mappingsRef: { current: Bb1Mappings },
    private readonly metrics: Metrics,
  ) {}

  get mappings(): Bb1Mappings {
    return this.mappingsRef.current;
  }

  client(t: Bb1Credentials): Bb1Client {
    let c = this.clients.get(t.clientId);
    if (!c) {
      c = new Bb1Client({
        baseUrl: this.opts.baseUrl(),
        tokenUrl: this.opts.tokenUrl,
        clientId: t.clientId,
        clientSecret: t.clientSecret,
        timeoutMs: this.opts.timeoutMs,
      });
      this.clients.set(t.clientId, c);
    }
    return c;
  }

  async timed<T>(operation: string, f: () => Promise<T>): Promise<T> {
    const end = this.metrics.supplierCalls.startTimer({ supplier: this.supplier, operation });
    try {
      const r = await f();
      end({ outcome: 'ok' });
      return r;
    } catch (e) {
      end({ outcome: 'error' });
      throw e;
    }
  }

  poq(t: Bb1Credentials, body: unknown) {
    return this.timed('poq', () => this.client(t).call('POST', BB1_PATHS.poq, { data: body, idempotent: true }));
  }
  addresses(t: Bb1Credentials, params: Record<string, unknown>) {
    return this.timed('address', () => this.client(t).call('GET', BB1_PATHS.address, { params, idempotent: true }));
  }
  /** seed 000 "POST Create temporary ROBT address record" (reference bt-bb1.md §1 row 2) */
  createAddress(t: Bb1Credentials, body: unknown) {
    return this.timed('createAddress', () =>
      this.client(t).call<Record<string, unknown>>('POST', BB1_PATHS.address, { data: body, idempotent: false }),
    );
  }
  searchSlots(t: Bb1Credentials, body: unknown) {
    return this.timed('searchSlots', () =>
      this.client(t).call('POST', BB1_PATHS.searchSlots, { data: body, idempotent: true }),
    );
  }
  reserve(t: Bb1Credentials, body: unknown) {
    return this.timed('reserve', () =>
      this.client(t).call<Record<string, unknown>>('POST', BB1_PATHS.reserve, { data: body, idempotent: false }),
    );
  }
  order(t: Bb1Credentials, body: unknown) {
    return this.timed('order', () =>
      this.client(t).call<Record<string, unknown>>('POST', BB1_PATHS.order, { data: body, idempotent: false }),
    );
  }
  /** TMF622 product order query: the orders BB1 holds with this externalId (a list; BB1 allows one). */
  ordersByExternalId(t: Bb1Credentials, externalId: string) {
    return this.timed('findOrder', () =>
      this.client(t).call<unknown>('GET', BB1_PATHS.order, { params: { externalId }, idempotent: true }),
    );
  }
  /** One order by BB1's id; null when BB1 answers 404. */
  async orderById(t: Bb1Credentials, id: string): Promise<unknown> {
    try {
      const res = await this.timed('findOrder', () =>
        this.client(t).call<unknown>('GET', `${BB1_PATHS.order}/${encodeURIComponent(id)}`, { idempotent: true }),
      );
      return res.data;
    } catch (e) {
      if ((e as { status?: number }).status === 404) return null;
      throw e;
    }
  }
  amend(t: Bb1Credentials, bb1OrderId: string, body: unknown) {
    return this.timed('amend', () =>
      this.client(t).call('PATCH', `${BB1_PATHS.order}/${encodeURIComponent(bb1OrderId)}`, {
        data: body,
        idempotent: false,
      }),
    );
  }
  cancel(t: Bb1Credentials, body: unknown) {
    return this.timed('cancel', () => this.client(t).call('POST', BB1_PATHS.cancel, { data: body, idempotent: false }));
  }
}
