/**
 * Interactivity through the real Bolt receiver: the buttons and severity
 * menu on a staff message change the ticket and replace the message; a
 * customer who gets hold of a button is refused privately; staff open
 * tickets from any message with the "Open ticket" shortcut or :ticket:.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { tsToMs } from '../../../adapters/slack/text.js';
import { ACTION_IDS } from '../../../adapters/slack/render.js';
import { blockActions, button, messageAction, messageEvent, reactionAdded, staticSelect } from '../../../testkit/slack-requests.js';
import { ACME, ALICE, BOB, CAROL, CUSTOMER, CUSTOMER_TEAM, Harness, STAFF_CHANNEL, noTroubleIn } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.stop();
  noTroubleIn(h);
});

/** A ticket, and a staff-channel message carrying its buttons (the bot's /sla status card, posted as a notification would be). */
async function ticketWithStaffMessage() {
  const ts = h.ts();
  await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, user_team: CUSTOMER_TEAM, text: 'Reports are empty', ts }));
  const id = (await h.ticketOf(ACME, ts))!.id;
  const status = await h.desk.runCommand({ platform: 'slack', channelId: STAFF_CHANNEL, author: { userId: ALICE }, text: `status ${id}` });
  const ref = await h.connection.context.port.send({ type: 'notify', platform: 'slack', channelId: STAFF_CHANNEL, cards: status.reply.cards!, keys: [`${id}/test`] });
  return { ts, id, messageTs: ref!.messageId };
}

async function click(user: string, messageTs: string, action: Record<string, unknown>, channel = STAFF_CHANNEL) {
  const responseUrl = h.fake.responseUrl();
  const response = await h.slack.interaction(blockActions({ user, channel, messageTs, action, responseUrl }));
  expect(response.status).toBe(200);
  return responseUrl.split('/').pop()!;
}

