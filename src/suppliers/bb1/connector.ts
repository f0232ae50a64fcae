import type { Tenant } from '../../config/tenants.js';
import type { Metrics } from '../../platform/metrics.js';
import { Bb1Client, BB1_PATHS } from './client.js';
import type { Bb1Mappings } from './mappings/indexed.js';

export interface Bb1ConnectorOptions {
  baseUrl: string;
  tokenUrl?: string;
  timeoutMs: number;
}

/**
 * The BB1 module's runtime face: one API client per tenant, and the current mapping tables (swapped
 * atomically on reload). Translation functions stay pure; this is where their payloads meet the wire.
 */
export class Bb1Connector {
  readonly supplier = 'BTWHOLESALEBB1';
  private readonly clients = new Map<string, Bb1Client>();
  constructor(
    private readonly opts: Bb1ConnectorOptions,
    private mappingsRef: { current: Bb1Mappings },
    private readonly metrics: Metrics,
  ) {}

  get mappings(): Bb1Mappings {
    return this.mappingsRef.current;
  }

  client(t: Tenant): Bb1Client {
    let c = this.clients.get(t.id);
    if (!c) {
      c = new Bb1Client({
        baseUrl: this.opts.baseUrl,
        tokenUrl: this.opts.tokenUrl,
        clientId: t.bb1.clientId,
        clientSecret: t.bb1.clientSecret,
        timeoutMs: this.opts.timeoutMs,
      });
      this.clients.set(t.id, c);
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

  poq(t: Tenant, body: unknown) {
    return this.timed('poq', () => this.client(t).call('POST', BB1_PATHS.poq, { data: body, idempotent: true }));
  }
  addresses(t: Tenant, params: Record<string, unknown>) {
    return this.timed('address', () => this.client(t).call('GET', BB1_PATHS.address, { params, idempotent: true }));
  }
  searchSlots(t: Tenant, body: unknown) {
    return this.timed('searchSlots', () =>
      this.client(t).call('POST', BB1_PATHS.searchSlots, { data: body, idempotent: true }),
    );
  }
  reserve(t: Tenant, body: unknown) {
    return this.timed('reserve', () =>
      this.client(t).call<Record<string, unknown>>('POST', BB1_PATHS.reserve, { data: body, idempotent: false }),
    );
  }
  order(t: Tenant, body: unknown) {
    return this.timed('order', () =>
      this.client(t).call<Record<string, unknown>>('POST', BB1_PATHS.order, { data: body, idempotent: false }),
    );
  }
  amend(t: Tenant, bb1OrderId: string, body: unknown) {
    return this.timed('amend', () =>
      this.client(t).call('PATCH', `${BB1_PATHS.order}/${encodeURIComponent(bb1OrderId)}`, {
        data: body,
        idempotent: false,
      }),
    );
  }
  cancel(t: Tenant, body: unknown) {
    return this.timed('cancel', () => this.client(t).call('POST', BB1_PATHS.cancel, { data: body, idempotent: false }));
  }
}
