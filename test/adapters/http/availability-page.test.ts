/**
 * The queue page's availability side: `/api/availability` (only with the
 * token) and, in a real browser, the open incidents and each customer's
 * availability this month so far.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AvailabilitySnapshot } from '../../../src/service/availability-view.js';
import { parseConfig } from '../../../src/config/load.js';
import { App } from '../../../src/app/app.js';
import { silentLogger } from '../../../src/service/logger.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { harness, RecordingPort, T0, type Harness } from '../../helpers/app-harness.js';
import { serveQueue, TOKEN } from './queue-fixture.js';

const CONFIG = `
people: { alice: { name: Alice } }
staff: { people: [alice], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, region: eu, channels: { shell: [acme] } }
  - { id: globex, name: Globex, tier: enterprise, region: us, channels: { shell: [globex] } }
  - { id: initech, name: Initech, tier: standard, channels: { shell: [initech] } }
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h } }
    availability: { target: 99.9, credits: [{ below: 99.9, percent: 10 }] }
  standard:
    targets: { default: { firstResponse: 4h } }
`;
const H = 3_600_000;

describe('/api/availability', () => {
  let h: Harness;
  let server: Awaited<ReturnType<typeof serveQueue>>;
  afterEach(async () => {
    await server?.close();
    await h?.app.stop();
  });

  it('needs the token, and shows the open incidents and the month so far per customer', async () => {
    // T0 is Monday 2 March 10:00 UTC: March so far is 34 hours.
    h = await harness(CONFIG, { t: T0 - 26 * H });
    await h.command('staff', 'alice', 'incident open Login slow all degraded');
    h.clock.t = T0 - 25.5 * H;
    await h.command('staff', 'alice', 'incident resolve inc-1');
    h.clock.t = T0 - H;
    await h.command('staff', 'alice', 'incident open RTC down region eu');
    await h.command('staff', 'alice', 'incident update inc-2 Failing over to Frankfurt');
    h.clock.t = T0;
    server = await serveQueue(h.desk);
    expect((await fetch(`${server.url}/api/availability`)).status).toBe(401);
    const res = await fetch(`${server.url}/api/availability`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const snapshot = (await res.json()) as AvailabilitySnapshot;
    const soFar = 34 * H;
    expect(snapshot).toEqual({
      serverNow: new Date(T0).toISOString(),
      month: '2026-03',
      incidents: [{ id: 'inc-2', title: 'RTC down', impact: 'outage', scope: 'region eu', reach: { regions: ['eu'] }, since: new Date(T0 - H).toISOString(), message: 'Failing over to Frankfurt' }],
      customers: [
        { id: 'acme', name: 'Acme Corp', timezone: 'UTC', availability: (100 * (soFar - H)) / soFar, availabilityText: '97.0588%', target: 99.9, met: false, downtimeSeconds: 3600, degradedSeconds: 1800, incidents: ['inc-1', 'inc-2'] },
        { id: 'globex', name: 'Globex', timezone: 'UTC', availability: 100, availabilityText: '100.0000%', target: 99.9, met: true, downtimeSeconds: 0, degradedSeconds: 1800, incidents: ['inc-1'] },
        { id: 'initech', name: 'Initech', timezone: 'UTC', availability: 100, availabilityText: '100.0000%', target: null, met: null, downtimeSeconds: 0, degradedSeconds: 1800, incidents: ['inc-1'] },
      ],
    });
  });
});

describe('the queue page in a browser', () => {
  let browser: Browser;
  let app: App;
  let server: Awaited<ReturnType<typeof serveQueue>>;

  beforeAll(async () => {
    app = new App({ config: parseConfig(CONFIG, 'test config'), store: openMemoryStore(), logger: silentLogger });
    app.attach(new RecordingPort('shell'));
    await app.start();
    const staff = { platform: 'shell' as const, channelId: 'staff', author: { userId: 'alice', personId: 'alice' } };
    await app.desk.runCommand({ ...staff, text: 'incident open "Uploads <b>fail</b>" region eu' });
    server = await serveQueue(app.desk);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await app?.stop();
  });

  it('lists the open incident and each customer’s availability this month so far', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${server.url}/queue?token=${encodeURIComponent(TOKEN)}`);
    const incident = page.locator('#incidents li[data-incident="inc-1"]');
    await incident.waitFor();
    expect(await page.locator('#incidents-panel').isVisible()).toBe(true);
    // Staff text is shown as text.
    expect(await incident.locator('.name').textContent()).toBe('Uploads <b>fail</b>');
    expect(await incident.locator('.then').textContent()).toMatch(/^outage · region eu · since /);
    await page.locator('#availability tbody tr[data-customer="acme"]').waitFor();
    expect(await page.locator('#availability tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-customer')))).toEqual(['acme', 'globex', 'initech']);
    expect(await page.locator('#availability tr[data-customer="acme"] td.incidents').textContent()).toBe('inc-1');
    expect(await page.locator('#availability tr[data-customer="globex"] td.figure').textContent()).toBe('100.0000%');
    expect(await page.locator('#availability tr[data-customer="initech"] td.target').textContent()).toBe('—');
    expect(await page.locator('#availability-month').textContent()).toMatch(/^\(\d{4}-\d{2}, so far\)$/);
    expect(errors).toEqual([]);
    await context.close();
  });
});
