import { get, getIfAvailable } from './api.js';
import { badge, h, orderLink, problem, table, time } from './dom.js';

const STATUSES = [
  'RECEIVED_BY_GATEWAY',
  'SENT_TO_SUPPLIER',
  'FAILED_TO_SEND',
  'ACKNOWLEDGED',
  'IN_PROGRESS',
  'REJECTED',
  'PENDING',
  'HELD',
  'PENDING_AMENDMENT',
  'PENDING_CANCELLATION',
  'CANCELLED',
  'COMPLETED',
];
const FIELDS = [
  ['tenant', 'Tenant'],
  ['id', 'Order id (with tenant)'],
  ['externalId', 'externalId'],
  ['supplierOrderId', 'BB1 order id'],
  ['serviceId', 'SERVICE_ID'],
  ['status', 'Status'],
  ['stuckMinutes', 'Stuck for at least (minutes)'],
];

/** Find an order: every filter given must match; the filters live in the URL (#/orders?…), so a search can be shared. */
export async function findOrdersPage(main, params) {
  const query = Object.fromEntries(FIELDS.map(([k]) => [k, params.get(k) ?? '']));
  const tenants = await getIfAvailable('/ops/tenants').catch(() => undefined);
  const input = (name, label) => {
    if (name === 'status')
      return h(
        'label',
        {},
        label,
        h(
          'select',
          { name },
          h('option', { value: '' }, 'any'),
          STATUSES.map((s) => h('option', { value: s, selected: query.status === s }, s)),
        ),
      );
    const numeric = name === 'id' || name === 'stuckMinutes';
    return h(
      'label',
      {},
      label,
      h('input', {
        name,
        value: query[name],
        type: numeric ? 'number' : 'text',
        min: numeric ? 1 : undefined,
        list: name === 'tenant' ? 'tenant-ids' : undefined,
        autocomplete: 'off',
      }),
    );
  };
  const form = h(
    'form',
    {
      class: 'find',
      onsubmit: (e) => {
        e.preventDefault();
        const q = new URLSearchParams();
        for (const [k, v] of new FormData(form)) if (String(v).trim()) q.set(k, String(v).trim());
        location.hash = `#/orders?${q}`;
      },
    },
    FIELDS.map(([k, label]) => input(k, label)),
    h(
      'datalist',
      { id: 'tenant-ids' },
      (tenants ?? []).map((t) => h('option', { value: t.tenantId })),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Find'),
      h('a', { href: '#/orders?stuckMinutes=30', class: 'button-link' }, 'Stuck for 30 minutes or more'),
      h('a', { href: '#/orders' }, 'Clear'),
    ),
  );
  const results = h('section', { 'aria-label': 'Orders found' });
  main.replaceChildren(h('h1', {}, 'Find an order'), form, results);
  await showPage(results, query, undefined);
}

async function showPage(results, query, cursor) {
  let page;
  try {
    page = await get('/ops/orders', { ...query, cursor, limit: 50 });
  } catch (e) {
    results.replaceChildren(problem(e));
    return;
  }
  const stuck = Boolean(query.stuckMinutes);
  const list = table(
    [
      ['Order', (o) => orderLink(o.tenantId, o.id)],
      ['externalId', (o) => h('span', { class: 'mono' }, o.externalId)],
      ['BB1 order id', (o) => o.supplierOrderId ?? '—'],
      ['SERVICE_ID', (o) => o.serviceId ?? '—'],
      ['Type', (o) => o.orderType],
      ['Status', (o) => badge(o.status)],
      ['Send state', (o) => badge(o.sendState)],
      ['Last change', (o) => time(o.updatedAt)],
      ['Created', (o) => time(o.createdAt)],
    ],
    page.orders,
    'No order matches.',
  );
  const heading = h(
    'h2',
    {},
    stuck
      ? `Orders unsettled with the supplier and unchanged for ${query.stuckMinutes} minutes or more (longest first)`
      : 'Orders (newest first)',
  );
  const more = page.nextCursor
    ? h(
        'button',
        {
          type: 'button',
          class: 'quiet',
          onclick: () => showPage(results, query, page.nextCursor),
        },
        'Next page',
      )
    : null;
  results.replaceChildren(...[heading, list, more && h('p', {}, more)].filter(Boolean));
}
