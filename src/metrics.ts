import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
    ksusReceived: new Counter({ name: 'ksus_received_total', help: 'KSUs received from suppliers', labelNames: ['supplier', 'result'], registers: [registry] }),
    ksusApplied: new Counter({ name: 'ksus_applied_total', help: 'KSUs applied to orders', labelNames: ['supplier', 'result'], registers: [registry] }),
    unmappedCodes: new Counter({ name: 'supplier_unmapped_codes_total', help: 'Supplier codes with no row in the mapping tables', labelNames: ['supplier', 'code'], registers: [registry] }),
    kciDeliveries: new Counter({ name: 'kci_delivery_attempts_total', help: 'KCI delivery attempts', labelNames: ['tenant', 'result'], registers: [registry] }),
    kcisCreated: new Counter({ name: 'kcis_created_total', help: 'KCIs written to the outbox', labelNames: ['tenant', 'type'], registers: [registry] }),
    supplierCalls: new Histogram({ name: 'supplier_call_duration_seconds', help: 'Outbound supplier call duration', labelNames: ['supplier', 'operation', 'outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
