/**
 * Tickets from messages: a customer's message in a bound channel opens a
 * ticket in a thread started on it, with an acknowledgement card; replies in
 * the thread follow the clock rules; bots, redeliveries, edits and
 * deletions behave as in Slack. Real discord.js against the fake gateway.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { customIds, messageText } from '../../helpers/fake-discord.js';
import { ackIn, IDS, startHarness, type Harness } from './harness.js';

describe('Discord tickets from messages', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('speaks the gateway protocol discord.js expects: v10 JSON, IDENTIFY with the message intents, heartbeats acknowledged', async () => {
    h = await startHarness();
    expect(h.fake.requests.some((r) => r.method === 'GET' && r.path === '/gateway/bot')).toBe(true);
    const query = h.fake.gateway.queries[0]!;
    expect(query.get('v')).toBe('10');
    expect(query.get('encoding')).toBe('json');
    expect(query.has('compress')).toBe(false);
    const intents = Number(h.fake.gateway.identifies[0]!.intents);
    const GUILDS = 1 << 0;
    const GUILD_MESSAGES = 1 << 9;
    const MESSAGE_CONTENT = 1 << 15;
    expect(intents & (GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT)).toBe(GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT);
    await h.fake.waitFor(() => h.fake.gateway.acks >= 2, 'two heartbeats', 3_000);
    expect(h.connection.ready()).toBe(true);
  });

  it('opens a ticket in a thread on the customer message, with an acknowledgement card and its controls', async () => {
    h = await startHarness();
    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Our production API is down, every call returns 502');
    const ack = await ackIn(h.fake, opener);

    // The thread was started on the customer's own message: its id is the message's id.
    const thread = h.fake.threadOf(opener.id);
    expect(thread?.parent_id).toBe(IDS.acme);
    expect(thread?.name).toBe('Ticket #1 · Acme Corp');
    expect(ack.channel_id).toBe(opener.id);

    const text = messageText(ack);
    expect(text).toMatch(/Ticket #1 opened for Acme Corp/);
    expect(text).toMatch(/Tier: enterprise/);
    expect(text).toMatch(/Severity: urgent \(guessed\)/);
    expect(text).toMatch(/First response due: /);
    expect(customIds(ack)).toEqual(['slawatch:claim:1', 'slawatch:wait:1', 'slawatch:resolve:1', 'slawatch:severity:1']);
    const labels = (ack.components as { components: { label?: string }[] }[]).flatMap((row) => row.components.map((c) => c.label)).filter(Boolean);
    expect(labels).toEqual(['Claim', 'Waiting on customer', 'Resolve']);

    // Nothing went to the customer channel itself, and the acknowledgement pings nobody.
    expect(h.fake.channel(IDS.acme).sent).toHaveLength(0);
    expect(h.fake.channel(opener.id).sent[0]!.pinged).toEqual({ users: [], roles: [], everyone: false });

    const ticket = await h.store.get(1);
    expect(ticket?.threadId).toBe(opener.id);
    expect(viewTicket(ticket!).openedAt).toBe(Date.parse(opener.timestamp));
  });

  it('stops the first-response clock at a staff message in the thread, by configured user id or by role', async () => {
    h = await startHarness();
    const first = h.fake.postMessage(IDS.acme, h.dana, 'Login page shows an error');
    await ackIn(h.fake, first);
    h.fake.postMessage(first.id, h.dana, 'It started ten minutes ago');
    await h.settle();
    let view = viewTicket((await h.store.get(1))!);
    expect(view.staffReplied).toBe(false);

    // Rita is staff only through the Support role, which the gateway sends as member.roles.
    const reply = h.fake.postMessage(first.id, h.rita, 'Looking into it now.');
    await h.settle();
    const ticket = (await h.store.get(1))!;
    view = viewTicket(ticket);
    expect(view.staffReplied).toBe(true);
    expect(view.lastStaffReplyAt).toBe(Date.parse(reply.timestamp));
    expect(ticket.events.map((e) => e.type)).toEqual(['opened', 'customer_message', 'staff_reply']);

    // A second ticket: Alice is staff by her configured Discord id.
    const second = h.fake.postMessage(IDS.initech, h.erin, 'Exports are empty');
    await ackIn(h.fake, second);
    h.fake.postMessage(second.id, h.alice, 'On it');
    await h.settle();
    const events = (await h.store.get(2))!.events;
    expect(events.at(-1)).toMatchObject({ type: 'staff_reply', by: { personId: 'alice' } });
  });

  it('never lets a bot open or answer a ticket, and ignores staff top-level messages and unbound channels', async () => {
    h = await startHarness();
    h.fake.postMessage(IDS.acme, { id: IDS.otherBot, username: 'deploy-bot', bot: true }, 'Deploy finished: everything is down');
    h.fake.postMessage(IDS.acme, h.alice, 'Heads up: maintenance tonight');
    h.fake.postMessage(IDS.lobby, h.dana, 'Hello? is this support?');
    await h.settle();
    expect(await h.store.get(1)).toBeUndefined();

    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Help please');
    await ackIn(h.fake, opener);
    h.fake.postMessage(opener.id, { id: IDS.otherBot, username: 'deploy-bot', bot: true }, 'I am a bot and I say hi');
    await h.settle();
    expect((await h.store.get(1))!.events.map((e) => e.type)).toEqual(['opened']);
  });

  it('makes one ticket and one acknowledgement when the gateway delivers a message twice', async () => {
    h = await startHarness();
    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Webhooks are delayed');
    await ackIn(h.fake, opener);
    h.fake.redeliver(opener);
    h.fake.redeliver(opener);
    await h.settle();
    // Both replays reached the bot and were recognised by their message id.
    expect(h.logs.lines.filter((l) => l.message === 'message handled' && (l.fields as { outcome?: string }).outcome === 'duplicate')).toHaveLength(2);
    expect(h.fake.channel(opener.id).count(/Ticket #\d+ opened/)).toBe(1);
    expect(await h.store.get(2)).toBeUndefined();
  });

  it('records edits as the ticket text and keeps the ticket when a message is deleted', async () => {
    h = await startHarness();
    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Billing page is slow');
    await ackIn(h.fake, opener);
    h.fake.editMessage(IDS.acme, opener.id, 'Billing page times out for all users');
    await h.settle();
    expect(viewTicket((await h.store.get(1))!).title).toBe('Billing page times out for all users');

    const followUp = h.fake.postMessage(opener.id, h.dana, 'Here is a screenshot');
    await h.settle();
    h.fake.deleteMessage(opener.id, followUp.id);
    h.fake.deleteMessage(IDS.acme, opener.id);
    await h.settle();
    const ticket = (await h.store.get(1))!;
    expect(viewTicket(ticket).state).toBe('open');
    expect(viewTicket(ticket).deletedMessages).toBe(2);
    expect(ticket.events.filter((e) => e.type === 'message_deleted').map((e) => e.messageId).sort()).toEqual([followUp.id, opener.id].sort());
  });

  it('groups quick follow-up messages into the open ticket instead of opening more', async () => {
    h = await startHarness();
    const first = h.fake.postMessage(IDS.acme, h.dana, 'The dashboard is blank');
    await ackIn(h.fake, first);
    h.fake.postMessage(IDS.acme, h.dana, 'also the reports page');
    await h.settle();
    expect(await h.store.get(2)).toBeUndefined();
    expect((await h.store.get(1))!.events.map((e) => e.type)).toEqual(['opened', 'customer_message']);
  });

  it('answers in the channel, as a reply, when the bot may not start a thread there', async () => {
    h = await startHarness();
    h.fake.failNext('POST', /\/threads$/, { status: 403, body: { message: 'Missing Permissions', code: 50013 } });
    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Thread permissions are off');
    const ack = await h.fake.channel(IDS.acme).expectMessage(/Ticket #1 opened/);
    expect(ack.body.message_reference).toMatchObject({ message_id: opener.id });
    expect(h.fake.threadOf(opener.id)).toBeUndefined();
    expect(h.logs.lines.some((l) => l.level === 'warn' && l.message.includes('could not start the ticket thread'))).toBe(true);
  });
});
