/**
 * Incident and maintenance commands through the desk, and their notices to
 * the affected customers' channels: once per channel and step, across
 * restarts, dead processes and two replicas.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createContext } from '../../src/service/context.js';
import { IncidentNotices } from '../../src/service/incident-notices.js';
import { Outbox, type OutboxItem } from '../../src/service/outbox.js';
import { openMemoryStore } from '../../src/store/open.js';
import { harness, RecordingPort, settle, T0 } from '../helpers/app-harness.js';

const CONFIG = `
people:
  alice: { name: Alice }
  carol: { name: Carol }
staff:
  people: [alice, carol]
  channels: { shell: staff }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, region: eu, timezone: Asia/Shanghai, channels: { shell: [acme, acme-ops] }, accountEngineer: carol }
  - { id: globex, name: Globex, tier: standard, region: us, channels: { shell: [globex] } }
  - { id: initech, name: Initech, tier: enterprise, region: us, channels: { shell: [initech] } }
tiers:
  enterprise: { targets: { default: { firstResponse: 1h } } }
  standard: { targets: { default: { firstResponse: 4h } } }
`;
const MIN = 60_000;
const CUSTOMER_CHANNELS = ['acme', 'acme-ops', 'globex', 'initech'];

/** Lines posted to each customer channel. */
function byChannel(port: RecordingPort): Record<string, string[]> {
  return Object.fromEntries(CUSTOMER_CHANNELS.map((c) => [c, port.lines(c)]));
}

