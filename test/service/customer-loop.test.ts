/**
 * The customer's side of the loop in the running bot: the support-hours note
 * in the acknowledgement, waiting reminders, auto-resolve and auto-close
 * fired by the scheduler on a clock the test moves, at the instants and
 * under the keys `replay` shows for the same log.
 *
 * `office`: Europe/Berlin (UTC+1 in December), Mon–Fri 09:00–17:00, 7 Dec
 * 2026 and German public holidays closed. 2026-12-04 is a Friday.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { policyContext, replay } from '../../src/cli/replay.js';
import { cardToLine } from '../../src/service/render-text.js';
import { harness } from '../helpers/app-harness.js';

const YAML = `
people: { alice: { name: Alice }, carol: { name: Carol } }
staff: { people: [alice, carol], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme Corp, tier: standard, channels: { shell: [acme] }, accountEngineer: carol, timezone: Europe/Berlin }
  - { id: initech, name: Initech, tier: quiet, channels: { shell: [initech] } }
  - { id: globex, name: Globex, tier: enterprise, channels: { shell: [globex] }, locale: zh-CN }
tiers:
  standard:
    calendar: office
    targets: { default: { firstResponse: 4h } }
  quiet:
    calendar: office
    tickets: { waitingReminder: false, autoResolve: false, autoClose: false, supportHoursNote: false, satisfaction: false }
    targets: { default: { firstResponse: 4h } }
  enterprise:
    calendar: 24x7
    targets: { default: { firstResponse: 1h } }
calendars:
  office:
    timezone: Europe/Berlin
    hours: { mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"] }
    holidays: { dates: ["2026-12-07"], country: DE }
tickets: { waitingReminder: 2bd, autoResolve: 5bd, reopenWindow: 7d }
`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => Date.parse(iso);

/** What was posted into the ticket threads of `channel`, one line each. */
function threadLines(h: Awaited<ReturnType<typeof harness>>, channel: string): string[] {
  return h.port.sent.filter((s) => s.message.type === 'thread' && s.message.channelId === channel).map((s) => cardToLine((s.message as { card: Parameters<typeof cardToLine>[0] }).card));
}

describe('the support-hours note in the acknowledgement', () => {
  it('a Saturday ticket says when the team is back and when the first response is due, in the customer’s zone', async () => {
    const h = await harness(YAML, { t: at('2026-12-05T10:00:00Z') });
    await h.say('acme', 'dana', 'Login broken', { messageId: 'root' });
    const [ack] = threadLines(h, 'acme');
    // Monday the 7th is closed: back Tue 8 Dec 09:00 Berlin, first response due 13:00 Berlin.
    expect(ack).toMatch(/Our team is away right now\. We are back Tue 8 Dec 09:00 GMT\+1; first response by Tue 8 Dec 13:00 GMT\+1\./);
    await h.app.stop();
  });

  it('on a holiday it names the holiday; a quiet tier and a 24x7 tier get no note', async () => {
    const h = await harness(YAML, { t: at('2026-12-25T09:00:00Z') });
    await h.say('acme', 'dana', 'Help', { messageId: 'a' });
    await h.say('initech', 'erin', 'Help', { messageId: 'b' });
    await h.say('globex', 'li', 'Help', { messageId: 'c' });
    expect(threadLines(h, 'acme')[0]).toMatch(/away for Christmas Day\. We are back Mon 28 Dec 09:00 GMT\+1/);
    expect(threadLines(h, 'initech')[0]).not.toMatch(/away/);
    expect(threadLines(h, 'globex')[0]).not.toMatch(/不在线|休假/);
    await h.app.stop();
  });
});

