import { get, post } from './api.js';
import { h, jsonBlock, orderLink, problem, table, time } from './dom.js';
import { redeliverButton, reprocessButton } from './timeline.js';
import { toast } from './toast.js';

/** What waits for an operator: DEAD KCIs by tenant, UNMATCHED / FAILED KSUs, unmapped supplier codes. */
export async function queuesPage(main, isCurrent) {
  const refresh = () => isCurrent() && queuesPage(main, isCurrent);
  let q, unmatched, failed, codes;
  try {
    [q, unmatched, failed, codes] = await Promise.all([
      get('/ops/queues'),
      get('/ops/ksus', { status: 'UNMATCHED', limit: 50 }),
      get('/ops/ksus', { status: 'FAILED', limit: 50 }),
      get('/ops/unmapped-codes', { limit: 200 }),
    ]);
  } catch (e) {
    main.replaceChildren(h('h1', {}, 'Queues'), problem(e));
    return;
  }
  const deadGroups = await Promise.all(
    q.deadKcis.map(async (t) => ({
      ...t,
      kcis: await get('/ops/kcis', { status: 'DEAD', tenant: t.tenantId, limit: 100 }),
    })),
  );
  if (!isCurrent()) return;
  const ksuTable = (list) =>
    table(
      [
        ['Id', (k) => String(k.id)],
        ['Received', (k) => time(k.receivedAt)],
        ['Event', (k) => k.eventType ?? '—'],
        ['Tenant', (k) => k.tenantId ?? '—'],
        ['Error', (k) => k.error ?? '—'],
        ['Raw', (k) => jsonBlock('show', k.raw)],
        ['', (k) => reprocessButton(k.id, refresh)],
      ],
      list,
      'None.',
    );
  main.replaceChildren(
    h('h1', {}, 'Queues'),
    h('h2', {}, `DEAD KCIs (${q.deadKcis.reduce((n, t) => n + t.count, 0)})`),
    h(
      'div',
      {},
      deadGroups.length
        ? deadGroups.map((g) => deadGroup(g, refresh))
        : h('p', { class: 'muted' }, 'No DEAD KCI: every tenant is up to date or still being retried.'),
    ),
    h('h2', {}, `UNMATCHED KSUs (${q.ksus.UNMATCHED})`),
    h('p', { class: 'muted' }, 'KSUs naming an order we do not know (newest 50). Reprocess once the order exists.'),
    ksuTable(unmatched),
    h('h2', {}, `FAILED KSUs (${q.ksus.FAILED})`),
    h('p', { class: 'muted' }, 'KSUs that could not be parsed or stored as JSON (newest 50). Reprocess after a fix.'),
    ksuTable(failed),
    h('h2', {}, `Unmapped supplier codes (${q.unmappedCodes})`),
    h('p', { class: 'muted' }, 'Codes that no row of the mapping tables matched: add a row, then reload the tables.'),
    table(
      [
        ['Supplier', (c) => c.supplier],
        ['Code', (c) => h('span', { class: 'mono' }, c.code)],
        ['Seen', (c) => `${c.count} time(s)`],
        ['First seen', (c) => time(c.firstSeen)],
        ['Last seen', (c) => time(c.lastSeen)],
      ],
      codes,
      'None.',
    ),
  );
}

function deadGroup(g, refresh) {
  const all = h(
    'button',
    {
      type: 'button',
      'data-action': 'redeliver-tenant',
      'data-tenant': g.tenantId,
      onclick: async () => {
        all.disabled = true;
        try {
          const r = await post(`/ops/tenants/${encodeURIComponent(g.tenantId)}/kcis/redeliver`);
          toast(`${r.redelivered} DEAD KCI(s) of ${r.tenantId} queued again, oldest first`);
          setTimeout(refresh, 1000);
        } catch (e) {
          toast(e.message);
          all.disabled = false;
        }
      },
    },
    `Redeliver all ${g.count}, in order`,
  );
  return h(
    'section',
    { class: 'group', 'aria-label': `DEAD KCIs of ${g.tenantId}` },
    h(
      'div',
      { class: 'row' },
      h('strong', {}, g.tenantId),
      h('span', {}, `${g.count} DEAD, oldest written `, time(g.oldestCreatedAt)),
      all,
    ),
    table(
      [
        ['KCI', (k) => h('span', { class: 'mono' }, k.id)],
        ['Order', (k) => orderLink(k.tenantId, k.orderId)],
        ['#', (k) => String(k.sequenceNumber)],
        ['Attempts', (k) => String(k.attempts)],
        ['Last error', (k) => k.lastError ?? '—'],
        ['Written', (k) => time(k.createdAt)],
        ['', (k) => redeliverButton(k.id, () => setTimeout(refresh, 1000))],
      ],
      g.kcis,
    ),
    g.count > g.kcis.length ? h('p', { class: 'muted' }, `Showing the newest ${g.kcis.length} of ${g.count}.`) : null,
  );
}
