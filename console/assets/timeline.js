import { get, getIfAvailable, post } from './api.js';
import { badge, h, jsonBlock, problem, table, time } from './dom.js';
import { toast } from './toast.js';

/** An order's story, oldest first. Refreshes itself every 2 s while a KSU or KCI of the order is still pending. */
export async function timelinePage(main, tenant, id, isCurrent) {
  let data;
  try {
    data = await get(`/ops/orders/${encodeURIComponent(tenant)}/${encodeURIComponent(id)}/timeline`);
  } catch (e) {
    main.replaceChildren(h('h1', {}, `Order ${tenant} / ${id}`), problem(e));
    return;
  }
  const attempts = await loadAttempts(data.events);
  if (!isCurrent()) return;
  const o = data.order;
  const refresh = () => isCurrent() && timelinePage(main, tenant, id, isCurrent);
  main.replaceChildren(
    h('h1', {}, `Order ${o.tenantId} / ${o.id} `, badge(o.status)),
    summary(o),
    h('h2', {}, `Timeline (${data.events.length} events, oldest first)`),
    h(
      'ol',
      { class: 'timeline' },
      data.events.map((e) => eventItem(e, attempts, refresh)),
    ),
  );
  const pending = data.events.some((e) => e.status === 'PENDING' && (e.kind === 'KCI' || e.kind === 'KSU'));
  if (pending) setTimeout(refresh, 2000);
}

function summary(o) {
  const item = (label, value) => [h('dt', {}, label), h('dd', {}, value ?? '—')];
  return h(
    'dl',
    { class: 'summary' },
    item('externalId', h('span', { class: 'mono' }, o.externalId)),
    item('BB1 order id', o.supplierOrderId),
    item('SERVICE_ID', o.serviceId),
    item('Type', o.orderType),
    item('Status', badge(o.status)),
    item('Send state', badge(o.sendState)),
    item('Created', time(o.createdAt)),
    item('Last change', time(o.updatedAt)),
    item('Supplier', o.supplier),
    item('Conversation', h('span', { class: 'mono' }, o.conversationId)),
  );
}

/** Every delivery attempt of every KCI (GET /ops/kcis/{id}/attempts); undefined where the service has no such endpoint. */
async function loadAttempts(events) {
  const kcis = events.filter((e) => e.kind === 'KCI');
  const lists = await Promise.all(
    kcis.map((e) => getIfAvailable(`/ops/kcis/${e.kci.id}/attempts`).catch((err) => ({ error: err }))),
  );
  return new Map(kcis.map((e, i) => [e.kci.id, lists[i]]));
}

function eventItem(e, attempts, refresh) {
  return h(
    'li',
    { class: e.kind, 'data-kind': e.kind },
    h(
      'div',
      { class: 'event-head' },
      h('span', { class: 'when' }, time(e.at)),
      h('span', { class: 'kind' }, e.kind),
      h('span', { class: 'title' }, e.title),
      badge(e.status),
    ),
    h('div', { class: 'event-body' }, body(e, attempts, refresh)),
  );
}

function body(e, attempts, refresh) {
  switch (e.kind) {
    case 'REQUEST':
      return jsonBlock("The tenant's request", e.request);
    case 'PAYLOAD':
      return e.payload === null ? h('span', { class: 'muted' }, 'no payload stored') : jsonBlock('Payload', e.payload);
    case 'HISTORY':
      return e.history.detail === null || e.history.detail === undefined
        ? null
        : h('pre', {}, JSON.stringify(e.history.detail, null, 2));
    case 'KSU':
      return ksuBody(e.ksu, refresh);
    case 'KCI':
      return kciBody(e.kci, attempts.get(e.kci.id), refresh);
    default:
      return [
        h('div', {}, 'Send state ', badge(e.orderRequest.sendState)),
        jsonBlock('Request', e.orderRequest.body),
        e.orderRequest.outbound ? jsonBlock('Payload sent', e.orderRequest.outbound) : null,
      ];
  }
}

