/**
 * The one reconciliation every platform uses, driven here by a platform
 * whose history lives in memory, against a real bot: a channel read for the
 * first time starts at its newest message; after that, what the channel and
 * its threads hold after the cursor is fed in time order with its own
 * timestamps; a pass that fails half-way resumes where it stopped.
 */
import { describe, expect, it } from 'vitest';
import { CursorBook } from '../../../adapters/common/cursors.js';
import { Reconciler, type HistoryPage, type HistorySource, type Located, type ReconcilerDeps } from '../../../adapters/common/reconcile.js';
import { viewTicket } from '../../../src/domain/ticket.js';
import type { IncomingMessage } from '../../../src/service/desk-port.js';
import type { Logger } from '../../../src/service/logger.js';
import { harness, T0, type Harness } from '../../helpers/app-harness.js';

const CONFIG = `
people:
  alice: { name: Alice }
staff:
  people: [alice]
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] } }
  - { id: globex, name: Globex, tier: enterprise, channels: { shell: [globex] } }
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d } }
tickets: { groupingWindow: 10m }
`;

const MIN = 60_000;

interface Posted {
  channel: string;
  /** Epoch ms; also the message's id and position. */
  at: number;
  user: string;
  text: string;
  /** The id of the thread's first message, for a reply. */
  thread?: string;
  /** A message posted by a bot, or a join: not a person's message. */
  notPerson?: boolean;
  edited?: { text: string; at: number };
}

/**
 * A platform whose positions are epoch ms written in decimal. It lists
 * newest first in pages of `pageSize`, as chat platforms do, so putting
 * things in time order is the driver's work; it records what was asked.
 */
class MemoryHistory implements HistorySource<Posted> {
  readonly platform = 'shell' as const;
  readonly order = { compare: (a: string, b: string) => Number(a) - Number(b), at: (ms: number) => String(ms), timeOf: Number };
  readonly posted: Posted[] = [];
  readonly reads: { channel: string; thread?: string; after: string; page?: string }[] = [];
  /** Reading fails for these channels (a channel the bot cannot read). */
  readonly unreadable = new Set<string>();
  /** The author look-up fails for messages at these times (once each). */
  readonly failingLookups = new Set<number>();
  reading = 0;
  mostAtOnce = 0;

  constructor(private readonly pageSize = 2) {}

  post(message: Posted): Posted {
    this.posted.push(message);
    return message;
  }

  async newest(channel: string): Promise<string | undefined> {
    this.check(channel);
    const top = this.posted.filter((m) => m.channel === channel && !m.thread);
    return top.length ? String(Math.max(...top.map((m) => m.at))) : undefined;
  }

  channelPage(channel: string, after: string, page?: string): Promise<HistoryPage<Posted>> {
    this.reads.push({ channel, after, ...(page ? { page } : {}) });
    return this.page(channel, (m) => m.channel === channel && !m.thread && m.at > Number(after), page);
  }

  threadPage(channel: string, thread: string, after: string, page?: string): Promise<HistoryPage<Posted>> {
    this.reads.push({ channel, thread, after, ...(page ? { page } : {}) });
    return this.page(channel, (m) => m.channel === channel && m.thread === thread && m.at > Number(after), page);
  }

  locate(message: Posted): Located {
    const replies = this.posted.some((m) => m.thread === String(message.at));
    return { id: String(message.at), position: String(message.at), ...(replies ? { thread: String(message.at) } : {}) };
  }

  async incoming(channel: string, message: Posted): Promise<IncomingMessage | undefined> {
    if (message.notPerson) return undefined;
    if (this.failingLookups.delete(message.at)) throw new Error('the platform did not answer the author look-up');
    return {
      platform: 'shell',
      channelId: channel,
      messageId: String(message.at),
      ...(message.thread ? { threadId: message.thread } : {}),
      author: { userId: message.user, ...(message.user === 'alice' ? { personId: 'alice' } : {}) },
      text: message.edited?.text ?? message.text,
      at: message.at,
    };
  }

  edited(message: Posted): { text: string; at: number } | undefined {
    return message.edited;
  }

  private check(channel: string): void {
    if (this.unreadable.has(channel)) throw new Error(`not allowed to read ${channel}`);
  }

