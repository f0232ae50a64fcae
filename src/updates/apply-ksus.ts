import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { parseKsu } from '../bb1/inbound/parse-ksu.js';
import { translateKsu, type Bb1OrderState } from '../bb1/inbound/translate-ksu.js';
import { enqueueKci } from '../kci/outbox.js';
import { reason } from '../kci/envelope.js';
import { findOrderForSupplier, updateOrder } from '../store/orders.js';
import { requeueUnmatched } from './ksu-inbox.js';

type InboxRow = { id: number; tenant_id: string | null; supplier: string; body: unknown; received_at: Date | string; event_time: Date | string | null };

/**
 * Applies stored KSUs to their orders: one transaction per KSU writes the order's new state and its KCI
 * (transactional outbox). Claims with FOR UPDATE SKIP LOCKED so several instances share the inbox.
 */
export class KsuProcessor {
  private busy = false;
  private again = false;
  constructor(private readonly ctx: AppContext) {}

  kick(): void {
    if (this.busy) { this.again = true; return; }
    this.busy = true;
    void this.run().catch((e) => this.ctx.log.error({ err: e }, 'KSU processing failed')).finally(() => {
      this.busy = false;
      if (this.again) { this.again = false; this.kick(); }
    });
  }

  async run(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.pass(50);
      total += n;
      if (n === 0) return total;
    }
  }

  async pass(limit: number): Promise<number> {
    const { db } = this.ctx;
    let applied = 0;
    let created = false;
    const rows = await db.transaction().execute(async (trx) => {
      const claimed = await sql<InboxRow>`
        SELECT id, tenant_id, supplier, body, received_at, event_time FROM ksu_inbox
        WHERE status = 'PENDING' ORDER BY event_time NULLS LAST, id LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(trx);
      for (const row of claimed.rows) {
        const r = await this.applyOne(trx, row);
        if (r === 'applied') applied += 1;
        if (r === 'created') { applied += 1; created = true; }
      }
      return claimed.rows.length;
    });
    if (created) await requeueUnmatched(db);
    if (applied) this.ctx.kick.kcis();
    return rows;
  }

  private async applyOne(trx: AppContext['db'], row: InboxRow): Promise<'applied' | 'created' | 'unmatched' | 'failed'> {
    const { ctx } = this;
    const body = typeof row.body === 'string' ? JSON.parse(row.body) : row.body;
    const mark = (status: string, extra: { error?: string; order_id?: number } = {}) =>
      trx.updateTable('ksu_inbox').set({ status, error: extra.error ?? null, order_id: extra.order_id ?? null, applied_at: status === 'APPLIED' ? new Date().toISOString() : null }).where('id', '=', row.id).execute();
    let ksu;
    try {
      ksu = parseKsu(body);
    } catch (e) {
      await mark('FAILED', { error: (e as Error).message });
      return 'failed';
    }
    const order = await findOrderForSupplier(trx, row.supplier, ksu.externalId ?? null, ksu.bb1OrderId ?? null, true);
    if (!order) { await mark('UNMATCHED'); return 'unmatched'; }
    if (row.tenant_id && order.tenantId !== row.tenant_id) { await mark('REFUSED', { error: 'order belongs to another tenant' }); return 'failed'; }
    const receivedOn = new Date(row.received_at).toISOString();
    const t = translateKsu(ctx.bb1.mappings, ksu, { status: order.status, orderType: order.orderType, entity: order.entity, state: order.supplierState as Bb1OrderState }, receivedOn);
    for (const code of t.unmappedCodes) ctx.metrics.unmappedCodes.inc({ supplier: row.supplier, code });
    const now = new Date().toISOString();
    const entity = { ...t.entity, updated: JSON.stringify(t.entity) === JSON.stringify(order.entity) ? order.entity.updated : now };
    const bb1Id = t.state.bb1OrderId;
    const settled = order.sendState === 'UNCERTAIN' && ksu.externalId === order.externalId ? { sendState: 'SENT' } : {};
    await updateOrder(trx, order, { status: t.status, entity, supplierState: t.state as Record<string, unknown>, ...(bb1Id && !order.supplierOrderId ? { supplierOrderId: bb1Id } : {}), ...settled },
      { event: `KSU ${ksu.eventType}`, detail: { inboxId: row.id, codes: ksu.codes.map((c) => c.code), kci: t.kci?.type ?? null, stale: t.stale } });
    if (t.kci) {
      const r = reason(t.kci.type, t.kci);
      const content = t.kci.updateType === 'ACTION_REQUIRED' ? { updateType: 'ACTION_REQUIRED' as const, actionRequired: r } : { updateType: 'INFORMATIONAL' as const, information: r };
      await enqueueKci(trx, {
        tenantId: order.tenantId, orderId: order.id, orderType: order.orderType, conversationId: order.conversationId, supplier: order.supplier,
        content, entity, issuedOn: ksu.eventTime ?? receivedOn, receivedOn, supplierNotes: t.kci.supplierNotes,
      });
      ctx.metrics.kcisCreated.inc({ tenant: order.tenantId, type: t.kci.type });
    }
    ctx.metrics.ksusApplied.inc({ supplier: row.supplier, result: t.kci ? 'kci' : 'no-kci' });
    await mark('APPLIED', { order_id: order.id });
    return ksu.eventType === 'ProductOrderCreateEvent' ? 'created' : 'applied';
  }
}
