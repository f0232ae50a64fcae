// The console: a page per hash route (#/orders, #/order/T/1, #/queues, #/tenants), each drawn from /ops/* calls.
import { signOut } from './api.js';
import { findOrdersPage } from './find-orders.js';
import { timelinePage } from './timeline.js';
import { queuesPage } from './queues.js';
import { tenantsPage } from './tenants.js';
import { problem } from './dom.js';

const main = document.getElementById('main');
let generation = 0;

async function route() {
  const mine = ++generation;
  const isCurrent = () => mine === generation;
  delete document.body.dataset.ready; // set again, to the whole route, once this page is drawn
  const [path, search = ''] = (location.hash.slice(1) || '/orders').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const page = parts[0] === 'order' ? 'orders' : parts[0];
  for (const a of document.querySelectorAll('nav a[data-page]'))
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  try {
    if (parts[0] === 'order' && parts.length === 3) await timelinePage(main, parts[1], parts[2], isCurrent);
    else if (parts[0] === 'queues') await queuesPage(main, isCurrent);
    else if (parts[0] === 'tenants') await tenantsPage(main, isCurrent);
    else await findOrdersPage(main, new URLSearchParams(search));
  } catch (e) {
    if (isCurrent()) main.replaceChildren(problem(e));
  }
  if (isCurrent()) document.body.dataset.ready = location.hash.slice(1) || '/orders';
}

document.getElementById('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', route);
route();
