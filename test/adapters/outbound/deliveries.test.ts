/**
 * Pagers, webhooks and e-mail through the app, with the real transports
 * (fetch, nodemailer) against real receivers on 127.0.0.1: a fake PagerDuty
 * Events API, a webhook receiver that checks the signature, an SMTP server.
 * The ladder's clock is the test's; the deliveries are real requests.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readOutbound, type Outbound } from '../../../adapters/outbound/index.js';
import { parseConfig } from '../../../src/config/load.js';
import { PrometheusMetrics } from '../../../src/observability/prometheus.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { EmailTransport } from '../../../adapters/outbound/email.js';
import { decodeQuotedPrintable, FakeEventsApi, SmtpReceiver, WebhookReceiver } from '../../../testkit/outbound-receivers.js';
import { harness, settle, T0, type Harness } from '../../helpers/app-harness.js';

const MIN = 60_000;
const ROUTING_KEY = 'R0UTINGKEY0000000000000000000001';
const SECRET = 'whsec-test-0123456789';

const pd = new FakeEventsApi([ROUTING_KEY]);
const hook = new WebhookReceiver(SECRET);
const smtp = new SmtpReceiver();

const config = () => `
people:
  alice: { name: Alice, email: alice@example.com, phone: "+4930123456" }
  carol: { name: Carol, email: carol@example.com, calendar: carol-hours }
  dave: { name: Dave }
staff: { people: [alice, carol, dave], channels: { shell: staff } }
calendars:
  carol-hours: { timezone: UTC, hours: { mon: ["09:00-17:00"] } }
schedules:
  primary:
    timezone: UTC
    layers: [{ users: [dave], rotation: { every: 1w, start: "2026-01-05" } }]
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] }, accountEngineer: carol }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h }
      urgent: { firstResponse: immediate }
escalation:
  warnAt: [0.5]
  policies:
    default:
      levels:
        - { notify: [person:alice, pagerduty:db, webhook:goalert, email:alice], delay: 15m }
        - { notify: [schedule:primary, pagerduty:db, webhook:goalert, email:leads], delay: 30m }
pagerduty: { services: { db: { routingKeyEnv: PD_DB_KEY } } }
webhooks: { goalert: { url: "${hook.url}", secretEnv: GOALERT_SECRET } }
email: { from: "slawatch <slawatch@example.com>", groups: { leads: [alice, ops@example.com] } }
notifications: { retryAfter: 1s }
`;

const env = () => ({ PD_DB_KEY: ROUTING_KEY, GOALERT_SECRET: SECRET, SMTP_URL: smtp.url, PAGERDUTY_EVENTS_URL: pd.url });

let outbound: Outbound | undefined;
const apps: Harness[] = [];

async function bot(options: { store?: ReturnType<typeof openMemoryStore>; instanceId?: string; t?: number } = {}): Promise<Harness & { metrics: PrometheusMetrics }> {
  const h = await harness(config(), { ...options, start: false });
  outbound = readOutbound(parseConfig(config()), env());
  for (const port of outbound.ports) h.app.attachOutbound(port);
  const metrics = new PrometheusMetrics(() => ({ openTicketsByTier: {}, runningClocks: {} }), { defaultMetrics: false });
  h.app.useMetrics(metrics);
  await h.app.start();
  apps.push(h);
  return Object.assign(h, { metrics });
}

/** Lets the deliveries, their records and what those make due settle (real requests, the test's clock). */
async function quiet(h: Harness): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await h.timers.advance(0);
    await h.app.flush();
    await settle();
  }
}

const reset = () => {
  pd.events.length = 0;
  hook.requests.length = 0;
  smtp.messages.length = 0;
};

beforeAll(async () => {
  await Promise.all([pd.start(), hook.start(), smtp.start()]);
});
afterEach(async () => {
  for (const h of apps.splice(0)) await h.app.stop();
  outbound?.close();
  reset();
});
afterAll(async () => {
  await Promise.all([pd.close(), hook.close(), smtp.close()]);
});

