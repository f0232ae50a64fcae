// Small DOM helpers. Text from the API is only ever set as text (never as HTML).

/** h('a', { href: '#/x', class: 'y', onclick }, 'text', child…) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Status → tone and a symbol, so a status reads without colour: ✓ done, ✗ failed, ◷ waiting, ▸ moving.
const TONES = {
  ok: ['DELIVERED', 'APPLIED', 'COMPLETED', 'SENT', 'ACCEPTED', 'ACTIVE'],
  bad: ['DEAD', 'FAILED', 'REJECTED', 'REFUSED', 'UNPARSEABLE', 'FAILED_TO_SEND'],
  wait: [
    'PENDING',
    'SENDING',
    'UNCERTAIN',
    'UNMATCHED',
    'RECEIVED_BY_GATEWAY',
    'SENT_TO_SUPPLIER',
    'HELD',
    'PENDING_AMENDMENT',
    'PENDING_CANCELLATION',
  ],
};
const SYMBOL = { ok: '✓', bad: '✗', wait: '◷', info: '▸' };
export function toneOf(status) {
  for (const [tone, list] of Object.entries(TONES)) if (list.includes(status)) return tone;
  return 'info';
}
export function badge(status) {
  if (status === undefined || status === null) return null;
  const tone = toneOf(status);
  return h('span', { class: `badge ${tone}`, 'data-status': status }, `${SYMBOL[tone]} ${status}`);
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
/** 2026-05-01 10:00:03.123 UTC */
export function utc(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
}
/** "3 min ago" */
export function ago(iso) {
  if (!iso) return '';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}
export const time = (iso) => h('time', { datetime: iso, title: ago(iso) }, utc(iso));

/** A collapsible JSON (or text) block. */
export function jsonBlock(label, value, open = false) {
  const text = typeof value === 'string' ? prettyIfJson(value) : JSON.stringify(value, null, 2);
  return h('details', { open }, h('summary', {}, label), h('pre', {}, text));
}
function prettyIfJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** table([['Header', row => cell], …], rows) */
export function table(columns, rows, empty = 'Nothing here.') {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map(([name]) => h('th', { scope: 'col' }, name)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          columns.map(([, cell]) => h('td', {}, cell(r))),
        ),
      ),
    ),
  );
}

export const orderLink = (tenantId, id) =>
  h('a', { href: `#/order/${encodeURIComponent(tenantId)}/${id}` }, `${tenantId} / ${id}`);

export function problem(err) {
  return h('div', { class: 'problem', role: 'alert' }, err.message ?? String(err));
}