describe('incident commands', () => {
  it('open, update, resolve: each step is posted once into every channel of the affected customers, and nowhere else', async () => {
    const h = await harness(CONFIG);
    const opened = await h.command('staff', 'alice', 'incident open RTC down in EU region eu');
    expect(opened.reply).toEqual({ ephemeral: false, locale: 'en', text: 'Incident inc-1 opened: RTC down in EU (outage, affects region eu). Notices go to 2 channels of 1 customer.' });
    await h.timers.advance(0);
    expect(byChannel(h.port)).toEqual({
      // Times in Acme's zone (Shanghai, UTC+8).
      acme: ['🔴 Incident: RTC down in EU · Impact: service unavailable · Since: Mon 2 Mar 18:00 GMT+8 · Reference: inc-1 · We are aware of the problem and working on it. Updates follow in this channel.'],
      'acme-ops': ['🔴 Incident: RTC down in EU · Impact: service unavailable · Since: Mon 2 Mar 18:00 GMT+8 · Reference: inc-1 · We are aware of the problem and working on it. Updates follow in this channel.'],
      globex: [],
      initech: [],
    });
    expect(h.port.lines('staff')).toEqual([]);

    await h.timers.advance(20 * MIN);
    const updated = await h.command('staff', 'carol', 'incident update inc-1 Failing over to Frankfurt degraded');
    expect(updated.reply.text).toBe('Incident inc-1 updated (now degraded). Notices go to 2 channels of 1 customer.');
    await h.timers.advance(40 * MIN);
    const resolved = await h.command('staff', 'alice', 'incident resolve inc-1');
    expect(resolved.reply.text).toBe('Incident inc-1 resolved after 1h. Notices go to 2 channels of 1 customer.');
    await h.timers.advance(0);
    for (const channel of ['acme', 'acme-ops']) {
      expect(h.port.lines(channel).slice(1)).toEqual([
        '⚠ Update: RTC down in EU · Impact: degraded performance · At: Mon 2 Mar 18:20 GMT+8 · Reference: inc-1 · “Failing over to Frankfurt”',
        '✓ Resolved: RTC down in EU · Since: Mon 2 Mar 18:00 GMT+8 · Resolved: Mon 2 Mar 19:00 GMT+8 · Reference: inc-1 · Everything works again. Thank you for your patience.',
      ]);
    }
    const record = await h.store.incidents().get('incident', 'inc-1');
    expect(Object.entries(record!.notices).map(([key, r]) => `${key}=${r.status}`)).toEqual([
      '0/shell:acme=sent',
      '0/shell:acme-ops=sent',
      '1/shell:acme=sent',
      '1/shell:acme-ops=sent',
      '2/shell:acme=sent',
      '2/shell:acme-ops=sent',
    ]);
    // The log holds exactly what the availability arithmetic reads.
    expect(record!.events).toEqual([
      { at: T0, type: 'incident_opened', incident: 'inc-1', title: 'RTC down in EU', impact: 'outage', scope: { regions: ['eu'] } },
      { at: T0 + 20 * MIN, type: 'incident_updated', incident: 'inc-1', impact: 'degraded', message: 'Failing over to Frankfurt' },
      { at: T0 + 60 * MIN, type: 'incident_resolved', incident: 'inc-1' },
    ]);
    // Nothing more later, nothing twice.
    await h.timers.advance(60 * MIN);
    expect(h.port.sent).toHaveLength(6);
  });

  it('scopes by tier and by customer; "degraded" at the end sets the impact; a quoted title keeps scope words', async () => {
    const h = await harness(CONFIG);
    await h.command('staff', 'alice', 'incident open API errors tier enterprise');
    await h.command('staff', 'alice', 'incident open Slow exports customer globex degraded');
    await h.command('staff', 'alice', 'incident open "Login broken for customer accounts" all');
    await h.timers.advance(0);
    const titles = (channel: string) => h.port.lines(channel).map((l) => l.replace(/ ·.*/, ''));
    expect(titles('acme')).toEqual(['🔴 Incident: API errors', '🔴 Incident: Login broken for customer accounts']);
    expect(titles('initech')).toEqual(['🔴 Incident: API errors', '🔴 Incident: Login broken for customer accounts']);
    expect(titles('globex')).toEqual(['⚠ Incident: Slow exports', '🔴 Incident: Login broken for customer accounts']);
  });

  it('maintenance is announced to the affected customers, with a warning to staff when the notice is short', async () => {
    const h = await harness(CONFIG);
    const ahead = await h.command('staff', 'alice', 'maintenance 2026-03-05T01:00 2026-03-05T03:00 region us');
    expect(ahead.reply.text).toBe('Maintenance mw-1 announced: Thu 5 Mar 01:00 UTC – Thu 5 Mar 03:00 UTC, affects region us. Notices go to 2 channels of 2 customers.');
    const late = await h.command('staff', 'alice', 'maintenance 2026-03-02T20:00:00Z 2026-03-02T21:00:00Z customer acme');
    expect(late.reply.text).toMatch(/^Maintenance mw-2 announced: .* Announced 10h ahead, less than the 2d notice: outages in it count as downtime\.$/);
    await h.timers.advance(0);
    expect(h.port.lines('globex')).toEqual(['Planned maintenance · From: Thu 5 Mar 01:00 UTC · Until: Thu 5 Mar 03:00 UTC · Reference: mw-1 · The service may be unavailable during this window. We will keep it as short as we can.']);
    expect(h.port.lines('initech')).toHaveLength(1);
    expect(h.port.lines('acme')).toEqual(['Planned maintenance · From: Tue 3 Mar 04:00 GMT+8 · Until: Tue 3 Mar 05:00 GMT+8 · Reference: mw-2 · The service may be unavailable during this window. We will keep it as short as we can.']);
  });

  it('lists open incidents and coming maintenance', async () => {
    const h = await harness(CONFIG);
    await h.command('staff', 'alice', 'incident open API errors tier enterprise');
    await h.command('staff', 'alice', 'maintenance 2026-03-05T01:00 2026-03-05T03:00');
    await h.timers.advance(5 * MIN);
    const list = await h.command('staff', 'alice', 'incident list');
    expect(list.reply.text).toBe('Open incidents and coming maintenance:\ninc-1  API errors · outage · tier enterprise · open for 5m\nmw-1  maintenance Thu 5 Mar 01:00 UTC – Thu 5 Mar 03:00 UTC · everyone');
  });

  it('refuses customers, unknown names and incidents, and changes to a resolved incident — and posts nothing', async () => {
    const h = await harness(CONFIG);
    expect((await h.command('acme', 'dana', 'incident open Everything is down')).reply).toEqual({
      ephemeral: true,
      locale: 'en',
      text: 'Sorry — only the support team can report incidents and maintenance. We post updates in this channel.',
    });
    expect((await h.command('acme', 'dana', 'maintenance 2026-03-05T01:00 2026-03-05T03:00')).reply.ephemeral).toBe(true);
    expect((await h.command('staff', 'alice', 'incident open Outage region mars')).reply.text).toBe('unknown region "mars" (known: eu, us). Put a title that ends in such words in quotes.');
    expect((await h.command('staff', 'alice', 'incident update inc-9 hello')).reply.text).toBe('incident "inc-9" is not opened before this update.');
    expect((await h.command('staff', 'alice', 'incident open')).reply.text).toMatch(/^give the incident a title/);
    expect((await h.command('staff', 'alice', 'maintenance tomorrow later')).reply.text).toMatch(/^say when: /);
    expect((await h.command('staff', 'alice', 'maintenance 2026-03-05T03:00 2026-03-05T01:00')).reply.text).toBe('the window must end after it starts');
    await h.command('staff', 'alice', 'incident open API errors customer globex');
    await h.command('staff', 'alice', 'incident resolve inc-1');
    expect((await h.command('staff', 'alice', 'incident resolve inc-1')).reply.text).toBe('incident "inc-1" is already resolved.');
    expect((await h.command('staff', 'alice', 'incident update inc-1 back again')).reply.text).toBe('incident "inc-1" is already resolved.');
    await h.timers.advance(0);
    expect(h.port.lines('acme')).toEqual([]);
    expect(h.port.lines('globex')).toHaveLength(2);
    expect([...(await collect(h.store.incidents().listAll()))].map((r) => r.id)).toEqual(['inc-1']);
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('tickets during an incident', () => {
  it('a customer message during an incident affecting the customer tags its ticket, and the cards say so', async () => {
    const h = await harness(CONFIG);
    await h.command('staff', 'alice', 'incident open RTC down in EU region eu');
    await h.say('acme', 'dana', 'Calls drop after a minute', { messageId: 'q1' });
    await h.say('globex', 'gus', 'Invoice question', { messageId: 'q2' });
    expect((await h.store.get(1))?.incidents).toEqual(['inc-1']);
    expect((await h.store.get(2))?.incidents).toBeUndefined();
    const ack = h.port.lines('acme').find((l) => l.includes('Ticket #1 opened'));
    expect(ack).toContain('Incident: inc-1');
    expect(ack).toContain('We are already working on a known incident that may be the cause; updates are posted in this channel.');
    const status = await h.command('staff', 'alice', 'status 1');
    expect(status.reply.cards?.[0]?.fields).toContainEqual({ label: 'Incident', value: 'inc-1' });
    // A second incident during a follow-up in the thread adds to the tag; after both are resolved, a new ticket gets none.
    await h.command('staff', 'alice', 'incident open Video blurry all degraded');
    await h.say('acme', 'dana', 'And the video is blurry', { threadId: 'q1', messageId: 'q1b' });
    expect((await h.store.get(1))?.incidents).toEqual(['inc-1', 'inc-2']);
    await h.command('staff', 'alice', 'incident resolve inc-1');
    await h.command('staff', 'alice', 'incident resolve inc-2');
    await h.say('acme-ops', 'dana', 'Thanks, all good', { messageId: 'q3' });
    expect((await h.store.get(3))?.incidents).toBeUndefined();
  });
});

describe('notices at most once', () => {
  async function setup() {
    const config = parseConfig(CONFIG);
    const store = openMemoryStore();
    let t = T0;
    const ctx = createContext(config, store, () => t);
    await store.incidents().append([{ at: T0, type: 'incident_opened', incident: 'inc-1', title: 'API errors', impact: 'outage', scope: { customers: ['globex'] } }], { announce: true });
    const replica = (id: string, options: { renewClaims?: boolean } = {}) => {
      const port = new RecordingPort();
      const holder: { notices?: IncidentNotices } = {};
      const renewClaims = options.renewClaims ? { renewClaims: { afterMs: 5_000, renew: (items: OutboxItem[]) => holder.notices!.renewClaims(items) } } : {};
      const outbox = new Outbox({ intervalMs: { default: 0 }, now: () => t, ...renewClaims }, async (r) => void (await holder.notices!.recordResults(r)));
      outbox.attach(port);
      const notices = new IncidentNotices(ctx, outbox, { instanceId: id });
      holder.notices = notices;
      return { port, outbox, notices };
    };
    return { store, replica, setTime: (ms: number) => (t = ms) };
  }

  it('two replicas firing the same incident at the same moment post one notice', async () => {
    const { replica } = await setup();
    const a = replica('a');
    const b = replica('b');
    await Promise.all([a.notices.fireDue('incident', 'inc-1'), b.notices.fireDue('incident', 'inc-1')]);
    await a.outbox.drain();
    await b.outbox.drain();
    expect(a.port.sent.length + b.port.sent.length).toBe(1);
  });

  it('a process that died between claim and send is taken over after its lease: the same notice, resent for the platform to check', async () => {
    const { store, replica, setTime } = await setup();
    const dead = replica('dead');
    dead.outbox.close();
    await dead.notices.fireDue('incident', 'inc-1');
    expect((await store.incidents().get('incident', 'inc-1'))!.notices['0/shell:globex']).toMatchObject({ status: 'sending', owner: 'dead' });
    const heir = replica('heir');
    await heir.notices.fireDue('incident', 'inc-1');
    await heir.outbox.drain();
    expect(heir.port.sent).toHaveLength(0); // the lease still runs
    setTime(T0 + 10_000);
    await heir.notices.fireDue('incident', 'inc-1');
    await heir.outbox.drain();
    await settle();
    expect(heir.port.sent).toHaveLength(1);
    expect(heir.port.sent[0]?.message).toMatchObject({ type: 'notice', channelId: 'globex', keys: ['incident:incident:inc-1/0/shell:globex'] });
    expect(heir.port.sent[0]?.options).toMatchObject({ resend: true, idempotencyKey: 'incident:incident:inc-1/0/shell:globex' });
    expect((await store.incidents().get('incident', 'inc-1'))!.notices['0/shell:globex']).toMatchObject({ status: 'sent', owner: 'heir' });
    await heir.notices.fireDue('incident', 'inc-1');
    await heir.outbox.drain();
    expect(heir.port.sent).toHaveLength(1);
  });

  it('a notice the platform refused is retried with back-off, not dropped and not repeated', async () => {
    const { store, replica, setTime } = await setup();
    const r = replica('r');
    r.port.failNext = 1;
    await r.notices.fireDue('incident', 'inc-1');
    await r.outbox.drain();
    await settle();
    expect((await store.incidents().get('incident', 'inc-1'))!.notices['0/shell:globex']).toMatchObject({ status: 'failed', attempts: 1, retryAt: T0 + 15_000 });
    expect(r.notices.nextAt).toBe(T0 + 15_000);
    await r.notices.fireDue('incident', 'inc-1');
    await r.outbox.drain();
    expect(r.port.sent).toHaveLength(0);
    setTime(T0 + 15_000);
    await r.notices.fireDue('incident', 'inc-1');
    await r.outbox.drain();
    await settle();
    expect(r.port.sent).toHaveLength(1);
    expect((await store.incidents().get('incident', 'inc-1'))!.notices['0/shell:globex']?.status).toBe('sent');
  });

  it('a notice that waited past its lease goes out only while its claim is still its own', async () => {
    const { store, replica, setTime } = await setup();
    const slow = replica('slow', { renewClaims: true });
    slow.outbox.close();
    await slow.notices.fireDue('incident', 'inc-1');
    setTime(T0 + 10_000);
    const heir = replica('heir');
    await heir.notices.fireDue('incident', 'inc-1');
    await heir.outbox.drain();
    await settle();
    // The slow replica's renewal finds the claim is the heir's: nothing to send.
    const item = (await store.incidents().get('incident', 'inc-1'))!.notices['0/shell:globex'];
    expect(item).toMatchObject({ status: 'sent', owner: 'heir' });
    expect(await slow.notices.renewClaims([{ platform: 'shell', channelId: 'globex', card: { tone: 'info', title: 'x', fields: [] }, key: 'incident:incident:inc-1/0/shell:globex', notice: true }])).toEqual([]);
    expect(heir.port.sent).toHaveLength(1);
  });
});

describe('notices across restarts', () => {
  it('a restarted bot sends what was announced but not yet claimed, once; steps older than a day are not news', async () => {
    const store = openMemoryStore();
    await store.incidents().append([{ at: T0, type: 'incident_opened', incident: 'inc-1', title: 'API errors', impact: 'outage', scope: { customers: ['globex'] } }], { announce: true });
    await store.incidents().append([{ at: T0 - 25 * 60 * MIN, type: 'incident_opened', incident: 'old', title: 'Old news', impact: 'outage', scope: 'all' }], { announce: true });
    // An imported incident is history: never announced.
    await store.incidents().append([{ at: T0, type: 'incident_opened', incident: 'imported', title: 'From a backup', impact: 'outage', scope: 'all' }]);
    const first = await harness(CONFIG, { store, instanceId: 'one', t: T0 + MIN });
    await first.timers.advance(0);
    expect(byChannel(first.port)).toMatchObject({ globex: [expect.stringMatching(/^🔴 Incident: API errors/)], acme: [], initech: [] });
    await first.app.stop();
    const second = await harness(CONFIG, { store, instanceId: 'two', t: T0 + 2 * MIN });
    await second.timers.advance(10 * MIN);
    expect(second.port.sent).toEqual([]);
  });

  it('a notice and a staff ping for the same channel never share a message', async () => {
    const port = new RecordingPort();
    const outbox = new Outbox({ intervalMs: { default: 1_000 } }, () => undefined);
    outbox.attach(port);
    const card = { tone: 'info' as const, title: 't', fields: [] };
    outbox.enqueue({ platform: 'shell', channelId: 'c', card, key: '1/a' });
    outbox.enqueue({ platform: 'shell', channelId: 'c', card, key: 'incident:incident:x/0/shell:c', notice: true });
    outbox.enqueue({ platform: 'shell', channelId: 'c', card, key: 'incident:incident:x/1/shell:c', notice: true });
    outbox.enqueue({ platform: 'shell', channelId: 'c', card, key: '2/a' });
    await outbox.drain();
    expect(port.sent.map((s) => [s.message.type, 'keys' in s.message ? s.message.keys.length : 0])).toEqual([
      ['notify', 1],
      ['notice', 2],
      ['notify', 1],
    ]);
  });
});