describe('buttons on a staff message', () => {
  it('Claim claims the ticket and replaces the message with the new status', async () => {
    const { ts, id, messageTs } = await ticketWithStaffMessage();
    await click(BOB, messageTs, button(ACTION_IDS.claim, String(id), 'Claim'));
    const update = await h.fake.channel(STAFF_CHANNEL).expectUpdate(messageTs, /claimed by Bob/);
    expect(String(update.text)).toMatch(/Assignee: Bob/);
    expect(viewTicket((await h.ticketOf(ACME, ts))!).assignee?.personId).toBe('bob');
  });

  it('Waiting on customer pauses the ticket and tells the customer in the thread', async () => {
    const { ts, id, messageTs } = await ticketWithStaffMessage();
    await click(ALICE, messageTs, button(ACTION_IDS.wait, String(id)));
    await h.fake.channel(STAFF_CHANNEL).expectUpdate(messageTs, /waiting on your reply by Alice/);
    await h.fake.channel(ACME).thread(ts).expectMessage(/is waiting on your reply/);
    expect(viewTicket((await h.ticketOf(ACME, ts))!).state).toBe('waiting_on_customer');
  });

  it('Resolve resolves, and the replaced message no longer offers the buttons', async () => {
    const { ts, id, messageTs } = await ticketWithStaffMessage();
    await click(CAROL, messageTs, button(ACTION_IDS.resolve, String(id)));
    const update = await h.fake.channel(STAFF_CHANNEL).expectUpdate(messageTs, /resolved by U0CAROL/);
    expect(JSON.stringify(update.blocks)).not.toContain(ACTION_IDS.resolve);
    expect(viewTicket((await h.ticketOf(ACME, ts))!).state).toBe('resolved');
  });

  it('the severity menu changes the severity', async () => {
    const { ts, id, messageTs } = await ticketWithStaffMessage();
    await click(ALICE, messageTs, staticSelect(ACTION_IDS.severity, `${id}:urgent`));
    const update = await h.fake.channel(STAFF_CHANNEL).expectUpdate(messageTs, /severity changed to urgent/);
    expect(JSON.stringify(update.blocks)).toContain(`"initial_option":{"text":{"type":"plain_text","text":"urgent"},"value":"${id}:urgent"}`);
    expect(viewTicket((await h.ticketOf(ACME, ts))!).severity).toBe('urgent');
  });

  it('a customer pressing a button is refused privately and nothing changes', async () => {
    const { ts, id, messageTs } = await ticketWithStaffMessage();
    const responseId = await click(CUSTOMER, messageTs, button(ACTION_IDS.claim, String(id)));
    const answer = await h.fake.waitForResponse((body) => /only the support team/.test(String(body.text)));
    expect(answer.id).toBe(responseId);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(h.fake.channel(STAFF_CHANNEL).updates()).toEqual([]);
    expect(viewTicket((await h.ticketOf(ACME, ts))!).assignee).toBeUndefined();
  });

  it('an action the state does not allow is explained privately', async () => {
    const { id, messageTs } = await ticketWithStaffMessage();
    await click(ALICE, messageTs, button(ACTION_IDS.claim, String(id)));
    await h.fake.channel(STAFF_CHANNEL).expectUpdate(messageTs);
    await click(ALICE, messageTs, button(ACTION_IDS.claim, String(id)));
    await h.fake.waitForResponse(/already claimed this ticket/);
    expect(h.fake.channel(STAFF_CHANNEL).updates()).toHaveLength(1);
  });

  it('a button on an ephemeral message (a /sla status answer) replaces it through response_url', async () => {
    const { ts, id } = await ticketWithStaffMessage();
    const responseUrl = h.fake.responseUrl('ephemeral-status');
    await h.slack.interaction(blockActions({ user: ALICE, channel: STAFF_CHANNEL, messageTs: '1795000000.000100', ephemeral: true, action: button(ACTION_IDS.claim, String(id)), responseUrl }));
    const answer = await h.fake.waitForResponse((body) => body.replace_original === true);
    expect(answer.id).toBe('ephemeral-status');
    expect(String(answer.body.text)).toMatch(/claimed by Alice/);
    expect(viewTicket((await h.ticketOf(ACME, ts))!).assignee?.personId).toBe('alice');
  });

  it('acknowledges at once what it does not handle: another app\'s button, another shortcut', async () => {
    const started = Date.now();
    const other = await h.slack.interaction(blockActions({ user: ALICE, channel: STAFF_CHANNEL, messageTs: '1548261231.000200', action: button('WaXA', 'click_me_123'), responseUrl: h.fake.responseUrl() }));
    const shortcut = await h.slack.interaction(messageAction({ callbackId: 'shortcut_create_task', user: ALICE, channel: ACME, message: { user: CUSTOMER, text: 'x', ts: h.ts() } }));
    expect([other.status, shortcut.status]).toEqual([200, 200]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await h.ticketCount()).toBe(0);
  });

  it('ignores a payload whose value is not a ticket', async () => {
    const { messageTs } = await ticketWithStaffMessage();
    await click(ALICE, messageTs, button(ACTION_IDS.claim, 'DROP TABLE'));
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.channel(STAFF_CHANNEL).updates()).toEqual([]);
    expect(h.logs.some((l) => l.level === 'warn' && /malformed block action/.test(l.message))).toBe(true);
  });
});