  private async page(channel: string, wanted: (m: Posted) => boolean, page?: string): Promise<HistoryPage<Posted>> {
    this.check(channel);
    this.mostAtOnce = Math.max(this.mostAtOnce, ++this.reading);
    await new Promise((r) => setTimeout(r, 1));
    this.reading--;
    const all = this.posted.filter(wanted).sort((a, b) => b.at - a.at);
    const start = page ? Number(page) : 0;
    const next = start + this.pageSize < all.length ? String(start + this.pageSize) : undefined;
    return { messages: all.slice(start, start + this.pageSize), ...(next ? { next } : {}) };
  }
}

interface Logged {
  level: string;
  message: string;
}

function reconciler(h: Harness, history: MemoryHistory, options: Partial<ReconcilerDeps<Posted>> = {}) {
  const logs: Logged[] = [];
  const at = (level: string) => (_fields: object, message: string) => void logs.push({ level, message });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const cursors = new CursorBook(h.desk, 'shell', history.order);
  const driver = new Reconciler({ desk: h.desk, source: history, cursors, channels: () => ['acme', 'globex'], now: () => h.clock.t, log, ...options });
  return { driver, logs };
}

async function ticketOf(h: Harness, channel: string, at: number) {
  const id = await h.store.findByMessage('shell', channel, String(at));
  return id === undefined ? undefined : h.store.get(id);
}

describe('reconciliation, the first time a channel is read', () => {
  it('starts at the newest message and turns no older history into tickets; an empty channel starts now', async () => {
    const h = await harness(CONFIG);
    const history = new MemoryHistory();
    history.post({ channel: 'acme', at: T0 - 60 * MIN, user: 'dana', text: 'an old question from last year' });
    const { driver } = reconciler(h, history);
    expect(await driver.run('start-up')).toEqual({ channels: 2, messages: 0, failed: [] });
    expect(await h.desk.getCursor('shell', 'acme')).toBe(String(T0 - 60 * MIN));
    expect(await h.desk.getCursor('shell', 'globex')).toBe(String(T0));
    expect(await h.store.get(1)).toBeUndefined();

    // What comes after is read.
    const fresh = history.post({ channel: 'globex', at: T0 + MIN, user: 'erin', text: 'Exports are empty' });
    expect(await driver.run('again')).toMatchObject({ messages: 1 });
    expect(viewTicket((await ticketOf(h, 'globex', fresh.at))!).openedAt).toBe(fresh.at);
  });
});