describe('waiting reminders, auto-resolve and auto-close', () => {
  it('fire once each, in the thread, at the instants replay shows; a reply reopens; the log records what slawatch did', async () => {
    const h = await harness(YAML, { t: at('2026-12-04T10:00:00Z') });
    await h.say('acme', 'dana', 'Export fails', { messageId: 'root' });
    await h.say('acme', 'alice', 'Which file?', { threadId: 'root' });
    await h.command('acme', 'alice', 'wait', 'root');
    // Friday 11:00 Berlin + 2 business days (Monday the 7th closed) = Wednesday 11:00 Berlin.
    await h.timers.advance(at('2026-12-09T09:59:00Z') - h.clock.t);
    expect(threadLines(h, 'acme').filter((l) => /still waiting/.test(l))).toEqual([]);
    await h.timers.advance(2 * 60_000);
    expect(threadLines(h, 'acme').filter((l) => /still waiting/.test(l))).toHaveLength(1);
    // + 5 business days = Monday 14 Dec 11:00 Berlin: resolved, with the rating prompt.
    await h.timers.advance(at('2026-12-14T10:01:00Z') - h.clock.t);
    const resolvedNote = threadLines(h, 'acme').filter((l) => /resolved as we have not heard back/.test(l));
    expect(resolvedNote).toHaveLength(1);
    expect(resolvedNote[0]).toMatch(/Any reply in this thread reopens it\..*Rate it from 1/s);
    let ticket = await h.store.get(1);
    expect(ticket!.events.at(-1)).toMatchObject({ type: 'resolved', at: at('2026-12-14T10:00:00Z'), auto: 'waiting:1:auto_resolve' });
    expect(ticket!.notifications['waiting:1:reminder']).toMatchObject({ status: 'sent', dueAt: at('2026-12-09T10:00:00Z') });
    expect(ticket!.notifications['waiting:1:auto_resolve']).toMatchObject({ status: 'sent', dueAt: at('2026-12-14T10:00:00Z') });

    // The customer answers two days later: reopened, and nothing else fires.
    await h.timers.advance(2 * DAY);
    const outcome = await h.say('acme', 'dana', 'Still broken', { threadId: 'root' });
    expect(outcome.kind).toBe('reopened');
    await h.command('acme', 'alice', 'resolve', 'root');
    const resolvedAt = h.clock.t;
    await h.timers.advance(7 * DAY - 60_000);
    expect((await h.store.get(1))!.events.at(-1)?.type).toBe('resolved');
    await h.timers.advance(2 * 60_000);
    ticket = await h.store.get(1);
    expect(ticket!.events.at(-1)).toMatchObject({ type: 'closed', at: resolvedAt + 7 * DAY, auto: 'resolved:2:auto_close' });
    expect(threadLines(h, 'acme').filter((l) => /is now closed/.test(l))).toHaveLength(1);
    // More time changes nothing: each step is recorded once.
    await h.timers.advance(30 * DAY);
    expect(threadLines(h, 'acme').filter((l) => /still waiting|not heard back|now closed/.test(l))).toHaveLength(3);

    // replay of the stored log shows the same follow-ups, at the same instants, and synthesises none again.
    const config = parseConfig(YAML);
    const out = replay(ticket!.events, policyContext(config), h.clock.t);
    expect(out.state).toBe('closed');
    const live = Object.entries(ticket!.notifications)
      .filter(([key]) => key.startsWith('waiting:') || key.startsWith('resolved:'))
      .map(([key, r]) => `${new Date(r.dueAt).toISOString().replace('.000', '')} ${key.split(':')[2]}`);
    const replayed = out.notifications.filter((n) => n.clock === null).map((n) => `${n.at} ${n.kind}`);
    expect(replayed).toEqual(['2026-12-09T10:00:00Z reminder']);
    expect(live).toEqual(['2026-12-09T10:00:00Z reminder', '2026-12-14T10:00:00Z auto_resolve', `${new Date(resolvedAt + 7 * DAY).toISOString().replace('.000', '')} auto_close`]);
    await h.app.stop();
  });

  it('after downtime the auto-resolve fires once, late, and the reminder it made moot is skipped; a restart repeats nothing', async () => {
    const { openMemoryStore } = await import('../../src/store/open.js');
    const store = openMemoryStore();
    const first = await harness(YAML, { store, t: at('2026-12-04T10:00:00Z'), instanceId: 'one' });
    await first.say('acme', 'dana', 'Export fails', { messageId: 'root' });
    await first.say('acme', 'alice', 'Which file?', { threadId: 'root' });
    await first.command('acme', 'alice', 'wait', 'root');
    await first.app.stop();
    // Down until after the auto-resolve instant (Mon 14 Dec 10:00Z).
    const second = await harness(YAML, { store, t: at('2026-12-15T08:00:00Z'), instanceId: 'two' });
    await second.timers.advance(1_000);
    await second.app.idle();
    const ticket = (await store.get(1))!;
    expect(ticket.notifications['waiting:1:reminder']).toMatchObject({ status: 'skipped' });
    expect(ticket.notifications['waiting:1:auto_resolve']).toMatchObject({ status: 'sent', late: true, dueAt: at('2026-12-14T10:00:00Z') });
    expect(ticket.events.at(-1)).toMatchObject({ type: 'resolved', at: at('2026-12-14T10:00:00Z'), auto: 'waiting:1:auto_resolve' });
    expect(threadLines(second, 'acme').filter((l) => /still waiting|not heard back/.test(l))).toHaveLength(1);
    await second.app.stop();
    const third = await harness(YAML, { store, t: at('2026-12-15T09:00:00Z'), instanceId: 'three' });
    await third.timers.advance(1_000);
    expect(threadLines(third, 'acme')).toEqual([]);
    await third.app.stop();
  });

  it('a tier that turns them off gets none; a ticket whose opening message was deleted is resolved without a post', async () => {
    const h = await harness(YAML, { t: at('2026-12-04T10:00:00Z') });
    await h.say('initech', 'erin', 'Question', { messageId: 'q' });
    await h.command('initech', 'alice', 'wait', 'q');
    await h.say('acme', 'dana', 'Other question', { messageId: 'r' });
    await h.command('acme', 'alice', 'wait', 'r');
    await h.desk.messageDeleted('shell', 'acme', 'r', h.clock.t);
    await h.timers.advance(40 * DAY);
    expect(threadLines(h, 'initech').filter((l) => /still waiting|not heard back|now closed/.test(l))).toEqual([]);
    expect((await h.store.get(1))!.events.at(-1)?.type).toBe('waiting_on_customer');
    expect(threadLines(h, 'acme').filter((l) => /still waiting|not heard back|now closed/.test(l))).toEqual([]);
    const deleted = await h.store.get(2);
    expect(deleted!.events.map((e) => e.type)).toContain('closed');
    const followUpRecords = Object.entries(deleted!.notifications).filter(([key]) => /^(waiting|resolved):/.test(key));
    expect(followUpRecords.map(([key, r]) => `${key}=${r.status}`)).toEqual(['waiting:1:reminder=skipped', 'waiting:1:auto_resolve=skipped', 'resolved:1:auto_close=skipped']);
    await h.app.stop();
  });
});

