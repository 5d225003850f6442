/**
 * Tickets from Feishu/Lark groups, through the real SDK over the long
 * connection: a customer's message opens a ticket acknowledged in its thread,
 * replies in the thread join it, a staff reply stops the first-response clock,
 * a recall is recorded, and a redelivered event changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { FakeLark } from '../../../testkit/fake-lark.js';
import { ACME, ALICE, CAROL, CONFIG, CUSTOMER, Harness, noTroubleIn } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.stop();
  noTroubleIn(h);
});

describe('a customer\'s message in a bound group', () => {
  it('opens a ticket, acknowledged by a reply in the message\'s thread', async () => {
    const { message, ack } = await h.fake.say(ACME, CUSTOMER, 'Our dashboard is down');
    expect(ack).toEqual({ code: 200 });
    const reply = await h.fake.waitFor(() => h.fake.repliesTo(message.message_id)[0], 'the acknowledgement');
    expect(FakeLark.textOf(reply.content)).toMatch(/Ticket #1 opened for Acme Corp/);
    expect(reply.thread_id).toBeDefined();
    expect(reply.msg_type).toBe('interactive');
    const replyCall = h.fake.callsTo('POST', /\/reply$/)[0]!;
    expect(replyCall.body).toMatchObject({ reply_in_thread: true, msg_type: 'interactive' });
    expect(String(replyCall.body.uuid)).toMatch(/^[0-9a-f]{32}$/);
    const ticket = await h.ticketOf(ACME, message.message_id);
    expect(ticket).toMatchObject({ platform: 'lark', channelId: ACME, threadId: message.message_id, customer: 'acme' });
    expect(viewTicket(ticket!).openedAt).toBe(Number(message.create_time));
  });

  it('replies in the thread join the ticket, and a staff reply stops the first-response clock', async () => {
    const { message } = await h.fake.say(ACME, CUSTOMER, 'Uploads fail');
    await h.fake.waitFor(() => h.fake.repliesTo(message.message_id)[0], 'the acknowledgement');
    await h.fake.say(ACME, CUSTOMER, 'Since 9:00', { rootId: message.message_id });
    await h.fake.say(ACME, ALICE, 'Looking into it', { rootId: message.message_id });
    await h.settled();
    const ticket = (await h.ticketOf(ACME, message.message_id))!;
    expect(ticket.events.map((e) => e.type)).toEqual(['opened', 'customer_message', 'staff_reply']);
    expect(viewTicket(ticket).staffReplied).toBe(true);
    expect(await h.ticketCount()).toBe(1);
  });

  it('a reply whose event names only its thread joins the ticket of the thread\'s first message', async () => {
    const { message } = await h.fake.say(ACME, CUSTOMER, 'Mail is delayed');
    await h.fake.waitFor(() => h.fake.repliesTo(message.message_id)[0], 'the acknowledgement');
    const { message: reply } = await h.fake.say(ACME, ALICE, 'Queue is draining now', { rootId: message.message_id, threadOnly: true });
    await h.settled();
    const ticket = (await h.ticketOf(ACME, message.message_id))!;
    expect(ticket.events.at(-1)).toMatchObject({ type: 'staff_reply', messageId: reply.message_id });
    expect(await h.ticketCount()).toBe(1);
  });

  it('a member of the staff tenant who is not listed is staff; the top-level message of staff opens nothing', async () => {
    const { message } = await h.fake.say(ACME, CUSTOMER, 'Exports are slow');
    await h.fake.say(ACME, CAROL, 'On it', { rootId: message.message_id });
    await h.fake.say(ACME, CAROL, 'Maintenance tonight at 22:00');
    await h.settled();
    expect(viewTicket((await h.ticketOf(ACME, message.message_id))!).staffReplied).toBe(true);
    expect(await h.ticketCount()).toBe(1);
  });

  it('a redelivered event (the same event id) is answered again and changes nothing: one ticket, one acknowledgement', async () => {
    const { message, event } = await h.fake.say(ACME, CUSTOMER, 'Payments are failing', { eventId: 'ev_payments' });
    const again = await h.fake.deliver(event);
    const third = await h.fake.deliver(h.fake.messageEvent(message, 'ev_payments_other_id'));
    expect(again).toEqual({ code: 200 });
    expect(third).toEqual({ code: 200 });
    await h.settled();
    expect(await h.ticketCount()).toBe(1);
    expect(h.fake.repliesTo(message.message_id)).toHaveLength(1);
    expect(h.fake.callsTo('POST', /\/reply$/)).toHaveLength(1);
  });

  it('the same message delivered twice at once still makes one ticket and one acknowledgement', async () => {
    const { message, event } = await h.fake.say(ACME, CUSTOMER, 'Search is down', { deliver: false });
    await Promise.all([h.fake.deliver(event), h.fake.deliver(event), h.fake.deliver(h.fake.messageEvent(message))]);
    await h.settled();
    expect(await h.ticketCount()).toBe(1);
    expect(h.fake.repliesTo(message.message_id)).toHaveLength(1);
  });

  it('a recall is recorded on the ticket', async () => {
    const { message } = await h.fake.say(ACME, CUSTOMER, 'Login broken');
    const { message: reply } = await h.fake.say(ACME, CUSTOMER, 'wrong account, sorry', { rootId: message.message_id });
    await h.settled();
    expect(await h.fake.recall(reply.message_id)).toEqual({ code: 200 });
    await h.settled();
    const ticket = (await h.ticketOf(ACME, message.message_id))!;
    expect(ticket.events.at(-1)).toMatchObject({ type: 'message_deleted', messageId: reply.message_id });
  });
});

describe('the ids an installation needs', () => {
  it('a group no customer is bound to is named in the log, once; its messages open nothing', async () => {
    await h.fake.say('oc_unbound_group', CUSTOMER, 'Hello?');
    await h.fake.say('oc_unbound_group', CUSTOMER, 'Anyone?');
    await h.settled();
    expect(h.logs.filter((l) => /no customer is bound to/.test(l.message)).map((l) => l.fields)).toEqual([{ chat: 'oc_unbound_group' }]);
    expect(await h.ticketCount()).toBe(0);
  });
});

describe('without staff.larkTenant', () => {
  it('the tenant the events come from is named in the log, once, and its members are customers', async () => {
    await h.stop();
    h = await Harness.start({ config: CONFIG.replace('  larkTenant: tenant_ours\n', '') });
    const { message } = await h.fake.say(ACME, CUSTOMER, 'Billing page is blank');
    await h.fake.say(ACME, CAROL, 'Checking', { rootId: message.message_id });
    await h.settled();
    expect(h.logs.filter((l) => /set staff.larkTenant/.test(l.message)).map((l) => l.fields)).toEqual([{ tenant: 'tenant_ours' }]);
    expect(viewTicket((await h.ticketOf(ACME, message.message_id))!).staffReplied).toBe(false);
  });
});