describe('reconciliation after downtime', () => {
  it('feeds the channel and its threads in one time order, with the messages\' own timestamps', async () => {
    const h = await harness(CONFIG);
    const history = new MemoryHistory();
    const { driver } = reconciler(h, history);
    await driver.run('start-up');

    // While the bot was away: a question, staff's answer in its thread, then another question two minutes later.
    const question = history.post({ channel: 'acme', at: T0 + MIN, user: 'dana', text: 'SSO is failing' });
    const answer = history.post({ channel: 'acme', at: T0 + 2 * MIN, user: 'alice', text: 'Looking', thread: String(question.at) });
    const next = history.post({ channel: 'acme', at: T0 + 3 * MIN, user: 'dana', text: 'Also, can we get a second seat?' });
    history.post({ channel: 'acme', at: T0 + 4 * MIN, user: 'joinbot', text: 'dana joined', notPerson: true });
    h.clock.t = T0 + 30 * MIN;
    expect(await driver.run('start-up')).toEqual({ channels: 2, messages: 3, failed: [] });

    const first = viewTicket((await ticketOf(h, 'acme', question.at))!);
    expect(first.openedAt).toBe(question.at);
    expect(first.lastStaffReplyAt).toBe(answer.at);
    // Staff had answered before the second question: it is a ticket of its own, not part of the first.
    const second = (await ticketOf(h, 'acme', next.at))!;
    expect(second.id).toBe(2);
    expect(viewTicket(second).openedAt).toBe(next.at);
    // The cursor is past everything read, the join included.
    expect(await h.desk.getCursor('shell', 'acme')).toBe(String(T0 + 4 * MIN));
  });

  it('reads the threads of live tickets and of threads started meanwhile, every page of each', async () => {
    const h = await harness(CONFIG);
    const history = new MemoryHistory(2);
    await reconciler(h, history).driver.run('start-up');
    // Handled live, before the bot went away.
    await h.desk.receiveMessage({ platform: 'shell', channelId: 'acme', messageId: String(T0 + MIN), author: { userId: 'dana' }, text: 'Reports are late', at: T0 + MIN });
    history.post({ channel: 'acme', at: T0 + MIN, user: 'dana', text: 'Reports are late' });
    await h.desk.setCursor('shell', 'acme', String(T0 + MIN));
    const { driver } = reconciler(h, history);

    // While away: five replies in the live ticket's thread (three pages), and a new question answered in its own thread.
    for (let i = 1; i <= 5; i++) history.post({ channel: 'acme', at: T0 + (10 + i) * MIN, user: 'dana', text: `still late (${i})`, thread: String(T0 + MIN) });
    const question = history.post({ channel: 'acme', at: T0 + 40 * MIN, user: 'erin', text: 'Webhooks fail' });
    history.post({ channel: 'acme', at: T0 + 41 * MIN, user: 'alice', text: 'Fixed', thread: String(question.at) });
    expect(await driver.run('after downtime')).toMatchObject({ messages: 7, failed: [] });

    const live = (await ticketOf(h, 'acme', T0 + MIN))!;
    expect(live.events.filter((e) => e.type === 'customer_message').map((e) => e.at)).toEqual([11, 12, 13, 14, 15].map((m) => T0 + m * MIN));
    expect(viewTicket((await ticketOf(h, 'acme', question.at))!).staffReplied).toBe(true);
    expect(history.reads.filter((r) => r.thread === String(T0 + MIN)).map((r) => r.page)).toEqual([undefined, '2', '4']);
  });

  it('re-reads an overlap before the cursor: a message missed just before it is found, and a later edit lands', async () => {
    const h = await harness(CONFIG);
    const history = new MemoryHistory();
    const { driver } = reconciler(h, history, { overlapMs: 5 * MIN });
    await driver.run('start-up');
    // Handled live: the first message; the one just before the second was lost; the second moved the cursor.
    const edited = history.post({ channel: 'acme', at: T0 + MIN, user: 'dana', text: 'Emails bounce' });
    await h.desk.receiveMessage({ platform: 'shell', channelId: 'acme', messageId: String(edited.at), author: { userId: 'dana' }, text: edited.text, at: edited.at });
    const lost = history.post({ channel: 'globex', at: T0 + 2 * MIN, user: 'erin', text: 'Search is down' });
    const seen = history.post({ channel: 'globex', at: T0 + 3 * MIN, user: 'alice', text: 'FYI: maintenance tonight' });
    await h.desk.setCursor('shell', 'globex', String(seen.at));
    await h.desk.setCursor('shell', 'acme', String(edited.at));
    // Edited after the cursor; and an edit from before the cursor, which the ticket already has.
    edited.edited = { text: 'Emails bounce for Gmail addresses', at: T0 + 4 * MIN };

    const again = reconciler(h, history, { overlapMs: 5 * MIN }).driver;
    await again.run('after downtime');
    expect(viewTicket((await ticketOf(h, 'globex', lost.at))!).openedAt).toBe(lost.at);
    expect(viewTicket((await ticketOf(h, 'acme', edited.at))!).title).toBe('Emails bounce for Gmail addresses');
    expect(history.reads.filter((r) => r.channel === 'globex').at(-1)?.after).toBe(String(seen.at - 5 * MIN));

    // Read once more, nothing changes.
    const before = await h.store.get(1);
    await again.run('once more');
    expect(await h.store.get(1)).toEqual(before);
    expect(await h.store.get(3)).toBeUndefined();
  });

  it('a channel that cannot be read is reported, the others are caught up, and it is caught up once readable', async () => {
    const h = await harness(CONFIG);
    const history = new MemoryHistory();
    const { driver, logs } = reconciler(h, history, { unreadableHint: 'is the bot a member?' });
    await driver.run('start-up');
    history.post({ channel: 'acme', at: T0 + MIN, user: 'dana', text: 'Login fails' });
    history.post({ channel: 'globex', at: T0 + 2 * MIN, user: 'erin', text: 'Invoices are wrong' });
    history.unreadable.add('acme');
    expect(await driver.run('after downtime')).toEqual({ channels: 2, messages: 1, failed: ['acme'] });
    expect(logs).toContainEqual({ level: 'warn', message: 'shell: could not catch up on the channel (is the bot a member?)' });
    expect(await ticketOf(h, 'acme', T0 + MIN)).toBeUndefined();

    history.unreadable.delete('acme');
    expect(await driver.run('again')).toMatchObject({ failed: [] });
    expect(await ticketOf(h, 'acme', T0 + MIN)).toBeDefined();
  });

  it('a pass that fails half-way keeps the cursor at the last message handled, and the next pass resumes there', async () => {
    const h = await harness(CONFIG);
    const history = new MemoryHistory();
    const { driver } = reconciler(h, history);
    await driver.run('start-up');
    const one = history.post({ channel: 'acme', at: T0 + MIN, user: 'dana', text: 'one' });
    const two = history.post({ channel: 'acme', at: T0 + 20 * MIN, user: 'dana', text: 'two' });
    const three = history.post({ channel: 'acme', at: T0 + 40 * MIN, user: 'dana', text: 'three' });
    history.failingLookups.add(two.at);

    expect(await driver.run('after downtime')).toMatchObject({ failed: ['acme'] });
    expect(await ticketOf(h, 'acme', one.at)).toBeDefined();
    expect(await ticketOf(h, 'acme', three.at)).toBeUndefined();
    expect(await h.desk.getCursor('shell', 'acme')).toBe(String(one.at));

    expect(await driver.run('again')).toMatchObject({ messages: 2, failed: [] });
    expect(history.reads.filter((r) => r.channel === 'acme' && !r.thread).at(-1)?.after).toBe(String(one.at));
    expect((await ticketOf(h, 'acme', two.at))?.id).toBe(2);
    expect((await ticketOf(h, 'acme', three.at))?.id).toBe(3);
  });

  it('runs one pass at a time: calls during a pass ask for one more pass after it', async () => {
    const h = await harness(CONFIG);
    const history = new MemoryHistory();
    const { driver } = reconciler(h, history);
    await driver.run('start-up');
    history.post({ channel: 'acme', at: T0 + MIN, user: 'dana', text: 'one' });
    const reads = history.reads.length;
    const passes = [driver.run('session 2'), driver.run('session 3'), driver.run('session 4')];
    await Promise.all(passes);
    await driver.settled();
    // Two passes over two channels, never two reads at once.
    expect(history.reads.slice(reads).filter((r) => !r.thread)).toHaveLength(4);
    expect(history.mostAtOnce).toBe(1);
  });

  it('handles each message in the channel\'s lane, and bounds the pages of one listing', async () => {
    const h = await harness(CONFIG);
    const history = new MemoryHistory(1);
    const lanes: string[] = [];
    const { driver } = reconciler(h, history, {
      maxPages: 2,
      lane: (channel, work) => {
        lanes.push(channel);
        return work();
      },
    });
    await driver.run('start-up');
    for (let i = 1; i <= 3; i++) history.post({ channel: 'globex', at: T0 + i * 20 * MIN, user: 'erin', text: `question ${i}` });
    expect(await driver.run('after downtime')).toMatchObject({ messages: 2 });
    expect(lanes).toEqual(['globex', 'globex']);
    // Newest first, two pages: the two newest were read (the oldest was not).
    expect(await ticketOf(h, 'globex', T0 + 20 * MIN)).toBeUndefined();
    expect(await ticketOf(h, 'globex', T0 + 40 * MIN)).toBeDefined();
  });
});

