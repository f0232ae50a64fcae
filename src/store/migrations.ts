import { sql, type Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';

/** Prepared statements take one command each: run a script statement by statement. */
async function runAll(db: Kysely<unknown>, script: string): Promise<void> {
  for (const stmt of script
    .split(/;\s*\n/)
    .map((x) => x.trim())
    .filter(Boolean))
    await sql.raw(stmt).execute(db);
}

/** In-code migrations: no file discovery, so ESM, jest and bundling never depend on the file system. */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await runAll(
        db,
        `
        CREATE TABLE counters (tenant_id text NOT NULL, name text NOT NULL, value integer NOT NULL, PRIMARY KEY (tenant_id, name));
        CREATE TABLE signing_keys (kid text PRIMARY KEY, private_jwk jsonb NOT NULL, public_jwk jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE orders (
          tenant_id text NOT NULL, id integer NOT NULL, external_id text NOT NULL UNIQUE, supplier text NOT NULL,
          order_type text NOT NULL, status text NOT NULL, supplier_order_id text, conversation_id text NOT NULL,
          entity jsonb NOT NULL, request jsonb NOT NULL, supplier_state jsonb NOT NULL DEFAULT '{}', outbound jsonb,
          send_state text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant_id, id));
        CREATE INDEX orders_supplier_order_id ON orders (supplier, supplier_order_id);
        CREATE INDEX orders_send_state ON orders (send_state) WHERE send_state IN ('PENDING', 'SENDING');
        CREATE TABLE order_history (id bigserial PRIMARY KEY, tenant_id text NOT NULL, order_id integer NOT NULL,
          at timestamptz NOT NULL DEFAULT now(), event text NOT NULL, detail jsonb);
        CREATE INDEX order_history_order ON order_history (tenant_id, order_id, id);
        CREATE TABLE order_requests (tenant_id text NOT NULL, kind text NOT NULL, id integer NOT NULL, order_id integer NOT NULL,
          status text NOT NULL, body jsonb NOT NULL, outbound jsonb, send_state text NOT NULL, conversation_id text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, kind, id));
        CREATE INDEX order_requests_order ON order_requests (tenant_id, order_id);
        CREATE TABLE appointments (tenant_id text NOT NULL, id integer NOT NULL, supplier text NOT NULL, supplier_reference text NOT NULL,
          body jsonb NOT NULL, expires_at timestamptz, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, id));
        CREATE TABLE idempotency_keys (tenant_id text NOT NULL, key text NOT NULL, fingerprint text NOT NULL, state text NOT NULL,
          response_status integer, response_body jsonb, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, key));
        CREATE TABLE ksu_inbox (id bigserial PRIMARY KEY, event_id text UNIQUE, tenant_id text, supplier text NOT NULL,
          received_at timestamptz NOT NULL DEFAULT now(), raw text NOT NULL, body jsonb, event_type text, event_time timestamptz,
          external_id text, supplier_order_id text, status text NOT NULL, error text, order_id integer, applied_at timestamptz);
        CREATE INDEX ksu_inbox_pending ON ksu_inbox (status, id) WHERE status IN ('PENDING', 'UNMATCHED');
        CREATE INDEX ksu_inbox_external ON ksu_inbox (external_id);
        CREATE INDEX ksu_inbox_supplier_order ON ksu_inbox (supplier_order_id);
        CREATE TABLE kci_outbox (id uuid PRIMARY KEY, tenant_id text NOT NULL, order_id integer NOT NULL, sequence_number integer NOT NULL,
          conversation_id text NOT NULL, body jsonb NOT NULL, status text NOT NULL, attempts integer NOT NULL DEFAULT 0,
          next_attempt_at timestamptz NOT NULL DEFAULT now(), lease_until timestamptz, last_error text, last_status integer,
          delivered_at timestamptz, created_at timestamptz NOT NULL DEFAULT now(),
          UNIQUE (tenant_id, order_id, sequence_number));
        CREATE INDEX kci_outbox_due ON kci_outbox (next_attempt_at) WHERE status = 'PENDING';
      `,
      );
    },
    async down(db: Kysely<unknown>) {
      await sql`DROP TABLE kci_outbox, ksu_inbox, idempotency_keys, appointments, order_requests, order_history, orders, signing_keys, counters`.execute(
        db,
      );
    },
  },
};

// Added after 0001 (never edit a released migration): the operator's backlog gauges count DEAD KCIs.
migrations['0002_dead_kcis_index'] = {
  async up(db: Kysely<unknown>) {
    await sql`CREATE INDEX kci_outbox_dead ON kci_outbox (tenant_id) WHERE status = 'DEAD'`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`DROP INDEX kci_outbox_dead`.execute(db);
  },
};