describe('opening a ticket on any message', () => {
  it('the "Open ticket" message shortcut opens a ticket on a staff member\'s choice, with the message\'s own time', async () => {
    const ts = h.ts();
    // A staff member's own top-level note: never a ticket by itself, but staff may make it one.
    const message = { user: ALICE, text: 'Acme reports slow exports (phoned in)', ts, team: 'T0OURTEAM' };
    const responseUrl = h.fake.responseUrl('shortcut');
    const response = await h.slack.interaction(messageAction({ user: BOB, channel: ACME, message, responseUrl }));
    expect(response.status).toBe(200);

    const ticket = await h.ticketOf(ACME, ts);
    expect(ticket?.events[0]?.at).toBe(tsToMs(ts));
    expect(ticket?.events[0]?.by?.personId).toBe('bob');
    await h.fake.channel(ACME).thread(ts).expectMessage(/Ticket #1 opened for Acme Corp/);
    const answer = await h.fake.waitForResponse(/Opened ticket #1/);
    expect(answer.body.response_type).toBe('ephemeral');
  });

  it('the shortcut refuses customers and bot messages', async () => {
    await h.slack.interaction(messageAction({ user: CUSTOMER, channel: ACME, message: { user: CUSTOMER, text: 'help', ts: h.ts() }, responseUrl: h.fake.responseUrl() }));
    await h.fake.waitForResponse(/Only the support team can open a ticket/);
    await h.slack.interaction(messageAction({ user: ALICE, channel: ACME, message: { user: 'U0OTHERBOT', bot_id: 'B0OTHER', text: 'alert', ts: h.ts() }, responseUrl: h.fake.responseUrl() }));
    await h.fake.waitForResponse(/not on a bot/);
    expect(await h.ticketCount()).toBe(0);
  });

  it(':ticket: from staff opens a ticket on the message (read from the channel history)', async () => {
    const seeded = h.fake.seed(ACME, { user: CUSTOMER, text: 'can someone look at invoice 42?' });
    await h.slack.event(reactionAdded({ user: ALICE, reaction: 'ticket', channel: ACME, ts: seeded.ts }));
    const ticket = await h.ticketOf(ACME, seeded.ts);
    expect(ticket && viewTicket(ticket).title).toBe('can someone look at invoice 42?');
    await h.fake.channel(ACME).thread(seeded.ts).expectMessage(/Ticket #1 opened/);
  });

  it(':ticket: on a thread reply finds the reply; other reactions and customers\' :ticket: do nothing', async () => {
    const root = h.fake.seed(ACME, { user: CUSTOMER, text: 'general question' });
    const reply = h.fake.seed(ACME, { user: CUSTOMER, text: 'and a real problem: data loss', thread_ts: root.ts });
    await h.slack.event(reactionAdded({ user: CUSTOMER, reaction: 'ticket', channel: ACME, ts: root.ts }));
    await h.slack.event(reactionAdded({ user: ALICE, reaction: 'eyes', channel: ACME, ts: root.ts }));
    expect(await h.ticketCount()).toBe(0);
    expect(h.fake.callsTo('conversations.history').filter((c) => c.args.latest)).toEqual([]);

    await h.slack.event(reactionAdded({ user: ALICE, reaction: 'ticket', channel: ACME, ts: reply.ts }));
    expect(viewTicket((await h.ticketOf(ACME, reply.ts))!).title).toBe('and a real problem: data loss');
  });
});

describe('the rating prompt in a customer thread', () => {
  it('a customer rates with a 1–5 button and alone hears the thanks; staff cannot rate; the rating is in the log', async () => {
    const { ts, id, messageTs } = await ticketWithStaffMessage();
    await click(ALICE, messageTs, button(ACTION_IDS.resolve, String(id)));
    const prompt = await h.fake.channel(ACME).thread(ts).expectMessage((m) => /How did we do/.test(JSON.stringify(m.blocks ?? '')));
    const rateButtons = JSON.stringify(prompt.blocks);
    expect(rateButtons).toContain('"action_id":"slawatch_rate_1"');
    expect(rateButtons).toContain('"action_id":"slawatch_rate_5"');
    // No staff buttons in the customer's thread.
    expect(rateButtons).not.toContain(ACTION_IDS.claim);
    await click(ALICE, String(prompt.ts), button('slawatch_rate_5', `${id}:5`), ACME);
    await h.fake.waitForResponse(/Only the customer can rate/);
    const responseUrl = h.fake.responseUrl();
    await h.slack.interaction(blockActions({ user: CUSTOMER, userTeam: CUSTOMER_TEAM, channel: ACME, messageTs: String(prompt.ts), action: button('slawatch_rate_3', `${id}:3`), responseUrl }));
    const thanks = await h.fake.waitForResponse(/you rated #\d+ 3 of 5/);
    expect(thanks.body.response_type).toBe('ephemeral');
    const ticket = (await h.ticketOf(ACME, ts))!;
    expect(viewTicket(ticket).rating?.value).toBe(3);
    expect(viewTicket(ticket).state).toBe('resolved');
  });
});