/** A platform that lists each thread's first message with where its newest reply is, as Slack does (`latest_reply`). */
class ListingHistory extends MemoryHistory {
  latestReply(message: Posted): string | undefined {
    const replies = this.posted.filter((m) => m.thread === String(message.at)).map((m) => m.at);
    return replies.length ? String(Math.max(...replies)) : undefined;
  }
}

describe('reconciliation by channel', () => {
  it('reads only the threads whose newest reply is after the cursor and unknown to their ticket', async () => {
    const h = await harness(CONFIG);
    const history = new ListingHistory(10);
    await reconciler(h, history).driver.run('start-up');
    // Handled live: two tickets in acme; the bot's acknowledgement-like reply in the first is one its ticket records.
    for (const at of [T0 + MIN, T0 + 2 * MIN]) {
      history.post({ channel: 'acme', at, user: 'dana', text: `question at ${at}` });
      await h.desk.receiveMessage({ platform: 'shell', channelId: 'acme', messageId: String(at), author: { userId: 'dana' }, text: 'q', at });
    }
    history.post({ channel: 'acme', at: T0 + 3 * MIN, user: 'alice', text: 'on it', thread: String(T0 + MIN) });
    await h.desk.receiveMessage({ platform: 'shell', channelId: 'acme', messageId: String(T0 + 3 * MIN), threadId: String(T0 + MIN), author: { userId: 'alice', personId: 'alice' }, text: 'on it', at: T0 + 3 * MIN });
    await h.desk.setCursor('shell', 'acme', String(T0 + 3 * MIN));

    // While away: a follow-up in the second ticket's thread only.
    const followUp = history.post({ channel: 'acme', at: T0 + 30 * MIN, user: 'dana', text: 'any news?', thread: String(T0 + 2 * MIN) });
    history.reads.length = 0;
    await reconciler(h, history).driver.run('after downtime');

    expect(history.reads.filter((r) => r.thread).map((r) => r.thread)).toEqual([String(T0 + 2 * MIN)]);
    // The channel is listed from its oldest live ticket on, so both first messages (and where their threads stand) are seen.
    expect(history.reads.filter((r) => !r.thread && r.channel === 'acme').map((r) => r.after)).toEqual([String(T0 + MIN - 1)]);
    expect((await ticketOf(h, 'acme', followUp.at))?.id).toBe((await ticketOf(h, 'acme', T0 + 2 * MIN))?.id);
  });

  it('reads channels with live tickets first, and every channel from a floor given to the pass', async () => {
    const h = await harness(CONFIG);
    const history = new MemoryHistory();
    await reconciler(h, history).driver.run('start-up');
    await h.desk.receiveMessage({ platform: 'shell', channelId: 'globex', messageId: String(T0 + MIN), author: { userId: 'erin' }, text: 'Exports fail', at: T0 + MIN });
    history.post({ channel: 'globex', at: T0 + MIN, user: 'erin', text: 'Exports fail' });
    // A message whose event was refused while the store was away; a later live one moved the cursor past it.
    const refused = history.post({ channel: 'acme', at: T0 + 5 * MIN, user: 'dana', text: 'Login fails' });
    history.post({ channel: 'acme', at: T0 + 20 * MIN, user: 'alice', text: 'FYI: deploy at noon' });
    await h.desk.setCursor('shell', 'acme', String(T0 + 20 * MIN));
    history.reads.length = 0;

    const { driver } = reconciler(h, history);
    await driver.run('store back', { since: T0 + 4 * MIN });
    expect(history.reads.filter((r) => !r.thread).map((r) => r.channel)).toEqual(['globex', 'acme']);
    expect(history.reads.find((r) => r.channel === 'acme')?.after).toBe(String(T0 + 4 * MIN));
    expect(viewTicket((await ticketOf(h, 'acme', refused.at))!).openedAt).toBe(refused.at);
    expect(driver.progress()).toMatchObject({ channelsBehind: 0 });
  });
});

