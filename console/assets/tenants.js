import { getIfAvailable, post } from './api.js';
import { h, problem, table, time } from './dom.js';
import { toast } from './toast.js';

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)} %`);
const ms = (x) => (x === null || x === undefined ? '—' : `${Math.round(x)} ms`);

/** Each tenant's webhook health (GET /ops/tenants). */
export async function tenantsPage(main, isCurrent) {
  let tenants;
  try {
    tenants = await getIfAvailable('/ops/tenants');
  } catch (e) {
    main.replaceChildren(h('h1', {}, 'Tenants'), problem(e));
    return;
  }
  if (!isCurrent()) return;
  if (tenants === undefined) {
    main.replaceChildren(
      h('h1', {}, 'Tenants'),
      h(
        'p',
        { class: 'muted' },
        'Webhook health needs GET /ops/tenants, which this version of the service does not have.',
      ),
    );
    return;
  }
  const refresh = () => isCurrent() && tenantsPage(main, isCurrent);
  main.replaceChildren(
    h('h1', {}, 'Tenants'),
    h(
      'p',
      { class: 'muted' },
      "Each tenant's KCI webhook: delivery attempts, success rate, latency, last error, backlog.",
    ),
    table(
      [
        ['Tenant', (t) => h('strong', {}, t.tenantId)],
        ['Webhook', (t) => h('span', { class: 'mono' }, t.kciUrl)],
        ['Attempts', (t) => String(t.attempts)],
        ['Success', (t) => pct(t.successRate)],
        ['Latency p50 / p99', (t) => `${ms(t.latencyMs?.p50)} / ${ms(t.latencyMs?.p99)}`],
        [
          'Last error',
          (t) =>
            t.lastError
              ? h('span', {}, time(t.lastError.at), ` ${t.lastError.status ?? ''} ${t.lastError.error ?? ''}`)
              : 'none',
        ],
        ['Pending', (t) => String(t.backlog?.pending ?? 0)],
        ['DEAD', (t) => String(t.backlog?.dead ?? 0)],
        [
          '',
          (t) =>
            t.backlog?.dead
              ? h(
                  'button',
                  {
                    type: 'button',
                    onclick: async () => {
                      const r = await post(`/ops/tenants/${encodeURIComponent(t.tenantId)}/kcis/redeliver`).catch((e) =>
                        toast(e.message),
                      );
                      if (r) toast(`${r.redelivered} DEAD KCI(s) of ${r.tenantId} queued again, oldest first`);
                      setTimeout(refresh, 1000);
                    },
                  },
                  `Redeliver ${t.backlog.dead} DEAD`,
                )
              : null,
        ],
      ],
      tenants,
      'No tenant configured.',
    ),
  );
}