// Retention (store/retention.ts) deletes old rows in small batches, oldest first: each batch reads these.
migrations['0007_retention'] = {
  async up(db: Kysely<unknown>) {
    await sql`CREATE INDEX kci_outbox_delivered_at ON kci_outbox (delivered_at) WHERE status = 'DELIVERED'`.execute(db);
    await sql`CREATE INDEX ksu_inbox_applied_at ON ksu_inbox (applied_at) WHERE status = 'APPLIED'`.execute(db);
    await sql`CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`DROP INDEX kci_outbox_delivered_at, ksu_inbox_applied_at, idempotency_keys_created_at`.execute(db);
  },
};

// Added for a year of history (1M orders, 5M KSUs, 5M KCIs; plans checked with EXPLAIN ANALYZE on the bench's
// seeded database): the operator's lists read the newest rows of a filter instead of sorting every row.
migrations['0008_history_indexes'] = {
  async up(db: Kysely<unknown>) {
    await runAll(
      db,
      `
      CREATE INDEX kci_outbox_created ON kci_outbox (created_at);
      CREATE INDEX kci_outbox_tenant_created ON kci_outbox (tenant_id, created_at);
      CREATE INDEX ksu_inbox_not_applied ON ksu_inbox (status, id) WHERE status <> 'APPLIED';
    `,
    );
  },
  async down(db: Kysely<unknown>) {
    await sql`DROP INDEX kci_outbox_created, kci_outbox_tenant_created, ksu_inbox_not_applied`.execute(db);
  },
};

// The order lifecycle's state (statuses, milestones reported, pending requests) moves out of the supplier
// adapter's state into a column of its own; the keys are those the lifecycle owns (src/orders/lifecycle.ts).
migrations['0009_order_lifecycle'] = {
  async up(db: Kysely<unknown>) {
    await sql`ALTER TABLE orders ADD COLUMN lifecycle jsonb NOT NULL DEFAULT '{}'`.execute(db);
    await sql`
      UPDATE orders SET
        lifecycle = jsonb_strip_nulls(jsonb_build_object('lastEventTime', supplier_state->'lastEventTime',
          'milestones', supplier_state->'milestones', 'reported', supplier_state->'reported',
          'statusBeforeRequest', supplier_state->'statusBeforeRequest')),
        supplier_state = supplier_state - 'lastEventTime' - 'milestones' - 'reported' - 'statusBeforeRequest' - 'bb1OrderId'`.execute(
      db,
    );
  },
  async down(db: Kysely<unknown>) {
    await sql`UPDATE orders SET supplier_state = supplier_state || lifecycle`.execute(db);
    await sql`ALTER TABLE orders DROP COLUMN lifecycle`.execute(db);
  },
};

// What each tenant has (issue: services): one record per SERVICE_ID, owned by src/services/service-store.ts.
migrations['0012_services'] = {
  async up(db: Kysely<unknown>) {
    await runAll(
      db,
      `
      CREATE TABLE services (tenant_id text NOT NULL, service_id text NOT NULL, supplier text NOT NULL, status text NOT NULL,
        technology text, address jsonb, characteristics jsonb NOT NULL DEFAULT '{}', orders jsonb NOT NULL DEFAULT '[]',
        changing_order_id integer, source text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, service_id));
      CREATE INDEX services_by_status ON services (tenant_id, status, service_id);
    `,
    );
  },
  async down(db: Kysely<unknown>) {
    await sql`DROP TABLE services`.execute(db);
  },
};

// The operator console's queue of supplier codes no mapping row matched (owner: store/unmapped-codes.ts).
migrations['0005_unmapped_codes'] = {
  async up(db: Kysely<unknown>) {
    await sql`CREATE TABLE unmapped_codes (supplier text NOT NULL, code text NOT NULL, count bigint NOT NULL,
      first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL, PRIMARY KEY (supplier, code))`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`DROP TABLE unmapped_codes`.execute(db);
  },
};

// The operator console's queries with 100,000 orders (`npm run bench:console`; EXPLAIN showed a full scan of
// orders for each): newest-first pages overall, per tenant and per status; SERVICE_ID (it lives in the entity);
// the supplier's order id alone (the older index leads with supplier); orders not yet settled with the supplier,
// longest unchanged first (partial: only those orders are in it); KSUs needing an operator.
migrations['0006_console_indexes'] = {
  async up(db: Kysely<unknown>) {
    await runAll(
      db,
      `
      CREATE INDEX orders_created ON orders (created_at, tenant_id, id);
      CREATE INDEX orders_tenant_created ON orders (tenant_id, created_at, id);
      CREATE INDEX orders_status_created ON orders (status, created_at, tenant_id, id);
      CREATE INDEX orders_service_id ON orders ((entity->>'serviceId')) WHERE entity->>'serviceId' IS NOT NULL;
      CREATE INDEX orders_supplier_order_id_only ON orders (supplier_order_id) WHERE supplier_order_id IS NOT NULL;
      CREATE INDEX orders_unsettled ON orders (updated_at, tenant_id, id)
        WHERE send_state IN ('PENDING', 'SENDING', 'UNCERTAIN') OR status IN ('RECEIVED_BY_GATEWAY', 'SENT_TO_SUPPLIER');
      CREATE INDEX ksu_inbox_attention ON ksu_inbox (status, id) WHERE status IN ('FAILED', 'UNPARSEABLE', 'REFUSED');
    `,
    );
  },
  async down(db: Kysely<unknown>) {
    await sql`DROP INDEX orders_created, orders_tenant_created, orders_status_created, orders_service_id,
      orders_supplier_order_id_only, orders_unsettled, ksu_inbox_attention`.execute(db);
  },
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };

// Every delivery attempt of every KCI, for operators (issue: console): when, the tenant's status and latency,
// the error, and the first 2 KB of a failed answer (redacted). Written with the outcome (kci/outbox.ts, its
// owner); pruned by age (store/retention.ts). The tenant index serves the webhook health of GET /ops/tenants.
migrations['0013_kci_attempts'] = {
  async up(db: Kysely<unknown>) {
    await runAll(
      db,
      `
      CREATE TABLE kci_attempts (kci_id uuid NOT NULL, attempt integer NOT NULL, tenant_id text NOT NULL,
        at timestamptz NOT NULL, status integer, latency_ms integer NOT NULL, error text, response_excerpt text,
        PRIMARY KEY (kci_id, attempt));
      CREATE INDEX kci_attempts_tenant_at ON kci_attempts (tenant_id, at);
      CREATE INDEX kci_attempts_at ON kci_attempts (at);
    `,
    );
  },
  async down(db: Kysely<unknown>) {
    await sql`DROP TABLE kci_attempts`.execute(db);
  },
};

// No order in limbo (issue 12): a send is retried (transient refusals) and an uncertain one resolved with the
// supplier until a deadline (send_next_at: when it is next due, or, while SENDING, when its lease ends); open
// orders without news are reconciled with the supplier's view (reconciled_at). Owner: src/orders/order-store.ts.
migrations['0014_send_resolution'] = {
  async up(db: Kysely<unknown>) {
    await runAll(
      db,
      `
      ALTER TABLE orders ADD COLUMN send_attempts integer NOT NULL DEFAULT 0;
      ALTER TABLE orders ADD COLUMN send_next_at timestamptz;
      ALTER TABLE orders ADD COLUMN send_deadline timestamptz;
      ALTER TABLE orders ADD COLUMN send_error text;
      ALTER TABLE orders ADD COLUMN reconciled_at timestamptz;
      ALTER TABLE order_requests ADD COLUMN send_attempts integer NOT NULL DEFAULT 0;
      ALTER TABLE order_requests ADD COLUMN send_next_at timestamptz;
      ALTER TABLE order_requests ADD COLUMN send_deadline timestamptz;
      ALTER TABLE order_requests ADD COLUMN send_error text;
      CREATE INDEX orders_send_due ON orders (tenant_id, send_next_at) WHERE send_state IN ('PENDING', 'SENDING', 'UNCERTAIN');
      CREATE INDEX order_requests_send_due ON order_requests (tenant_id, order_id, created_at)
        WHERE send_state IN ('PENDING', 'SENDING', 'UNCERTAIN');
      CREATE INDEX orders_send_unresolved ON orders (updated_at) WHERE send_state = 'UNRESOLVED';
      CREATE INDEX order_requests_send_unresolved ON order_requests (created_at) WHERE send_state = 'UNRESOLVED';
      CREATE INDEX orders_open_quiet ON orders (updated_at)
        WHERE send_state = 'SENT' AND status NOT IN ('COMPLETED', 'CANCELLED', 'REJECTED', 'FAILED_TO_SEND');
    `,
    );
  },
  async down(db: Kysely<unknown>) {
    await runAll(
      db,
      `
      DROP INDEX orders_send_due, order_requests_send_due, orders_send_unresolved, order_requests_send_unresolved, orders_open_quiet;
      ALTER TABLE orders DROP COLUMN send_attempts, DROP COLUMN send_next_at, DROP COLUMN send_deadline, DROP COLUMN send_error, DROP COLUMN reconciled_at;
      ALTER TABLE order_requests DROP COLUMN send_attempts, DROP COLUMN send_next_at, DROP COLUMN send_deadline, DROP COLUMN send_error;
    `,
    );
  },
};