describe('satisfaction', () => {
  const rate = (h: Awaited<ReturnType<typeof harness>>, user: string, ticket: number, rating: number, channelId = 'acme') =>
    h.desk.runAction({ platform: 'shell', channelId, author: { userId: user, ...(user === 'alice' ? { personId: 'alice' } : {}) }, action: { action: 'rate', ticket, rating } });

  it('on resolve the customer is asked; one rating, changeable for a day; a low one pings the account engineer once', async () => {
    const h = await harness(YAML, { t: at('2026-12-08T09:00:00Z') });
    await h.say('acme', 'dana', 'Slow exports', { messageId: 'root' });
    expect((await rate(h, 'dana', 1, 5)).reply.text).toBe('#1 can be rated once it is resolved.');
    await h.command('acme', 'alice', 'resolve', 'root');
    expect(threadLines(h, 'acme').at(-1)).toMatch(/Ticket #1 resolved by Alice\. · How did we do with #1\? Rate it from 1 \(poor\) to 5/);
    const prompt = h.port.sent.at(-1)!.message;
    expect(prompt.type === 'thread' && prompt.card.rate).toEqual({ ticketId: 1 });

    expect((await rate(h, 'alice', 1, 5)).reply.text).toBe('Only the customer can rate #1.');
    expect((await rate(h, 'dana', 1, 2)).reply.text).toBe('Thanks — you rated #1 2 of 5.');
    expect(h.port.lines('staff').filter((l) => /rated 2 of 5/.test(l))).toEqual(['@carol ⚠ #1 of Acme Corp was rated 2 of 5. · “Slow exports”']);
    // Changed within the day: one more low rating pings nobody again.
    h.clock.t += 2 * HOUR;
    await rate(h, 'dana', 1, 1);
    expect(h.port.lines('staff').filter((l) => /was rated/.test(l))).toHaveLength(1);
    const withComment = await h.command('acme', 'dana', 'rate 4 fixed after all', 'root');
    expect(withComment.reply.text).toBe('Thanks — you rated #1 4 of 5, with your comment.');
    h.clock.t += DAY;
    expect((await rate(h, 'dana', 1, 5)).reply.text).toBe('The rating of #1 can no longer be changed.');
    const ticket = await h.store.get(1);
    expect(ticket!.events.filter((e) => e.type === 'rated').map((e) => (e.type === 'rated' ? [e.rating, e.comment ?? null] : []))).toEqual([
      [2, null],
      [1, null],
      [4, 'fixed after all'],
    ]);
    expect(ticket!.events.at(-1)?.type).toBe('rated');
    // The state stays resolved: a rating changes no state.
    expect((await h.command('staff', 'alice', 'status 1')).reply.cards?.[0]?.fields).toContainEqual({ label: 'Rating', value: '4 of 5' });
    await h.app.stop();
  });

  it('in the shell, a reply that is a number rates the resolved ticket instead of reopening it; a tier without ratings is not asked', async () => {
    const h = await harness(YAML, { t: at('2026-12-08T09:00:00Z') });
    await h.say('acme', 'dana', 'Question', { messageId: 'root' });
    await h.command('acme', 'alice', 'resolve', 'root');
    const outcome = await h.say('acme', 'dana', '5 great, thanks', { threadId: 'root' });
    expect(outcome.kind).toBe('rated');
    expect(threadLines(h, 'acme').at(-1)).toBe('✓ Thanks — you rated #1 5 of 5, with your comment.');
    expect((await h.store.get(1))!.events.at(-1)).toMatchObject({ type: 'rated', rating: 5, comment: 'great, thanks' });
    // Any other reply still reopens.
    expect((await h.say('acme', 'dana', 'one more thing', { threadId: 'root' })).kind).toBe('reopened');

    await h.say('initech', 'erin', 'Question', { messageId: 'q' });
    await h.command('initech', 'alice', 'resolve', 'q');
    expect(threadLines(h, 'initech').at(-1)).toBe('✓ Ticket #2 resolved by Alice.');
    expect((await rate(h, 'erin', 2, 5, 'initech')).reply.text).toBe('Ratings are not asked for #2.');
    await h.app.stop();
  });
});

describe('after a ticket closed', () => {
  it('a customer message in its thread opens a new ticket that follows it, shown in the acknowledgement and the export', async () => {
    const h = await harness(YAML, { t: at('2026-12-08T09:00:00Z') });
    await h.say('acme', 'dana', 'Question', { messageId: 'root' });
    await h.command('acme', 'alice', 'close', 'root');
    h.clock.t += HOUR;
    const outcome = await h.say('acme', 'dana', 'It broke again', { threadId: 'root', messageId: 'again' });
    expect(outcome.kind).toBe('opened');
    const next = outcome.kind === 'opened' ? outcome.ticket : undefined;
    expect(next?.id).toBe(2);
    expect(next?.threadId).toBe('root');
    expect(next?.events[0]).toMatchObject({ type: 'opened', follows: 1, text: 'It broke again' });
    expect(threadLines(h, 'acme').at(-1)).toMatch(/^Ticket #2 opened for Acme Corp · .*Follows: #1/);
    // The thread leads to the new ticket now; the old one stays closed.
    expect((await h.say('acme', 'dana', 'more detail', { threadId: 'root' })).kind).toBe('customer_message');
    expect((await h.store.get(2))!.events).toHaveLength(2);
    // A staff message in a closed ticket's thread opens nothing.
    await h.command('acme', 'alice', 'close 2');
    expect((await h.say('acme', 'alice', 'noted', { threadId: 'root' })).kind).toBe('ignored');
    const { toLogLine } = await import('../../src/domain/event-log.js');
    expect(toLogLine((await h.store.get(2))!.events[0]!)).toMatchObject({ type: 'opened', follows: 1 });
    await h.app.stop();
  });
});

describe('ratings in the weekly digest and on the queue page', () => {
  it('the digest line of a tier and the page’s trend carry the average and the count', async () => {
    const { weeklyFigures } = await import('../../src/report/digest.js');
    const { digestCard } = await import('../../src/service/digest-card.js');
    const { buildTrend } = await import('../../src/report/trend.js');
    const h = await harness(YAML, { t: at('2026-12-08T09:00:00Z') });
    for (const [root, rating] of [['a', 5], ['b', 2]] as const) {
      await h.say('acme', 'dana', `Question ${root}`, { messageId: root });
      await h.command('acme', 'alice', 'resolve', root);
      await h.command('acme', 'dana', `rate ${rating}`, root);
    }
    const tickets = [(await h.store.get(1))!, (await h.store.get(2))!];
    const config = parseConfig(YAML);
    // The digest's week is the seven full days before the day it is sent.
    const card = digestCard(config, weeklyFigures(config, tickets, h.clock.t + DAY, 'UTC'));
    expect(card.fields.find((f) => f.label === 'standard')?.value).toMatch(/ · rated 3\.50 of 5 \(2 ratings\)$/);
    const trend = await buildTrend(config, tickets, { at: h.clock.t + HOUR, weeks: 12, timezone: 'UTC' });
    expect(trend.satisfaction.standard).toEqual({ count: 2, average: 3.5 });
    expect(trend.satisfaction.enterprise).toEqual({ count: 0, average: null });
    await h.app.stop();
  });
});
