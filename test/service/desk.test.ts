import { describe, expect, it } from 'vitest';
import { viewTicket } from '../../src/domain/ticket.js';
import { harness, T0 } from '../helpers/app-harness.js';

const CONFIG = `
people:
  alice: { name: Alice }
  bob: { name: Bob }
staff:
  people: [alice, bob]
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] } }
  - { id: initech, name: Initech, tier: standard, channels: { shell: [initech] } }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d }
      urgent: { firstResponse: 15m }
  standard:
    targets:
      default: { firstResponse: 4h }
tickets: { groupingWindow: 10m, reopenWindow: 1d }
`;

const MIN = 60_000;

describe('tickets from messages', () => {
  it('a customer message opens a ticket whose clock starts at the message timestamp, and acknowledges it in the thread', async () => {
    const h = await harness(CONFIG);
    const result = await h.desk.receiveMessage({ platform: 'shell', channelId: 'acme', messageId: 'm1', author: { userId: 'dana' }, text: 'Login fails', at: T0 - 5 * MIN });
    expect(result.kind).toBe('opened');
    if (result.kind !== 'opened') return;
    const view = viewTicket(result.ticket);
    expect(view.openedAt).toBe(T0 - 5 * MIN);
    expect(view.severity).toBe('high'); // guessed from "fails"
    expect(view.severityGuessed).toBe(true);
    const ack = h.port.sent[0]?.message;
    expect(ack).toMatchObject({ type: 'thread', channelId: 'acme', threadId: 'm1', ticketId: 1 });
    // Due one hour after the message, not after processing.
    expect(h.port.lines('acme')[0]).toMatch(/Ticket #1 opened for Acme Corp · Tier: enterprise · Severity: high \(guessed\) · First response due: Mon 2 Mar 10:55 UTC/);
  });

  it('quick follow-ups within the grouping window join the unanswered ticket; later ones open a new one', async () => {
    const h = await harness(CONFIG);
    expect((await h.say('acme', 'dana', 'The dashboard is blank')).kind).toBe('opened');
    h.clock.t += 4 * MIN;
    expect((await h.say('acme', 'dana', 'also the API returns 500')).kind).toBe('appended');
    h.clock.t += 9 * MIN;
    expect((await h.say('acme', 'erin', 'same here')).kind).toBe('appended');
    h.clock.t += 11 * MIN;
    const late = await h.say('acme', 'dana', 'a new question');
    expect(late.kind).toBe('opened');
    expect(late.kind === 'opened' && late.ticket.id).toBe(2);
  });

  it('a staff reply ends grouping: the next top-level customer message is a new ticket', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', 'Question one', { messageId: 'q1' });
    await h.say('acme', 'alice', 'On it', { threadId: 'q1' });
    h.clock.t += MIN;
    expect((await h.say('acme', 'dana', 'Question two')).kind).toBe('opened');
  });

  it('ignores bots, staff top-level posts, unbound channels and replays of the same message id', async () => {
    const h = await harness(CONFIG);
    expect(await h.say('acme', 'somebot', 'I am a bot', { isBot: true })).toMatchObject({ kind: 'ignored', reason: 'from_bot' });
    expect(await h.say('acme', 'alice', 'Maintenance tonight')).toMatchObject({ kind: 'ignored' });
    expect(await h.say('random', 'dana', 'hello')).toMatchObject({ kind: 'ignored', reason: 'unbound_channel' });
    expect((await h.say('acme', 'dana', 'Broken', { messageId: 'X1' })).kind).toBe('opened');
    expect(await h.say('acme', 'dana', 'Broken', { messageId: 'X1' })).toEqual({ kind: 'duplicate', ticketId: 1 });
    expect(h.port.sent.filter((s) => s.message.type === 'thread')).toHaveLength(1);
  });

  it('thread replies: staff replies stop first response; a customer reply after resolve reopens within the window', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', 'Cannot export', { messageId: 'root' });
    h.clock.t += 10 * MIN;
    expect((await h.say('acme', 'alice', 'Looking', { threadId: 'root' })).kind).toBe('staff_reply');
    await h.command('acme', 'alice', 'resolve', 'root');
    h.clock.t += 60 * MIN;
    const reopened = await h.say('acme', 'dana', 'It broke again', { threadId: 'root' });
    expect(reopened.kind).toBe('reopened');
    expect(h.port.lines('acme').at(-1)).toMatch(/Ticket #1 reopened/);
    await h.command('acme', 'alice', 'resolve', 'root');
    h.clock.t += 2 * 24 * 60 * MIN;
    expect(await h.say('acme', 'dana', 'hello?', { threadId: 'root' })).toMatchObject({ kind: 'ignored', reason: 'outside_reopen_window' });
  });


  it('a customer reply written before the resolve and delivered late joins the log before it and reopens nothing', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', 'Cannot export', { messageId: 'root' });
    h.clock.t += 10 * MIN;
    await h.command('acme', 'alice', 'resolve', 'root');
    h.clock.t -= 5 * MIN; // the reply's own timestamp: before the resolve (reconciled after downtime, say)
    expect((await h.say('acme', 'dana', 'One more detail', { threadId: 'root' })).kind).toBe('customer_message');
    const ticket = await h.store.get(1);
    expect(ticket!.events.map((e) => e.type)).toEqual(['opened', 'customer_message', 'resolved']);
    expect(viewTicket(ticket!).state).toBe('resolved');
  });
  it('edits update the opening text; deletions keep the ticket and note it', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', 'Typo', { messageId: 'root' });
    await h.desk.messageEdited('shell', 'acme', 'root', 'Payments fail with 402', T0 + MIN);
    await h.desk.messageDeleted('shell', 'acme', 'root', T0 + 2 * MIN);
    await h.desk.messageDeleted('shell', 'acme', 'root', T0 + 3 * MIN);
    const ticket = await h.store.get(1);
    const view = viewTicket(ticket!);
    expect(view.title).toBe('Payments fail with 402');
    expect(view.deletedMessages).toBe(1);
    expect(view.state).toBe('open');
  });

  it('serializes a burst of messages in one channel into one ticket', async () => {
    const h = await harness(CONFIG);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => h.say('acme', 'dana', `burst ${i}`)));
    expect(results.filter((r) => r.kind === 'opened')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'appended')).toHaveLength(19);
    expect((await h.store.get(1))?.events).toHaveLength(20);
  });
});

