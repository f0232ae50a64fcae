import type { ColumnType, Generated } from 'kysely';

type Ts = ColumnType<Date, Date | string, Date | string>;
type Json<T = unknown> = ColumnType<T, T | string, T | string>;

export interface OrdersTable {
  tenant_id: string;
  id: number;
  external_id: string;
  supplier: string;
  order_type: string;
  status: string;
  supplier_order_id: string | null;
  conversation_id: string;
  entity: Json<Record<string, unknown>>;
  request: Json<Record<string, unknown>>;
  /** the supplier adapter's own state (opaque outside the adapter) */
  supplier_state: Json<unknown>;
  /** the connector's lifecycle state (src/orders/lifecycle.ts) */
  lifecycle: Json<unknown>;
  outbound: Json<unknown> | null;
  send_state: string;
  created_at: Ts;
  updated_at: Ts;
  /** sending (migration 0014): claims so far, when next due (or the lease's end while SENDING), when to give up */
  send_attempts: Generated<number>;
  send_next_at: Ts | null;
  send_deadline: Ts | null;
  send_error: string | null;
  /** when the supplier's view of the order was last asked for (src/orders/reconcile.ts) */
  reconciled_at: Ts | null;
}

export interface OrderHistoryTable {
  id: Generated<number>;
  tenant_id: string;
  order_id: number;
  at: Ts;
  event: string;
  detail: Json<unknown> | null;
}

export interface OrderRequestsTable {
  tenant_id: string;
  kind: string; // AMENDMENT | CANCELLATION
  id: number;
  order_id: number;
  status: string;
  body: Json<Record<string, unknown>>;
  outbound: Json<unknown> | null;
  send_state: string;
  conversation_id: string;
  created_at: Ts;
  send_attempts: Generated<number>;
  send_next_at: Ts | null;
  send_deadline: Ts | null;
  send_error: string | null;
}

export interface AppointmentsTable {
  tenant_id: string;
  id: number;
  supplier: string;
  supplier_reference: string;
  body: Json<Record<string, unknown>>;
  expires_at: Ts | null;
  created_at: Ts;
}

export interface IdempotencyTable {
  tenant_id: string;
  key: string;
  fingerprint: string;
  state: string; // IN_PROGRESS | DONE
  response_status: number | null;
  response_body: Json<unknown> | null;
  created_at: Ts;
}

export interface KsuInboxTable {
  id: Generated<number>;
  event_id: string | null;
  tenant_id: string | null;
  supplier: string;
  received_at: Ts;
  raw: string;
  body: Json<unknown> | null;
  event_type: string | null;
  event_time: Ts | null;
  external_id: string | null;
  supplier_order_id: string | null;
  status: string; // PENDING | APPLIED | UNMATCHED | UNPARSEABLE | REFUSED | FAILED
  error: string | null;
  order_id: number | null;
  applied_at: Ts | null;
}

export interface KciOutboxTable {
  id: string;
  tenant_id: string;
  order_id: number;
  sequence_number: number;
  conversation_id: string;
  body: Json<Record<string, unknown>>;
  status: string; // PENDING | DELIVERED | DEAD
  attempts: number;
  next_attempt_at: Ts;
  lease_until: Ts | null;
  last_error: string | null;
  last_status: number | null;
  delivered_at: Ts | null;
  created_at: Ts;
}

export interface ServicesTable {
  tenant_id: string;
  service_id: string;
  supplier: string;
  status: string; // ACTIVE | CHANGING | CEASED
  technology: string | null;
  address: Json<unknown> | null;
  characteristics: Json<Record<string, string>>;
  orders: Json<unknown[]>;
  changing_order_id: number | null;
  source: string; // ORDER | UPDATE | IMPORT
  created_at: Ts;
  updated_at: Ts;
}

export interface CountersTable {
  tenant_id: string;
  name: string;
  value: number;
}
export interface SigningKeysTable {
  kid: string;
  private_jwk: Json<Record<string, unknown>>;
  public_jwk: Json<Record<string, unknown>>;
  created_at: Ts;
}

export interface UnmappedCodesTable {
  supplier: string;
  code: string;
  count: number;
  first_seen: Ts;
  last_seen: Ts;
}

export interface Database {
  orders: OrdersTable;
  order_history: OrderHistoryTable;
  order_requests: OrderRequestsTable;
  appointments: AppointmentsTable;
  idempotency_keys: IdempotencyTable;
  ksu_inbox: KsuInboxTable;
  kci_outbox: KciOutboxTable;
  kci_attempts: KciAttemptsTable;
  services: ServicesTable;
  counters: CountersTable;
  signing_keys: SigningKeysTable;
  unmapped_codes: UnmappedCodesTable;
}

export interface KciAttemptsTable {
  kci_id: string;
  attempt: number;
  tenant_id: string;
  at: Ts;
  status: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
}