function ksuBody(k, refresh) {
  const x = k.explained;
  return [
    k.error ? h('div', { class: 'error' }, `Error: ${k.error}`) : null,
    x
      ? h(
          'div',
          {},
          h('div', {}, `Codes: ${x.codes.join(', ') || 'none'} · status ${x.statusBefore} → ${x.statusAfter}`),
          (x.kcis ?? (x.kci ? [x.kci] : [])).length
            ? h('div', {}, `KCI: ${(x.kcis ?? [x.kci]).map((k) => `${k.updateType} ${k.type ?? ''}`).join(', ')}`)
            : h('div', {}, 'No KCI'),
          x.firedRows.length
            ? h(
                'div',
                {},
                'Table rows that fired:',
                h(
                  'ul',
                  {},
                  x.firedRows.map((r) => h('li', { class: 'mono' }, r)),
                ),
              )
            : h('div', { class: 'muted' }, 'No table row fired.'),
          x.unmappedCodes.length ? h('div', { class: 'error' }, `Unmapped codes: ${x.unmappedCodes.join(', ')}`) : null,
        )
      : h('div', { class: 'error' }, `Cannot be explained: ${k.explainError}`),
    h('div', { class: 'muted' }, `Event id ${k.eventId ?? '—'} · explained with the mapping tables in use now`),
    jsonBlock('Raw KSU as received', k.raw),
    k.status === 'UNMATCHED' || k.status === 'FAILED' ? reprocessButton(k.id, refresh) : null,
  ];
}

function kciBody(k, list, refresh) {
  const tries = list?.error
    ? problem(list.error)
    : list === undefined
      ? h(
          'div',
          { class: 'muted' },
          `${k.attempts} attempt(s); last answer: ${k.lastError ?? (k.lastStatus ? `HTTP ${k.lastStatus}` : '—')} (per-attempt history needs GET /ops/kcis/{id}/attempts)`,
        )
      : table(
          [
            ['#', (a) => a.attempt],
            ['At', (a) => time(a.at)],
            ['Status', (a) => (a.status === null || a.status === undefined ? '—' : String(a.status))],
            ['Latency', (a) => (a.latencyMs === null || a.latencyMs === undefined ? '—' : `${a.latencyMs} ms`)],
            ['Error', (a) => a.error ?? '—'],
            ["Tenant's answer (first 2 KB)", (a) => (a.responseExcerpt ? h('pre', {}, a.responseExcerpt) : '—')],
          ],
          list,
          'Not attempted yet.',
        );
  return [
    h(
      'div',
      { class: 'row' },
      h('span', { class: 'mono' }, k.id),
      h('span', {}, `attempts ${k.attempts}`),
      k.deliveredAt ? h('span', {}, 'delivered ', time(k.deliveredAt)) : null,
      k.status === 'PENDING' && !k.nextAttemptAt ? h('span', { class: 'muted' }, 'waiting for an earlier KCI') : null,
      k.lastError ? h('span', { class: 'error' }, `last error: ${k.lastError}`) : null,
      k.status === 'DEAD' ? redeliverButton(k.id, refresh) : null,
    ),
    tries,
    jsonBlock('KCI as sent', k.body),
  ];
}

export function redeliverButton(id, after) {
  const b = h(
    'button',
    {
      type: 'button',
      'data-action': 'redeliver',
      onclick: async () => {
        b.disabled = true;
        try {
          await post(`/ops/kcis/${id}/redeliver`);
          toast(`KCI ${id} queued again`);
          after();
        } catch (e) {
          toast(e.message);
          b.disabled = false;
        }
      },
    },
    'Redeliver',
  );
  return b;
}

export function reprocessButton(id, after) {
  const b = h(
    'button',
    {
      type: 'button',
      'data-action': 'reprocess',
      onclick: async () => {
        b.disabled = true;
        try {
          await post(`/ops/ksus/${id}/reprocess`);
          toast(`KSU ${id} queued again`);
          after();
        } catch (e) {
          toast(e.message);
          b.disabled = false;
        }
      },
    },
    'Reprocess',
  );
  return b;
}
