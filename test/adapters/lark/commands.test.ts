/**
 * Commands by mentioning the bot (`@slawatch status 42`), the same words as
 * everywhere: answered privately (an ephemeral card) where the desk says so
 * and in a customer's group, as a reply otherwise; a mention that is not a
 * command is a customer's message like any other; a direct message to the
 * bot is a command.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { FakeLark, type Person } from '../../../testkit/fake-lark.js';
import { ACME, ALICE, CUSTOMER, Harness, noTroubleIn, STAFF_GROUP } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.stop();
  noTroubleIn(h);
});

/** `@slawatch <words>` from `who` in `chatId`. */
function mention(chatId: string, who: Person, words: string, options: { rootId?: string } = {}) {
  return h.fake.say(chatId, who, `@_user_1 ${words}`, { ...options, mentions: [{ key: '@_user_1', openId: h.fake.botOpenId, name: 'slawatch' }] });
}

async function openTicket(text = 'Invoices are wrong') {
  const { message } = await h.fake.say(ACME, CUSTOMER, text);
  await h.settled();
  return { message, ticket: (await h.ticketOf(ACME, message.message_id))! };
}

describe('@slawatch <command>', () => {
  it('in the staff group, a change is answered as a reply for everyone to see', async () => {
    const { ticket } = await openTicket();
    const { message } = await mention(STAFF_GROUP, ALICE, `claim ${ticket.id}`);
    const answer = await h.fake.waitFor(() => h.fake.postedIn(STAFF_GROUP).find((m) => m.parent_id === message.message_id), 'the answer');
    expect(FakeLark.textOf(answer.content)).toMatch(/claimed by Alice/);
    expect(viewTicket((await h.store.get(ticket.id))!).assignee?.personId).toBe('alice');
  });

  it('in a customer\'s group, the answer is an ephemeral card for the one who asked, and no ticket opens', async () => {
    const { ticket } = await openTicket();
    await mention(ACME, CUSTOMER, `status ${ticket.id}`);
    const answer = await h.fake.waitFor(() => h.fake.ephemerals[0], 'the ephemeral answer');
    expect(answer).toMatchObject({ chat_id: ACME, open_id: CUSTOMER.openId });
    expect(FakeLark.textOf(answer.card)).toMatch(new RegExp(`Ticket #${ticket.id}`));
    await h.settled();
    expect(await h.ticketCount()).toBe(1);
    expect(h.fake.postedIn(ACME)).toHaveLength(1);
  });

  it('in a ticket\'s thread the ticket is implied', async () => {
    const { message, ticket } = await openTicket();
    await mention(ACME, ALICE, 'wait', { rootId: message.message_id });
    await h.settled();
    expect(viewTicket((await h.store.get(ticket.id))!).state).toBe('waiting_on_customer');
  });

  it('a customer may not change a ticket: refused privately', async () => {
    const { ticket } = await openTicket();
    await mention(ACME, CUSTOMER, `resolve ${ticket.id}`);
    const answer = await h.fake.waitFor(() => h.fake.ephemerals[0], 'the refusal');
    expect(FakeLark.textOf(answer.card)).toMatch(/only the support team/);
    expect(viewTicket((await h.store.get(ticket.id))!).state).toBe('open');
  });

  it('help says how to write a command', async () => {
    await mention(STAFF_GROUP, ALICE, 'help');
    const answer = await h.fake.waitFor(() => h.fake.ephemerals[0], 'the help');
    // Shown as typed (the zero-width spaces keep the bot's own words from pinging, too).
    expect(FakeLark.textOf(answer.card).replace(/\u200b/g, '')).toMatch(/^Usage: @slawatch <command>\nstatus \[ticket\]/);
  });

  it('where an ephemeral card cannot be sent, the answer goes to the person directly', async () => {
    const { ticket } = await openTicket();
    h.fake.refuseEphemeral = true;
    await mention(ACME, CUSTOMER, `status ${ticket.id}`);
    const direct = await h.fake.waitFor(() => h.fake.sentTo(CUSTOMER.openId)[0], 'the direct answer');
    expect(FakeLark.textOf(direct.content)).toMatch(new RegExp(`Ticket #${ticket.id}`));
    expect(h.logs.some((l) => l.level === 'warn' && /ephemeral/.test(l.message))).toBe(true);
  });
});

describe('a mention that is not a command', () => {
  it('in a customer\'s group is their question: it opens a ticket, without the mention', async () => {
    const { message } = await mention(ACME, CUSTOMER, 'our API is down');
    await h.settled();
    expect((await h.ticketOf(ACME, message.message_id))?.events[0]).toMatchObject({ type: 'opened', text: 'our API is down' });
    expect(h.fake.ephemerals).toEqual([]);
  });

  it('elsewhere is answered with what went wrong', async () => {
    await mention(STAFF_GROUP, ALICE, 'make coffee');
    const answer = await h.fake.waitFor(() => h.fake.ephemerals[0], 'the answer');
    expect(FakeLark.textOf(answer.card)).toMatch(/unknown command "make"/);
  });
});

describe('a direct message to the bot', () => {
  it('is a command, answered in the same chat', async () => {
    await openTicket();
    const { message } = await h.fake.say('oc_p2p_alice', ALICE, 'queue', { chatType: 'p2p' });
    const answer = await h.fake.waitFor(() => h.fake.postedIn('oc_p2p_alice').find((m) => m.parent_id === message.message_id), 'the answer');
    expect(FakeLark.textOf(answer.content)).toMatch(/Open tickets \(1\)/);
  });
});
