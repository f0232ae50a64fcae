/// <reference lib="dom" />
// (functions passed to page.evaluate / waitForFunction run in the browser)
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startKciSink } from '../helpers/sink.js';
import { startStack, provideBody, OPERATOR_TOKEN, type Stack } from '../helpers/stack.js';
import { waitUntil } from '../helpers/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-results');
const LONG = 60_000; // a browser, the sandbox's KSUs and a webhook's retries

/**
 * The operator console in a real browser (Debian's chromium, headless, driven by playwright-core), against the
 * real service with the BB1 sandbox and a tenant webhook that can be told to fail.
 */
describe('operator console in a browser', () => {
  let stack: Stack;
  let sink: Awaited<ReturnType<typeof startKciSink>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let failing = false;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
    sink = await startKciSink();
    sink.setResponder(() =>
      failing ? { status: 422, body: 'order 1 unknown; ask ops@isp.example' } : { status: 204 },
    );
    stack = await startStack({ engine: 'pglite', kciUrl: sink.url, bb1: 'sandbox', sandboxPaceMs: 10 });
    profile = mkdtempSync(join(tmpdir(), 'bb1-chromium-'));
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
        `--disk-cache-dir=${join(profile, 'cache')}`,
      ],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await sink?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const url = (path: string) => `${stack.baseUrl}${path}`;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `console-${name}.png`), fullPage: false });
  const ready = (prefix: string) =>
    page.waitForFunction((p) => document.body.dataset.ready?.startsWith(p), prefix, { timeout: 15_000 });
  const statusOf = async (tenant: string, id: number) =>
    (
      await stack.db.db
        .selectFrom('kci_outbox')
        .select(['id', 'status', 'sequence_number'])
        .where('tenant_id', '=', tenant)
        .where('order_id', '=', id)
        .orderBy('sequence_number')
        .execute()
    ).map((k) => k.status);

  async function signIn() {
    await page.goto(url('/console/sign-in'));
    if (new URL(page.url()).pathname === '/console') return; // already signed in
    await page.fill('#token', OPERATOR_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(url('/console'));
  }

  async function placeOrder(ksus = 4) {
    const r = await stack.call('post', '/v1/service-orders', provideBody(), {
      headers: { 'X-Conversation-ID': `browser-${Date.now()}` },
    });
    expect(r.status).toBe(201);
    const row = () =>
      stack.db.db
        .selectFrom('orders')
        .selectAll()
        .where('tenant_id', '=', 'TENANT1')
        .where('id', '=', r.body.id)
        .executeTakeFirstOrThrow();
    await waitUntil(async () => {
      const applied = await stack.db.db
        .selectFrom('ksu_inbox')
        .select('id')
        .where('external_id', '=', (await row()).external_id)
        .where('status', '=', 'APPLIED')
        .execute();
      return applied.length >= ksus;
    }, 'the KSUs applied');
    return row();
  }

  it(
    'refuses the console and its API before signing in, and a wrong token',
    async () => {
      await page.goto(url('/console'));
      expect(new URL(page.url()).pathname).toBe('/console/sign-in');
      expect(await page.evaluate(async () => (await fetch('/ops/orders')).status)).toBe(401);
      await page.fill('#token', 'not-the-operator-token');
      await page.click('button[type=submit]');
      await page.waitForSelector('text=That is not the operator token.');
      expect(new URL(page.url()).pathname).toBe('/console/session');
      await shot('sign-in');
    },
    LONG,
  );

  it(
    'signs in, finds an order by externalId and shows its timeline with each KSU and KCI',
    async () => {
      const order = await placeOrder();
      await sink.waitFor(() => sink.forOrder(order.id).length === 5);
      await waitUntil(async () => (await statusOf('TENANT1', order.id)).every((s) => s === 'DELIVERED'), 'recorded');
      await signIn();
      const cookie = (await context.cookies()).find((c) => c.name === 'bb1_console')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
      await ready('/orders');
      await page.fill('input[name=externalId]', order.external_id);
      await page.click('form.find button[type=submit]');
      const link = page.locator(`a[href="#/order/TENANT1/${order.id}"]`);
      await link.waitFor();
      expect(await page.locator('table tbody tr').count()).toBe(1);
      await shot('find');
      await link.click();
      await ready(`/order/TENANT1/${order.id}`);
      const ksuIds = (
        await stack.db.db
          .selectFrom('ksu_inbox')
          .select('id')
          .where('external_id', '=', order.external_id)
          .orderBy('id')
          .execute()
      ).map((k) => `#${k.id}`);
      const ksuTitles = await page.locator('li[data-kind=KSU] .title').allTextContents();
      expect(ksuTitles.map((t) => t.match(/#\d+$/)?.[0])).toEqual(ksuIds);
      expect(await page.locator('li[data-kind=KSU]').nth(1).textContent()).toMatch(
        /Table rows that fired:.*ksu-codes 510/s,
      );
      const kciText = await page.locator('li[data-kind=KCI]').allTextContents();
      expect(kciText).toHaveLength(5);
      for (const k of sink.forOrder(order.id)) expect(kciText.join('\n')).toContain(k.body.id as string);
      expect(kciText.every((t) => t.includes('✓ DELIVERED'))).toBe(true);
      await shot('timeline');
    },
    LONG,
  );

  it(
    'redelivers a DEAD KCI from the queues page and then shows it delivered',
    async () => {
      failing = true;
      const order = await placeOrder();
      await waitUntil(async () => (await statusOf('TENANT1', order.id))[0] === 'DEAD', 'the first KCI DEAD');
      failing = false;
      await signIn();
      const dead = await stack.db.db
        .selectFrom('kci_outbox')
        .select('id')
        .where('tenant_id', '=', 'TENANT1')
        .where('order_id', '=', order.id)
        .where('status', '=', 'DEAD')
        .executeTakeFirstOrThrow();
      await page.goto(url('/console#/queues'));
      await ready('/queues');
      await shot('queues');
      const group = page.locator('section[aria-label="DEAD KCIs of TENANT1"]');
      expect(await group.textContent()).toContain(dead.id);
      await group.locator('tr', { hasText: dead.id }).locator('button[data-action=redeliver]').click();
      await sink.waitFor(() => sink.received.some((k) => k.body.id === dead.id));
      await page.goto(url(`/console#/order/TENANT1/${order.id}`));
      await page.waitForFunction(
        (id) =>
          Array.from(document.querySelectorAll('li[data-kind=KCI]')).some(
            (li) => li.textContent!.includes(id) && li.textContent!.includes('✓ DELIVERED'),
          ),
        dead.id,
        { timeout: 15_000 },
      );
      // Its successors, held behind it, follow in order: the page refreshes itself until none is pending.
      await page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll('li[data-kind=KCI] .badge')).every(
            (b) => b.textContent === '✓ DELIVERED',
          ) && document.querySelectorAll('li[data-kind=KCI]').length === 5,
        undefined,
        { timeout: 15_000 },
      );
      // Every attempt of the redelivered KCI, with the tenant's refusal as it answered (contact details redacted).
      const deadItem = page.locator('li[data-kind=KCI]', { hasText: dead.id });
      const attemptsText = await deadItem.textContent();
      expect(attemptsText).toContain('order 1 unknown; ask [email]');
      expect(attemptsText).not.toContain('ops@isp.example');
      expect(attemptsText).toMatch(/422/);
      await page.goto(url('/console#/tenants'));
      await ready('/tenants');
      const row = page.locator('tr', { hasText: 'TENANT1' });
      const rowText = (await row.textContent())!;
      expect(rowText).toMatch(/\d+\.\d %/); // success rate
      expect(rowText).toMatch(/\d+ ms \/ \d+ ms/); // latency p50 / p99
      expect(rowText).toContain('tenant answered 422'); // last error
      await shot('tenants');
    },
    LONG,
  );

  it(
    "renders every API's docs, the tenant API first",
    async () => {
      await page.goto(url('/docs'));
      await page
        .getByText('/v1/service-orders', { exact: true })
        .first()
        .waitFor({ state: 'visible', timeout: 20_000 });
      expect(await page.locator('text=No API definition provided').count()).toBe(0);
      await shot('docs');
      const options = await page.locator('.topbar select option').allTextContents();
      expect(options).toEqual(
        expect.arrayContaining(['Tenant API', 'Operations API', 'Supplier API (KSUs from suppliers)']),
      );
      await page.selectOption('.topbar select', { label: 'Operations API' });
      await page.getByText('/ops/orders/{tenant}/{id}/timeline', { exact: true }).first().waitFor({ state: 'visible' });
    },
    LONG,
  );

  it(
    'signs out: the console and its API refuse the old session',
    async () => {
      await signIn();
      await ready('/orders');
      const before = (await context.cookies()).find((c) => c.name === 'bb1_console')!;
      await page.click('#sign-out');
      await page.waitForURL(url('/console/sign-in'));
      expect((await context.cookies()).some((c) => c.name === 'bb1_console')).toBe(false);
      await page.goto(url('/console'));
      expect(new URL(page.url()).pathname).toBe('/console/sign-in');
      expect(await page.evaluate(async () => (await fetch('/ops/queues')).status)).toBe(401);
      const replayed = await stack.http.get('/ops/queues').set('Cookie', `bb1_console=${before.value}`);
      expect(replayed.status).toBe(401);
    },
    LONG,
  );
});
