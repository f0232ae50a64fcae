import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { parseKsu, type ParsedKsu } from '../suppliers/bb1/inbound/parse-ksu.js';
import { translateKsu, type Bb1OrderState } from '../suppliers/bb1/inbound/translate-ksu.js';
import { enqueueKcis, type NewKci } from '../kci/outbox.js';
import { reason } from '../kci/envelope.js';
import { toOrder, type StoredOrder } from '../store/orders.js';
import { requeueUnmatched } from './inbox.js';
import type { Db } from '../store/database.js';

type InboxRow = { id: number; tenant_id: string | null; supplier: string; body: unknown; received_at: Date | string };
type Outcome = { id: number; status: string; error: string | null; order_id: number | null };

/**
 * Applies stored KSUs to their orders, a batch per transaction: claim KSUs (FOR UPDATE SKIP LOCKED), lock
 * their orders in one sorted statement (a consistent lock order, so concurrent loops and instances never
 * deadlock), translate in memory in inbox order, then write orders, history, KCIs (transactional outbox)
 * and inbox statuses with one set-based statement each.
 */
export class KsuProcessor {
  private running = 0;
  private again = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  constructor(
    private readonly ctx: AppContext,
    private readonly loops = ctx.dbEngine === 'postgres' ? 3 : 1,
    private readonly batch = ctx.dbEngine === 'postgres' ? 100 : 10,
  ) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running > 0) {
      this.again = true;
      return;
    }
    for (let i = 0; i < this.loops; i++) {
      this.running += 1;
      const p: Promise<unknown> = this.run()
        .catch((e) => this.ctx.log.error({ err: e }, 'KSU processing failed'))
        .finally(() => {
          this.inFlight.delete(p);
          this.running -= 1;
          if (this.running === 0 && this.again) {
            this.again = false;
            this.kick();
          }
        });
      this.inFlight.add(p);
    }
  }

  /** Stops taking work and waits for the batches in flight to commit. */
  async drain(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.inFlight]);
  }

  /** Applies pending KSUs until none is left that this loop can claim; returns how many it handled. */
  async run(): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.stopped) return total;
      const { handled, created, kcis } = await this.applyBatch();
      total += handled;
      if (kcis) this.ctx.kick.kcis();
      if (created) await requeueUnmatched(this.ctx.db);
      if (handled === 0) return total;
    }
  }

  private async applyBatch(): Promise<{ handled: number; created: boolean; kcis: number }> {
    const { ctx } = this;
    return ctx.db.transaction().execute(async (trx) => {
      const claimed = await sql<InboxRow>`
        SELECT id, tenant_id, supplier, body, received_at FROM ksu_inbox
        WHERE status = 'PENDING' ORDER BY id LIMIT ${this.batch} FOR UPDATE SKIP LOCKED`.execute(trx);
      const rows = claimed.rows;
      if (!rows.length) return { handled: 0, created: false, kcis: 0 };
      const outcomes: Outcome[] = [];
      const parsed: { row: InboxRow; ksu: ParsedKsu }[] = [];
      for (const row of rows) {
        try {
          parsed.push({ row, ksu: parseKsu(typeof row.body === 'string' ? JSON.parse(row.body) : row.body) });
        } catch (e) {
          outcomes.push({ id: Number(row.id), status: 'FAILED', error: (e as Error).message, order_id: null });
        }
      }
      const idsOf = (list: typeof parsed) => ({
        externalIds: [...new Set(list.map((p) => p.ksu.externalId).filter((x): x is string => Boolean(x)))],
        bb1Ids: [...new Set(list.map((p) => p.ksu.bb1OrderId).filter((x): x is string => Boolean(x)))],
      });
      // An order's KSUs are applied in the order they were received. A KSU with an earlier one for the same
      // order still PENDING outside this batch (held by another loop or instance: SKIP LOCKED passed over
      // it) waits: it stays PENDING, and is claimed again once that one is applied.
      const claimedIds = idsOf(parsed);
      const deferred = await this.deferredBehindOthers(trx, parsed, claimedIds.externalIds, claimedIds.bb1Ids);
      if (deferred.size) parsed.splice(0, parsed.length, ...parsed.filter((p) => !deferred.has(Number(p.row.id))));
      // Only the orders of the KSUs applied now are locked (a deferred one's order is someone else's to apply).
      const { externalIds, bb1Ids } = deferred.size ? idsOf(parsed) : claimedIds;
      const locked =
        externalIds.length || bb1Ids.length
          ? await sql<Parameters<typeof toOrder>[0]>`
        SELECT tenant_id, id, external_id, supplier, order_type, status, supplier_order_id, conversation_id, entity,
          '{}'::jsonb AS request, supplier_state, NULL::jsonb AS outbound, send_state, created_at, updated_at
        FROM orders WHERE external_id = ANY(${externalIds}::text[]) OR supplier_order_id = ANY(${bb1Ids}::text[])
        ORDER BY tenant_id, id FOR UPDATE`.execute(trx)
          : { rows: [] };
      const byExternal = new Map<string, StoredOrder>();
      const byBb1 = new Map<string, StoredOrder>();
      for (const r of locked.rows) {
        const o = toOrder(r);
        byExternal.set(o.externalId, o);
        if (o.supplierOrderId) byBb1.set(`${o.supplier}\u0000${o.supplierOrderId}`, o);
      }
      const touched = new Set<StoredOrder>();
      const history: { tenant_id: string; order_id: number; at: string; event: string; detail: string }[] = [];
      const kcis: NewKci[] = [];
      let created = false;
      for (const { row, ksu } of parsed) {
        const order =
          (ksu.externalId && byExternal.get(ksu.externalId)) ||
          (ksu.bb1OrderId && byBb1.get(`${row.supplier}\u0000${ksu.bb1OrderId}`)) ||
          undefined;
        if (!order) {
          outcomes.push({ id: Number(row.id), status: 'UNMATCHED', error: null, order_id: null });
          continue;
        }
        if (row.tenant_id && order.tenantId !== row.tenant_id) {
          outcomes.push({
            id: Number(row.id),
            status: 'REFUSED',
            error: 'order belongs to another tenant',
            order_id: null,
          });
          continue;
        }
        const receivedOn = new Date(row.received_at).toISOString();
        const t = translateKsu(
          ctx.bb1.mappings,
          ksu,
          {
            status: order.status,
            orderType: order.orderType,
            entity: order.entity,
            state: order.supplierState as Bb1OrderState,
          },
          receivedOn,
        );
        for (const code of t.unmappedCodes) ctx.metrics.unmappedCodes.inc({ supplier: row.supplier, code });
        touched.add(order);
        order.entity = { ...t.entity, updated: t.entityChanged ? new Date().toISOString() : order.entity.updated };
        order.status = t.status;
        order.supplierState = t.state as Record<string, unknown>;
        if (t.state.bb1OrderId && !order.supplierOrderId) {
          order.supplierOrderId = t.state.bb1OrderId;
          byBb1.set(`${order.supplier}\u0000${order.supplierOrderId}`, order);
        }
        if (order.sendState === 'UNCERTAIN' && ksu.externalId === order.externalId) order.sendState = 'SENT';
        history.push({
          tenant_id: order.tenantId,
          order_id: order.id,
          at: receivedOn,
          event: `KSU ${ksu.eventType}`,
          detail: JSON.stringify({
            inboxId: Number(row.id),
            codes: ksu.codes.map((c) => c.code),
            kci: t.kci?.type ?? null,
            stale: t.stale,
          }),
        });
        if (t.kci) {
          const r = reason(t.kci.type, t.kci);
          kcis.push({
            tenantId: order.tenantId,
            orderId: order.id,
            orderType: order.orderType,
            conversationId: order.conversationId,
            supplier: order.supplier,
            content:
              t.kci.updateType === 'ACTION_REQUIRED'
                ? { updateType: 'ACTION_REQUIRED', actionRequired: r }
                : { updateType: 'INFORMATIONAL', information: r },
            entity: order.entity,
            issuedOn: ksu.eventTime ?? receivedOn,
            receivedOn,
            supplierNotes: t.kci.supplierNotes,
          });
          ctx.metrics.kcisCreated.inc({ tenant: order.tenantId, type: t.kci.type });
        }
        ctx.metrics.ksusApplied.inc({ supplier: row.supplier, result: t.kci ? 'kci' : 'no-kci' });
        if (ksu.eventType === 'ProductOrderCreateEvent') created = true;
        outcomes.push({ id: Number(row.id), status: 'APPLIED', error: null, order_id: order.id });
      }
      if (touched.size) {
        const now = new Date().toISOString();
        await sql`
          UPDATE orders o SET status = v.status, entity = v.entity, supplier_state = v.supplier_state,
            supplier_order_id = v.supplier_order_id, send_state = v.send_state, updated_at = ${now}::timestamptz
          FROM jsonb_to_recordset(${JSON.stringify([...touched].map((o) => ({ tenant_id: o.tenantId, id: o.id, status: o.status, entity: o.entity, supplier_state: o.supplierState, supplier_order_id: o.supplierOrderId, send_state: o.sendState })))}::jsonb)
            AS v(tenant_id text, id integer, status text, entity jsonb, supplier_state jsonb, supplier_order_id text, send_state text)
          WHERE o.tenant_id = v.tenant_id AND o.id = v.id`.execute(trx);
        await trx.insertInto('order_history').values(history).execute();
      }
      await enqueueKcis(trx, kcis);
      await sql`
        UPDATE ksu_inbox k SET status = v.status, error = v.error, order_id = v.order_id,
          applied_at = CASE WHEN v.status = 'APPLIED' THEN now() ELSE NULL END
        FROM jsonb_to_recordset(${JSON.stringify(outcomes)}::jsonb) AS v(id bigint, status text, error text, order_id integer)
        WHERE k.id = v.id`.execute(trx);
      return { handled: rows.length - deferred.size, created, kcis: kcis.length };
    });
  }

  /** Ids of claimed KSUs that an earlier PENDING KSU of the same order, not in this batch, must precede. */
  private async deferredBehindOthers(
    trx: Db,
    parsed: { row: InboxRow; ksu: ParsedKsu }[],
    externalIds: string[],
    bb1Ids: string[],
  ): Promise<Set<number>> {
    const deferred = new Set<number>();
    if (this.ctx.dbEngine === 'pglite' || (!externalIds.length && !bb1Ids.length)) return deferred; // one connection: nothing runs beside us
    const ids = parsed.map((p) => Number(p.row.id));
    const earlier = await sql<{ external_id: string | null; supplier_order_id: string | null; first: number }>`
      SELECT external_id, supplier_order_id, min(id) AS first FROM ksu_inbox
      WHERE status = 'PENDING' AND id < ${Math.max(...ids)} AND NOT (id = ANY(${ids}::bigint[]))
        AND (external_id = ANY(${externalIds}::text[]) OR supplier_order_id = ANY(${bb1Ids}::text[]))
      GROUP BY external_id, supplier_order_id`.execute(trx);
    if (!earlier.rows.length) return deferred;
    const firstByExternal = new Map<string, number>();
    const firstByBb1 = new Map<string, number>();
    for (const r of earlier.rows) {
      if (r.external_id)
        firstByExternal.set(r.external_id, Math.min(Number(r.first), firstByExternal.get(r.external_id) ?? Infinity));
      if (r.supplier_order_id)
        firstByBb1.set(r.supplier_order_id, Math.min(Number(r.first), firstByBb1.get(r.supplier_order_id) ?? Infinity));
    }
    for (const { row, ksu: k } of parsed) {
      const first = Math.min(
        k.externalId ? (firstByExternal.get(k.externalId) ?? Infinity) : Infinity,
        k.bb1OrderId ? (firstByBb1.get(k.bb1OrderId) ?? Infinity) : Infinity,
      );
      if (first < Number(row.id)) deferred.add(Number(row.id));
    }
    return deferred;
  }
}