describe('a store that comes back empty', () => {
  it('reads from the cursor known in memory, without the overlap or the floor: nothing handled before is opened again', async () => {
    const h = await harness(CONFIG);
    const history = new MemoryHistory();
    let wiped = false;
    // The desk's cursors, as a store that loses them when "wiped".
    const store = {
      getCursor: async (platform: 'shell', channel: string) => (wiped ? undefined : h.desk.getCursor(platform, channel)),
      setCursor: async (platform: 'shell', channel: string, position: string) => {
        wiped = false;
        await h.desk.setCursor(platform, channel, position);
      },
    };
    const cursors = new CursorBook(store, 'shell', history.order);
    const driver = new Reconciler({ desk: h.desk, source: history, cursors, channels: () => ['acme'], now: () => h.clock.t, log: silent, overlapMs: 5 * MIN });
    await driver.run('start-up');
    const handled = history.post({ channel: 'acme', at: T0 + MIN, user: 'dana', text: 'handled before the outage' });
    await driver.run('live');
    expect((await ticketOf(h, 'acme', handled.at))?.id).toBe(1);

    // The store comes back without its cursors (and, in life, its tickets); a message posted meanwhile is in the history.
    wiped = true;
    const refused = history.post({ channel: 'acme', at: T0 + 20 * MIN, user: 'dana', text: 'posted while the store was away' });
    history.reads.length = 0;
    await driver.run('store back', { since: T0 });
    expect(history.reads.find((r) => !r.thread)?.after).toBe(String(handled.at));
    expect(viewTicket((await ticketOf(h, 'acme', refused.at))!).openedAt).toBe(refused.at);
    expect(await h.desk.getCursor('shell', 'acme')).toBe(String(refused.at));
  });
});

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
