/**
 * Nothing lost across a dropped session. A resumed session gets its missed
 * events replayed by the gateway; a session that cannot be resumed (the
 * RESUME is answered with op 9, d=false — the same path as an
 * INVALID_SESSION on a live connection) is identified anew and the adapter
 * reads what it missed over
 * REST, from the last message id it saw, in customer channels and ticket
 * threads — as it does at start-up after downtime.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { ackIn, IDS, newFake, startHarness, type Harness } from './harness.js';

describe('Discord reconnection and reconciliation', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('resumes a dropped connection and receives the missed messages from the replay', async () => {
    h = await startHarness();
    h.fake.dropConnection();
    const missed = h.fake.postMessage(IDS.acme, h.dana, 'Posted while the bot was reconnecting');
    await ackIn(h.fake, missed);
    expect(h.fake.gateway.resumes).toHaveLength(1);
    expect(h.fake.gateway.readies).toBe(1);
    // Resumed, not re-identified: the history was not needed.
    expect(h.fake.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${IDS.acme}/messages` && r.query.has('after'))).toHaveLength(1);
    expect(h.connection.ready()).toBe(true);
  });

  it('after a session that cannot be resumed, identifies again and catches up over REST with the original timestamps', async () => {
    h = await startHarness();
    const earlier = h.fake.postMessage(IDS.globex, h.erin, 'Our invoices are wrong');
    await ackIn(h.fake, earlier);
    await h.settle();

    h.fake.dropConnection({ resumable: false });
    // While the bot is away: a new customer message, and a staff reply in the existing ticket's thread
    // (Rita is staff by role only; history carries no roles, so the adapter has to look her up).
    const missed = h.fake.postMessage(IDS.acme, h.dana, 'Production is down since 10:02', { at: Date.now() - 60_000 });
    const staffReply = h.fake.postMessage(earlier.id, h.rita, 'Fixed the invoice template, please check');
    expect(h.fake.connected).toBe(false);

    // discord.js waits up to 6.5 s between two IDENTIFYs (Discord's 5 s identify limit, plus jitter).
    const ack = await ackIn(h.fake, missed, 12_000);
    expect(ack.channel_id).toBe(missed.id);
    expect(h.fake.gateway.invalidSessions).toBe(1);
    expect(h.fake.gateway.readies).toBe(2);
    await h.settle();

    const opened = viewTicket((await h.store.get(2))!);
    expect(opened.openedAt).toBe(Date.parse(missed.timestamp));
    expect(opened.title).toBe('Production is down since 10:02');
    const first = (await h.store.get(1))!;
    expect(first.events.at(-1)).toMatchObject({ type: 'staff_reply', messageId: staffReply.id, at: Date.parse(staffReply.timestamp) });
    expect(h.logs.lines.some((l) => l.message.includes('missed while disconnected'))).toBe(true);
    expect(h.connection.ready()).toBe(true);

    // Should the gateway deliver the missed message after all, it is the same ticket.
    h.fake.redeliver(missed);
    await h.settle();
    expect(await h.store.get(3)).toBeUndefined();
  });

  it('at start-up catches up on what was posted while the bot was down, from its cursors', async () => {
    const fake = await newFake();
    const store = openMemoryStore();
    const first = await startHarness({ fake, store });
    const opener = fake.postMessage(IDS.acme, first.dana, 'Search is slow');
    await ackIn(fake, opener);
    await first.settle();
    await first.stop();

    // The bot is down.
    const newTicket = fake.postMessage(IDS.globex, first.erin, 'Cannot reset my password');
    const customerReply = fake.postMessage(opener.id, first.dana, 'Still slow today');

    h = await startHarness({ fake, store });
    await ackIn(fake, newTicket);
    await h.settle();
    expect(viewTicket((await store.get(2))!).openedAt).toBe(Date.parse(newTicket.timestamp));
    expect((await store.get(1))!.events.at(-1)).toMatchObject({ type: 'customer_message', messageId: customerReply.id });
    await h.stop();
    h = undefined;
    await fake.close();
  });

  it('a ticket thread deleted while the bot was down does not keep the rest of its channel from being caught up', async () => {
    const fake = await newFake();
    const store = openMemoryStore();
    const first = await startHarness({ fake, store });
    const opener = fake.postMessage(IDS.acme, first.dana, 'Search is slow');
    await ackIn(fake, opener);
    await first.settle();
    await first.stop();

    // While the bot is down: the ticket's thread is deleted, and a question is posted in the channel.
    const question = fake.postMessage(IDS.acme, first.erin, 'Can we add a second admin?', { at: Date.now() + 20 * 60_000 });
    fake.failNext('GET', new RegExp(`^/channels/${opener.id}/messages$`), { status: 404, body: { message: 'Unknown Channel', code: 10003 } });

    h = await startHarness({ fake, store });
    await h.settle();
    expect(await store.findByMessage('discord', IDS.acme, question.id)).toBe(2);
    expect(h.logs.lines.some((l) => l.level === 'warn' && l.message.includes('ticket thread cannot be read'))).toBe(true);
    await h.stop();
    h = undefined;
    await fake.close();
  });

  it('does not turn a channel history from before the first start into tickets', async () => {
    const fake = await newFake();
    fake.postMessage(IDS.acme, fake.member(IDS.dana, 'dana'), 'An old question from last year', { at: Date.now() - 86_400_000 });
    h = await startHarness({ fake });
    await h.settle();
    expect(await h.store.get(1)).toBeUndefined();
    // … but what comes after is read, whether or not the gateway delivers it.
    const fresh = fake.postMessage(IDS.acme, h.dana, 'A new question');
    await ackIn(fake, fresh);
    await h.stop();
    h = undefined;
    await fake.close();
  });
});
