/**
 * The queue page in a real browser: Debian's Chromium (installed by .ci/run;
 * elsewhere CHROMIUM_PATH, /usr/bin/chromium or chromium on PATH, else the
 * file is skipped), driven by playwright-core, against the bot's HTTP server on 127.0.0.1.
 * The app runs on the real clock here, so the countdowns move as they do for
 * a support lead looking at the page.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/app/app.js';
import { parseConfig } from '../../../src/config/load.js';
import { onCallNowAndNext } from '../../../src/service/queue-view.js';
import { silentLogger } from '../../../src/service/logger.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { RecordingPort } from '../../helpers/app-harness.js';
import { needChromium } from '../../helpers/requirements.js';
import { CONFIG, EXPECTED_ORDER, HOSTILE_TITLE, seedQueue, serveQueue, TOKEN } from './queue-fixture.js';

const CHROMIUM = needChromium('queue page browser tests');
const OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const TIERS = ['enterprise', 'priority', 'standard'];

let browser: Browser;
let app: App;
let server: Awaited<ReturnType<typeof serveQueue>>;

beforeAll(async () => {
  let shift = 0; // the seeding moves the app's clock into the past for the old ticket, then back
  app = new App({ config: parseConfig(CONFIG, 'test config'), store: openMemoryStore(), logger: silentLogger, now: () => Date.now() + shift });
  app.attach(new RecordingPort('shell'));
  await seedQueue(app.desk, (to) => (shift = to - Date.now()), Date.now());
  shift = 0;
  await app.start();
  server = await serveQueue(app.desk);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await app?.stop();
});

const rowIds = (page: Page) => page.locator('#queue tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-ticket-id'))));

/** Fails the test on any script error or failed request the page logs. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}

describe.runIf(CHROMIUM)('queue page in Chromium', () => {
  it('without the token: no data, and the page asks to sign in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const path of ['/api/queue', '/api/queue/events', '/api/compliance']) {
      const res = await context.request.get(`${server.url}${path}`);
      expect(res.status()).toBe(401);
      const body = await res.text();
      for (const secret of ['Acme', 'Globex', 'Initech', 'Alice', 'missing totals']) expect(body).not.toContain(secret);
    }

    await page.goto(`${server.url}/queue`);
    await page.locator('#signin').waitFor({ state: 'visible' });
    expect(await page.locator('#signin h2').textContent()).toBe('Sign in');
    expect(await page.locator('#app').isHidden()).toBe(true);
    expect(await page.locator('#status').textContent()).toBe('signed out');
    expect(await page.content()).not.toContain('Globex');
    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}queue-page-signin.png` });

    await page.goto(`${server.url}/queue?token=wrong`);
    await page.locator('#signin-message', { hasText: 'That token is not valid' }).waitFor();
    expect(page.url()).toBe(`${server.url}/queue`); // the failed attempt leaves no trace in the address
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });

  it('with the token: the tickets by time left, live countdowns, on call, charts, and new tickets without a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/queue?token=${encodeURIComponent(TOKEN)}`);
    expect(page.url()).toBe(`${server.url}/queue`); // the token is not left in the address bar or history
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'slawatch_queue', httpOnly: true, sameSite: 'Strict' });

    await page.locator('#queue tbody tr').first().waitFor();
    expect(await rowIds(page)).toEqual(EXPECTED_ORDER);
    expect(await page.locator('#count').textContent()).toBe('(5)');

    // #4 is 30 minutes past its deadline: red, counting up.
    const overdue = page.locator('tr[data-ticket-id="4"]');
    expect(await overdue.getAttribute('class')).toContain('overdue');
    expect(await overdue.locator('.left').textContent()).toMatch(/^overdue (29|30):\d\d$/);
    // (Expressions as strings: the test is compiled without the DOM's types.)
    expect(await page.evaluate(`getComputedStyle(document.querySelector('tr[data-ticket-id="4"] .left')).color`)).toBe('rgb(185, 28, 28)');
    expect(await overdue.locator('.clock').textContent()).toBe('first response');
    // #5 (urgent, 15 min, opened 5 min ago) counts down from about 10 minutes.
    const urgent = page.locator('tr[data-ticket-id="5"]');
    expect(await urgent.locator('.left').textContent()).toMatch(/^(9|10):\d\d$/);
    expect(await urgent.locator('td.tier').textContent()).toBe('enterprise');
    expect(await urgent.locator('.sev').textContent()).toBe('urgent?'); // guessed from the text
    expect(await page.locator('tr[data-ticket-id="2"] td.assignee').textContent()).toBe('Alice');
    expect(await page.locator('tr[data-ticket-id="2"] td.customer').textContent()).toBe('Initech');
    expect(await page.locator('tr[data-ticket-id="6"] .left').textContent()).toBe('paused');
    expect(await page.locator('tr[data-ticket-id="6"] td.state').textContent()).toBe('waiting on customer');

    // Customer text is shown as text, never run.
    expect(await page.locator('tr[data-ticket-id="3"] .title').textContent()).toBe(HOSTILE_TITLE);
    expect(await page.locator('tr[data-ticket-id="3"] img, tr[data-ticket-id="3"] b').count()).toBe(0);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');

    // On call now and next, as /sla oncall says.
    const [primary] = onCallNowAndNext(app.config, Date.now());
    const onCall = await page.locator('#oncall li[data-schedule="primary"]').textContent();
    expect(onCall).toContain(`Primary${primary?.now.join(', ')}`);
    expect(onCall).toContain(`then ${primary?.next?.join(', ')}`);

    // The countdown ticks.
    const before = await urgent.locator('.left').textContent();
    await expect.poll(() => urgent.locator('.left').textContent(), { timeout: 2_500, interval: 100 }).not.toBe(before);

    // A ticket opened now shows up in its place, in the same document (no reload).
    await page.evaluate('window.__sameDocument = true');
    await app.desk.receiveMessage({ platform: 'shell', channelId: 'globex', messageId: 'live-1', author: { userId: 'fay' }, text: 'Dashboard shows no data', at: Date.now() });
    await page.locator('tr[data-ticket-id="7"]').waitFor({ timeout: 3_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(await rowIds(page)).toEqual([4, 5, 3, 7, 2, 6]);
    expect(await page.locator('tr[data-ticket-id="7"] .left').textContent()).toMatch(/^(1:59:\d\d|2:00:00)$/);

    // Charts: a series per tier in both.
    await page.locator('#compliance-chart svg').waitFor();
    for (const tier of TIERS) {
      expect(await page.locator(`#compliance-chart svg g.series[data-tier="${tier}"]`).count()).toBe(1);
      expect(await page.locator(`#histogram-chart svg g.series[data-tier="${tier}"]`).count()).toBe(1);
      expect(await page.locator(`#compliance-legend li[data-tier="${tier}"]`).count()).toBe(1);
    }
    // Points where clocks finished: enterprise three weeks ago, priority (0 %) and standard (100 %) this week.
    expect(await page.locator('#compliance-chart g.series[data-tier="enterprise"] circle').count()).toBe(1);
    expect(await page.locator('#compliance-chart g.series[data-tier="priority"] circle title').textContent()).toMatch(/: 0% \(0 met, 1 breached/);
    expect(await page.locator('#histogram-chart rect').count()).toBe(2); // two answered first responses
    expect(await page.locator('#histogram-legend li[data-tier="standard"]').textContent()).toContain('median 10m');
    expect(await page.locator('#status').textContent()).toMatch(/^live · updated/);

    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}queue-page.png`, fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a browser set to Chinese reads the page in Chinese; the switch turns it to English and is remembered', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/queue?token=${encodeURIComponent(TOKEN)}`);
    await page.locator('#queue tbody tr').first().waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.title()).toBe('slawatch · 队列');
    expect(await page.locator('#queue-title').textContent()).toMatch(/^未关闭的工单 /);
    expect(await page.locator('#queue thead th').allTextContents()).toEqual(['剩余时间', '工单', '客户', '服务等级', '严重程度', '状态', '负责人']);
    // What the script writes, from the same catalogue, formatted in the browser.
    const overdue = page.locator('tr[data-ticket-id="4"]');
    expect(await overdue.locator('.left').textContent()).toMatch(/^已超时 (29|30):\d\d$/);
    expect(await overdue.locator('.clock').textContent()).toBe('首次响应');
    const urgent = page.locator('tr[data-ticket-id="5"]');
    expect(await urgent.locator('td.tier').textContent()).toBe('企业版');
    expect(await urgent.locator('.sev').textContent()).toBe('紧急?');
    expect(await page.locator('tr[data-ticket-id="6"] .left').textContent()).toBe('已暂停');
    expect(await page.locator('tr[data-ticket-id="6"] td.state').textContent()).toBe('等待客户回复');
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^实时 · 更新于/);
    expect(await page.locator('#oncall li[data-schedule="primary"] .then').textContent()).toMatch(/^值班至 .+，之后是 /);
    await page.locator('#histogram-legend li[data-tier="standard"]').waitFor();
    expect(await page.locator('#histogram-legend li[data-tier="standard"]').textContent()).toContain('中位数 10分钟');
    // No English word in the headings, the table heads or the charts' captions.
    const headings = await page.locator('h2, th, figcaption, #status').allTextContents();
    expect(headings.join(' ')).not.toMatch(/[A-Za-z]{2,}/);
    await page.locator('#compliance-chart svg').waitFor();
    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}queue-page-zh-CN.png`, fullPage: true });

    // The switch: English, kept in a cookie for the next visit.
    await Promise.all([page.waitForEvent('load'), page.locator('#locale').selectOption('en')]);
    await page.locator('#queue tbody tr').first().waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('#queue-title').textContent()).toMatch(/^Open tickets /);
    expect(await page.locator('tr[data-ticket-id="6"] .left').textContent()).toBe('paused');
    expect((await context.cookies()).find((c) => c.name === 'slawatch_locale')?.value).toBe('en');
    await page.reload();
    expect(await page.locator('#oncall-title').textContent()).toBe('On call');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the sign-in form lets a browser in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/queue`);
    await page.locator('#token').fill(TOKEN);
    await page.locator('#signin button').click();
    await page.locator('#queue tbody tr').first().waitFor();
    expect(page.url()).toBe(`${server.url}/queue`);
    expect((await rowIds(page)).slice(0, 3)).toEqual([4, 5, 3]);
    await context.close();
  });

  it('when the stream drops, the page says so, reconnects and catches up', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/queue?token=${encodeURIComponent(TOKEN)}`);
    await page.locator('#queue tbody tr').first().waitFor();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^live/);

    server.page.close(); // ends every open stream, as a restart or a proxy time-out would
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 2_000 }).toBe('reconnecting…');
    await app.desk.receiveMessage({ platform: 'shell', channelId: 'initech', messageId: 'live-2', author: { userId: 'erin' }, text: 'SSO login loops', at: Date.now() });
    // The stream asked to be retried after 3 s; the snapshot on reconnect has the ticket opened meanwhile.
    await page.locator('tr[data-ticket-id="8"]').waitFor({ timeout: 6_000 });
    expect(await page.locator('#status').textContent()).toMatch(/^live/);
    await context.close();
  });
});