describe('pagers, webhooks and e-mail from the ladder', () => {
  it('one trigger per ticket and clock, a signed webhook and an e-mail per step; acknowledge on claim, resolve on the staff reply', async () => {
    const h = await bot();
    await h.say('acme', 'dana', 'The API is returning 500s', { messageId: 'root' });
    await quiet(h);
    await h.timers.advance(60 * MIN); // breach: level 1
    await quiet(h);
    await h.timers.advance(15 * MIN); // level 2
    await quiet(h);

    // PagerDuty: one trigger for the clock, though both levels name the service ("returning 500s" reads as high: error).
    expect(pd.events.map((e) => `${e.action} ${e.dedupKey}`)).toEqual(['trigger slawatch-1-firstResponse-1']);
    expect(pd.events[0]).toMatchObject({ routingKey: ROUTING_KEY, accepted: true, payload: { source: 'slawatch', severity: 'error', component: 'acme', class: 'firstResponse' } });
    expect(String(pd.events[0]?.payload?.summary)).toMatch(/#1 first response BREACHED — Acme Corp: The API is returning 500s/);

    // The webhook: each step, signed, keyed, with the people and how to reach them.
    expect(hook.requests.map((r) => [r.event, r.idempotencyKey, r.valid])).toEqual([
      ['notification', '1/webhook:goalert/firstResponse:1:level1:0', true],
      ['notification', '1/webhook:goalert/firstResponse:1:level2:0', true],
    ]);
    expect(hook.requests[0]?.body).toMatchObject({
      event: 'notification',
      key: '1/webhook:goalert/firstResponse:1:level1:0',
      alertKey: 'slawatch-1-firstResponse-1',
      ticket: { id: 1, customer: 'acme', customerName: 'Acme Corp', tier: 'enterprise', severity: 'high', title: 'The API is returning 500s' },
      clock: { kind: 'firstResponse', cycle: 1 },
      step: { kind: 'breach', level: 1, late: false },
      // The account engineer first, then the level's people.
      recipients: [
        { id: 'carol', name: 'Carol', email: 'carol@example.com' },
        { id: 'alice', name: 'Alice', email: 'alice@example.com', phone: '+4930123456' },
      ],
    });
    // Level 2 at 11:15 on a Monday: carol (the engineer) works until 17:00, dave is on call.
    expect((hook.requests[1]?.body.recipients as { id: string }[]).map((r) => r.id)).toEqual(['carol', 'dave']);

    // E-mail: level 1 to alice, level 2 to the leads group (alice and an address); text and HTML, the link.
    expect(smtp.messages.map((m) => m.to)).toEqual([['alice@example.com'], ['alice@example.com', 'ops@example.com']]);
    const mail = smtp.messages[0]!;
    expect(mail.header('Subject')).toBe('#1 first response BREACHED — Acme Corp');
    expect(mail.header('Message-ID')).toBe('<slawatch.1/email=alice/firstResponse=1=level1=0@example.com>');
    const body = decodeQuotedPrintable(mail.raw);
    expect(body).toMatch(/Content-Type: text\/plain/);
    expect(body).toMatch(/Content-Type: text\/html/);
    expect(body).toContain('shell:acme/root');
    expect(body).toContain('<h2>#1 first response BREACHED</h2>');

    // A claim acknowledges; the staff reply resolves — each once, on the pager and the webhook.
    await h.command('acme', 'alice', 'claim', 'root');
    await quiet(h);
    await h.say('acme', 'alice', 'Looking at it now', { threadId: 'root' });
    await quiet(h);
    await h.timers.advance(60 * MIN);
    await quiet(h);
    expect(pd.events.map((e) => `${e.action} ${e.dedupKey} ${e.accepted}`)).toEqual([
      'trigger slawatch-1-firstResponse-1 true',
      'acknowledge slawatch-1-firstResponse-1 true',
      'resolve slawatch-1-firstResponse-1 true',
    ]);
    expect(hook.requests.slice(2).map((r) => [r.event, r.idempotencyKey, r.valid, r.body.alertKey])).toEqual([
      ['acknowledge', '1/webhook:goalert/firstResponse:1:acknowledge', true, 'slawatch-1-firstResponse-1'],
      ['resolve', '1/webhook:goalert/firstResponse:1:resolve', true, 'slawatch-1-firstResponse-1'],
    ]);
    expect(smtp.messages).toHaveLength(2);

    const metrics = (await h.metrics.render()).body;
    expect(metrics).toContain('slawatch_deliveries_sent_total{target="pagerduty"} 3');
    expect(metrics).toContain('slawatch_deliveries_sent_total{target="webhook"} 4');
    expect(metrics).toContain('slawatch_deliveries_sent_total{target="email"} 2');
  });

  it('an immediate target pages at open; a ticket resolved at once resolves its alert', async () => {
    const h = await bot();
    await h.say('acme', 'dana', 'Production is down, urgent', { messageId: 'root' });
    await quiet(h);
    expect(pd.events.map((e) => `${e.action} ${e.dedupKey}`)).toEqual(['trigger slawatch-1-firstResponse-1']);
    expect(pd.events[0]?.payload).toMatchObject({ severity: 'critical', timestamp: new Date(T0).toISOString() });
    await h.command('acme', 'alice', 'resolve', 'root');
    await quiet(h);
    expect(pd.events.map((e) => e.action)).toEqual(['trigger', 'resolve']);
  });

  it('a failing target is retried with back-off and holds up nobody else; the retry carries the same key', async () => {
    const h = await bot();
    hook.failNext(2, 503);
    await h.say('acme', 'dana', 'Need help', { messageId: 'root' });
    await h.timers.advance(60 * MIN);
    await quiet(h);
    // The pager and the e-mail went at once; the webhook failed and waits for its retry.
    expect(pd.accepted).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
    expect(hook.requests.map((r) => r.accepted)).toEqual([false]);
    expect((await h.store.get(1))!.notifications['webhook:goalert/firstResponse:1:level1:0']).toMatchObject({ status: 'failed', attempts: 1 });
    await h.timers.advance(1_000); // first retry after 1 s (notifications.retryAfter)
    await quiet(h);
    await h.timers.advance(1_000); // the second failed: the next waits twice as long
    await quiet(h);
    expect(hook.requests.map((r) => r.accepted)).toEqual([false, false]);
    await h.timers.advance(1_000);
    await quiet(h);
    expect(hook.requests.map((r) => [r.accepted, r.idempotencyKey])).toEqual([
      [false, '1/webhook:goalert/firstResponse:1:level1:0'],
      [false, '1/webhook:goalert/firstResponse:1:level1:0'],
      [true, '1/webhook:goalert/firstResponse:1:level1:0'],
    ]);
    expect((await h.store.get(1))!.notifications['webhook:goalert/firstResponse:1:level1:0']?.status).toBe('sent');
    const metrics = (await h.metrics.render()).body;
    expect(metrics).toContain('slawatch_deliveries_failed_total{target="webhook"} 2');
    expect(metrics).toContain('slawatch_deliveries_sent_total{target="webhook"} 1');
  });

  it('a replica that claimed a delivery and died is taken over when its lease ends: sent once, with the same dedup key', async () => {
    const store = openMemoryStore();
    const dead = await bot({ store, instanceId: 'dead' });
    await dead.say('acme', 'dana', 'Need help', { messageId: 'root' });
    await quiet(dead);
    dead.app.outbox.close(); // it dies after claiming, before sending
    await dead.timers.advance(60 * MIN);
    await settle();
    expect((await store.get(1))!.notifications['pagerduty:db/firstResponse:1:trigger']).toMatchObject({ status: 'sending', owner: 'dead' });
    expect(pd.events).toEqual([]);
    const heir = await bot({ store, instanceId: 'heir', t: T0 + 60 * MIN });
    await quiet(heir);
    expect(pd.events).toEqual([]); // the lease (10 s) still runs
    await heir.timers.advance(10_000);
    await quiet(heir);
    expect(pd.events.map((e) => `${e.action} ${e.dedupKey} ${e.accepted}`)).toEqual(['trigger slawatch-1-firstResponse-1 true']);
    expect(hook.requests.map((r) => r.idempotencyKey)).toEqual(['1/webhook:goalert/firstResponse:1:level1:0']);
    expect(smtp.messages).toHaveLength(1);
    expect((await store.get(1))!.notifications['pagerduty:db/firstResponse:1:trigger']).toMatchObject({ status: 'sent', owner: 'heir', late: true });
  });
});

describe('the account engineer at open', () => {
  it('hears of every ticket of their customer by direct message, once', async () => {
    const store = openMemoryStore();
    const h = await bot({ store, instanceId: 'one' });
    await h.say('acme', 'dana', 'A question about invoices', { messageId: 'root' });
    await quiet(h);
    const dms = h.port.sent.filter((s) => s.message.type === 'dm');
    expect(dms.map((s) => [s.message.channelId, s.options?.idempotencyKey])).toEqual([['dm:carol', '1/engineer']]);
    expect(h.port.lines('dm:carol')[0]).toMatch(/^New ticket #1 from Acme Corp \(enterprise, low \(guessed\)\) — you are its account engineer · “A question about invoices”$/);
    await h.app.stop();
    const again = await bot({ store, instanceId: 'two', t: T0 + MIN });
    await quiet(again);
    expect(again.port.sent.filter((s) => s.message.type === 'dm')).toEqual([]);
  });

  it('when the engineer is off, on-call gets it, and it says so', async () => {
    const saturday = Date.parse('2026-03-07T10:00:00Z');
    const h = await bot({ t: saturday });
    await h.say('acme', 'dana', 'A question about invoices', { messageId: 'root' });
    await quiet(h);
    expect(h.port.sent.filter((s) => s.message.type === 'dm').map((s) => s.message.channelId)).toEqual(['dm:dave']);
    expect(h.port.lines('dm:dave')[0]).toMatch(/Carol, the account engineer, is off now: you are on call instead/);
  });
});

describe('the account engineer at open, with nobody to reach', () => {
  it('is recorded as skipped, once, and not tried again', async () => {
    const yaml = `
people: { carol: { name: Carol, calendar: carol-hours } }
staff: { people: [carol], channels: { shell: staff } }
calendars: { carol-hours: { timezone: UTC, hours: { mon: ["09:00-17:00"] } } }
customers: [{ id: acme, name: Acme Corp, tier: t, channels: { shell: [acme] }, accountEngineer: carol }]
tiers: { t: { targets: { default: { firstResponse: 1h } } } }
`;
    const h = await harness(yaml, { t: Date.parse('2026-03-07T10:00:00Z') });
    apps.push(h);
    await h.say('acme', 'dana', 'A question', { messageId: 'root' });
    await quiet(h);
    expect((await h.store.get(1))!.notifications.engineer).toEqual({ status: 'skipped', dueAt: Date.parse('2026-03-07T10:00:00Z') });
    expect(h.port.sent.filter((s) => s.message.type === 'dm')).toEqual([]);
    expect([h.app.scheduler.queue.has('1:engineer'), h.app.scheduler.queue.has('1:firstResponse')]).toEqual([false, true]);
  });
});

describe('SMTP', () => {
  it('upgrades with STARTTLS when a relay on this machine offers it, its self-signed certificate unchecked there', async () => {
    const relay = new SmtpReceiver({ starttls: true });
    await relay.start();
    const mail = new EmailTransport({ smtpUrl: relay.url, from: 'slawatch <slawatch@example.com>', timeoutMs: 5_000 });
    try {
      await mail.send({ via: 'email', to: ['alice@example.com'], subject: 'Ticket #7', text: 'see the ticket', html: '<p>see the ticket</p>' }, { idempotencyKey: '7/email:alice/x', resend: false });
      expect(relay.messages.map((m) => [m.to, m.secure, m.header('Subject'), m.header('X-Slawatch-Key')])).toEqual([[['alice@example.com'], true, 'Ticket #7', '7/email:alice/x']]);
      // Anywhere else the certificate is checked: the same relay, asked to verify, is refused.
      const strict = new EmailTransport({ smtpUrl: `${relay.url}?tls.rejectUnauthorized=true`, from: 'slawatch <slawatch@example.com>', timeoutMs: 5_000 });
      await expect(strict.send({ via: 'email', to: ['alice@example.com'], subject: 's', text: 't', html: 'h' }, { idempotencyKey: 'k', resend: false })).rejects.toThrow(/certificate/);
      strict.close();
    } finally {
      mail.close();
      await relay.close();
    }
  });
});