describe('commands', () => {
  it('customers get a polite refusal for ticket-changing commands and see only their channel', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', 'Acme problem', { messageId: 'a' });
    await h.say('initech', 'ivan', 'Initech problem', { messageId: 'i' });
    const refused = await h.command('acme', 'dana', 'claim', 'a');
    expect(refused.reply).toMatchObject({ ephemeral: true });
    expect(refused.reply.text).toMatch(/only the support team can change a ticket/);
    expect((await h.command('acme', 'dana', 'status 2')).reply.text).toBe('There is no ticket #2 here.');
    const own = await h.command('acme', 'dana', 'status 1');
    expect(own.reply.cards?.[0]?.title).toBe('Ticket #1 — Acme Corp');
    // A customer's status has no buttons; staff's does.
    expect(own.reply.cards?.[0]?.actions).toBeUndefined();
    expect((await h.command('acme', 'alice', 'status 2')).reply.cards?.[0]?.actions?.offer).toContain('claim');
    const queue = await h.command('acme', 'dana', 'queue');
    expect(queue.reply.text).toMatch(/Open tickets \(1\)/);
  });

  it('claim, severity, wait, resolve, reopen, close — each checked against the state', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', 'question', { messageId: 'r' });
    expect((await h.command('acme', 'alice', 'claim', 'r')).reply.text).toBe('Ticket #1 claimed by Alice.');
    expect((await h.command('acme', 'alice', 'claim', 'r')).reply.text).toMatch(/already claimed/);
    expect((await h.command('acme', 'alice', 'severity urgent', 'r')).reply.text).toBe('Ticket #1 severity changed to urgent by Alice.');
    expect((await h.command('acme', 'alice', 'reopen 1')).reply.text).toMatch(/only a resolved ticket can be reopened/);
    const wait = await h.command('acme', 'bob', 'wait #1');
    expect(wait.reply.text).toBe('Ticket #1 is waiting on your reply by Bob.');
    expect(h.port.lines('acme').at(-1)).toMatch(/waiting on your reply/);
    await h.command('acme', 'bob', 'resolve 1');
    await h.command('acme', 'bob', 'reopen 1');
    await h.command('acme', 'bob', 'close 1');
    expect((await h.command('acme', 'bob', 'resolve 1')).reply.text).toMatch(/already closed/);
    const view = viewTicket((await h.store.get(1))!);
    expect(view).toMatchObject({ state: 'closed', severity: 'urgent', severityGuessed: false });
    expect(view.assignee?.personId).toBe('alice');
  });

  it('answers bad input with what went wrong', async () => {
    const h = await harness(CONFIG);
    expect((await h.command('acme', 'alice', 'frobnicate')).reply.text).toMatch(/unknown command "frobnicate"/);
    expect((await h.command('acme', 'alice', 'severity')).reply.text).toMatch(/say which severity/);
    expect((await h.command('acme', 'alice', 'severity sev0 1')).reply.text).toMatch(/did not understand "sev0"/);
    expect((await h.command('acme', 'alice', 'claim')).reply.text).toMatch(/name the ticket/);
    expect((await h.command('acme', 'alice', 'help')).reply.text).toMatch(/severity <level>/);
  });
});

describe('staff open tickets from messages', () => {
  it('on a top-level message; on a reply inside a thread, the ticket lives in that thread', async () => {
    const h = await harness(CONFIG);
    const message = (messageId: string, threadId?: string) => ({ platform: 'shell' as const, channelId: 'acme', messageId, ...(threadId ? { threadId } : {}), author: { userId: 'dana' }, text: 'hm', at: T0 });
    const customer = await h.desk.openFromMessage(message('top'), { userId: 'dana' });
    expect(customer.reply.text).toMatch(/Only the support team/);
    const opened = await h.desk.openFromMessage(message('reply', 'root'), { userId: 'alice', personId: 'alice' });
    expect(opened.ticket).toMatchObject({ id: 1, threadId: 'root' });
    expect(h.port.sent.at(-1)?.message).toMatchObject({ type: 'thread', threadId: 'root' });
    // Later replies in that thread belong to the ticket.
    expect((await h.say('acme', 'dana', 'more detail', { threadId: 'root' })).kind).toBe('customer_message');
    expect((await h.desk.openFromMessage(message('another', 'root'), { userId: 'alice', personId: 'alice' })).reply.text).toBe('That thread already belongs to ticket #1.');
    expect((await h.desk.openFromMessage(message('top2'), { userId: 'alice', personId: 'alice' })).ticket?.id).toBe(2);
  });
});
