import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Backlog } from '../store/backlog.js';

/** Distinct supplier codes given their own series; any further code is counted as `other` (the inbox and
 * `/ops/unmapped-codes` still name each one). A supplier sending ever-new codes cannot grow /metrics without end. */
export const UNMAPPED_CODE_SERIES = 500;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const unmappedCodes = new Counter({
    name: 'supplier_unmapped_codes_total',
    help: 'Supplier codes with no row in the mapping tables',
    labelNames: ['supplier', 'code'],
    registers: [registry],
  });
  const unmappedSeries = new Set<string>();
  return {
    registry,
    /** Counts one unmapped code (see UNMAPPED_CODE_SERIES). */
    countUnmapped(supplier: string, code: string): void {
      const key = `${supplier}\u0000${code}`;
      if (!unmappedSeries.has(key) && unmappedSeries.size < UNMAPPED_CODE_SERIES) unmappedSeries.add(key);
      unmappedCodes.inc({ supplier, code: unmappedSeries.has(key) ? code : 'other' });
    },
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    ksusReceived: new Counter({
      name: 'ksus_received_total',
      help: 'KSUs received from suppliers',
      labelNames: ['supplier', 'result'],
      registers: [registry],
    }),
    ksusApplied: new Counter({
      name: 'ksus_applied_total',
      help: 'KSUs applied to orders',
      labelNames: ['supplier', 'result'],
      registers: [registry],
    }),
    unmappedCodes,
    kciDeliveries: new Counter({
      name: 'kci_delivery_attempts_total',
      help: 'KCI delivery attempts',
      labelNames: ['tenant', 'result'],
      registers: [registry],
    }),
    kcisCreated: new Counter({
      name: 'kcis_created_total',
      help: 'KCIs written to the outbox',
      labelNames: ['tenant', 'type'],
      registers: [registry],
    }),
    supplierCalls: new Histogram({
      name: 'supplier_call_duration_seconds',
      help: 'Outbound supplier call duration',
      labelNames: ['supplier', 'operation', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Backlog gauges, read from the database when /metrics is scraped (one read shared by the four gauges):
 * what an operator alerts on — KSUs waiting to be applied or matched, KCIs waiting or DEAD, and how old the
 * oldest waiting one is. A failed read leaves the last values and is reported through `onError`.
 */
export function registerBacklogGauges(
  metrics: Metrics,
  read: () => Promise<Backlog>,
  onError: (e: unknown) => void,
): void {
  let last: { at: number; p: Promise<Backlog | undefined> } | undefined;
  const current = () => {
    if (!last || Date.now() - last.at > 500)
      last = {
        at: Date.now(),
        p: read().catch((e) => {
          onError(e);
          return undefined;
        }),
      };
    return last.p;
  };
  const registers = [metrics.registry];
  new Gauge({
    name: 'ksu_inbox_backlog',
    help: 'KSUs stored but not yet applied (PENDING) or not yet matched to an order (UNMATCHED)',
    labelNames: ['status'],
    registers,
    async collect() {
      const b = await current();
      if (b) {
        this.set({ status: 'PENDING' }, b.ksus.PENDING);
        this.set({ status: 'UNMATCHED' }, b.ksus.UNMATCHED);
      }
    },
  });
  new Gauge({
    name: 'ksu_inbox_oldest_pending_seconds',
    help: 'Age of the oldest KSU not yet applied (0 when none)',
    registers,
    async collect() {
      const b = await current();
      if (b) this.set(b.ksus.oldestPendingSeconds);
    },
  });
  new Gauge({
    name: 'kci_outbox_backlog',
    help: 'KCIs not yet delivered (PENDING) or given up after the retry schedule (DEAD)',
    labelNames: ['status'],
    registers,
    async collect() {
      const b = await current();
      if (b) {
        this.set({ status: 'PENDING' }, b.kcis.PENDING);
        this.set({ status: 'DEAD' }, b.kcis.DEAD);
      }
    },
  });
  new Gauge({
    name: 'kci_outbox_oldest_undelivered_seconds',
    help: 'Age of the oldest KCI not yet delivered (0 when none)',
    registers,
    async collect() {
      const b = await current();
      if (b) this.set(b.kcis.oldestUndeliveredSeconds);
    },
  });
}
