/**
 * Tickets from messages, through the real Bolt HTTP receiver: a customer's
 * top-level message opens a ticket and gets an acknowledgement in its
 * thread; staff replies stop the first-response clock; edits, deletions,
 * bots and redeliveries are handled as Slack sends them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { tsToMs } from '../../../adapters/slack/text.js';
import { messageChanged, messageDeleted, messageEvent, TEAM_ID } from '../../../testkit/slack-requests.js';
import { ACME, ALICE, CAROL, CONFIG, CUSTOMER, CUSTOMER_TEAM, GLOBEX, Harness, STAFF_CHANNEL, noTroubleIn } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.stop();
  noTroubleIn(h);
});

async function customerAsks(text: string, channel = ACME) {
  const ts = h.ts();
  const response = await h.slack.event(messageEvent({ channel, user: CUSTOMER, user_team: CUSTOMER_TEAM, text, ts }));
  expect(response.status).toBe(200);
  return ts;
}

describe('a customer message in a bound channel', () => {
  it('opens a ticket and acknowledges it in the thread with ticket, tier and first-response due time', async () => {
    const ts = await customerAsks('Our exports have been failing since this morning');

    const ticket = await h.ticketOf(ACME, ts);
    expect(ticket).toBeDefined();
    expect(ticket?.threadId).toBe(ts);
    // The clock starts at the message's own timestamp.
    expect(ticket?.events[0]?.at).toBe(tsToMs(ts));

    const ack = await h.fake.channel(ACME).thread(ts).expectMessage(/Ticket #1 opened for Acme Corp/);
    expect(ack.text).toMatch(/Tier: enterprise/);
    expect(ack.text).toMatch(/First response due: \w{3} \d+ \w{3} \d\d:\d\d/);
    expect(ack).not.toHaveProperty('link_names');
    // Customers read the thread: no buttons, no pings there.
    expect(JSON.stringify(ack.blocks)).not.toMatch(/"actions"|<@|<!/);
  });

  it('is not a ticket in a channel no customer is bound to, nor in the staff channel', async () => {
    const ts = h.ts();
    await h.slack.event(messageEvent({ channel: 'C0RANDOM', user: CUSTOMER, text: 'hello?', ts }));
    await h.slack.event(messageEvent({ channel: STAFF_CHANNEL, user: CUSTOMER, text: 'hello?', ts: h.ts() }));
    expect(await h.ticketCount()).toBe(0);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('is not a ticket when staff post it at the top level', async () => {
    await h.slack.event(messageEvent({ channel: ACME, user: ALICE, text: 'Maintenance tonight at 22:00', ts: h.ts() }));
    await h.slack.event(messageEvent({ channel: ACME, user: CAROL, text: 'Reminder: maintenance tonight', ts: h.ts() }));
    expect(await h.ticketCount()).toBe(0);
  });
});

describe('Slack Connect', () => {
  it('with staff.slackTeam set, people posting from our workspace are staff and from the customer\'s are customers', async () => {
    await h.stop();
    h = await Harness.start({ config: CONFIG.replace('  slackGroups: [S0SUPPORT]', `  slackGroups: [S0SUPPORT]\n  slackTeam: ${TEAM_ID}`) });
    const ts = await customerAsks('Our SSO login loops');
    expect(await h.ticketCount()).toBe(1);
    // U0DAN is in no list and no group: only their workspace says they are one of us.
    await h.slack.event(messageEvent({ channel: ACME, user: 'U0DAN', user_team: TEAM_ID, text: 'Checking the IdP logs', ts: h.ts(), thread_ts: ts }));
    expect(viewTicket((await h.ticketOf(ACME, ts))!).staffReplied).toBe(true);
    await h.slack.event(messageEvent({ channel: ACME, user: 'U0DAN', user_team: TEAM_ID, text: 'FYI: new release out', ts: h.ts() }));
    expect(await h.ticketCount()).toBe(1);
  });
});

describe('thread replies', () => {
  it('a staff reply in the thread stops the first-response clock; a customer reply is recorded', async () => {
    const ts = await customerAsks('Login is broken for all our users');
    await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, user_team: CUSTOMER_TEAM, text: 'Any news?', ts: h.ts(), thread_ts: ts }));
    let view = viewTicket((await h.ticketOf(ACME, ts))!);
    expect(view.staffReplied).toBe(false);
    expect(view.lastCustomerMessageAt).toBeGreaterThan(view.openedAt);

    const reply = h.ts();
    await h.slack.event(messageEvent({ channel: ACME, user: ALICE, text: 'Looking into it now.', ts: reply, thread_ts: ts }));
    view = viewTicket((await h.ticketOf(ACME, ts))!);
    expect(view.staffReplied).toBe(true);
    expect(view.lastStaffReplyAt).toBe(tsToMs(reply));

    const status = await h.desk.runCommand({ platform: 'slack', channelId: STAFF_CHANNEL, author: { userId: ALICE }, text: `status ${view.id}` });
    expect(status.reply.cards?.[0]?.body).toMatch(/first response: met/);
  });

  it('a member of the staff user group counts as staff', async () => {
    const ts = await customerAsks('Webhooks are delayed');
    await h.slack.event(messageEvent({ channel: ACME, user: CAROL, text: 'We are on it', ts: h.ts(), thread_ts: ts }));
    expect(viewTicket((await h.ticketOf(ACME, ts))!).staffReplied).toBe(true);
  });
});

describe('messages that never open or answer tickets', () => {
  it('ignores bots, this one included, and non-message subtypes', async () => {
    const root = await customerAsks('Is the API down?');
    // Another app's message (bot_id, no subtype), a legacy bot_message, this bot's own post, a channel join.
    await h.slack.event(messageEvent({ channel: ACME, user: 'U0OTHERBOT', bot_id: 'B0OTHER', text: 'Deploy finished', ts: h.ts() }));
    await h.slack.event({ ...messageEvent({ channel: ACME, user: 'U0OTHERBOT', text: 'Build green', ts: h.ts() }), subtype: 'bot_message', bot_id: 'B0OTHER' });
    await h.slack.event(messageEvent({ channel: ACME, user: h.fake.botUserId, bot_id: h.fake.botId, text: 'Ticket #9 opened', ts: h.ts() }));
    await h.slack.event(messageEvent({ channel: ACME, user: 'U0OTHERBOT', bot_id: 'B0OTHER', text: 'I answer', ts: h.ts(), thread_ts: root }));
    await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, text: '<@U0CUSTOMER> has joined the channel', ts: h.ts(), subtype: 'channel_join' }));

    expect(await h.ticketCount()).toBe(1);
    expect(viewTicket((await h.ticketOf(ACME, root))!).staffReplied).toBe(false);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('answers malformed events 200 and carries on', async () => {
    for (const event of [{ type: 'message' }, { type: 'message', channel: ACME, user: CUSTOMER, ts: 'yesterday', text: 'x' }, { type: 'message', channel: ACME, text: 'no user', ts: h.ts() }]) {
      expect((await h.slack.event(event)).status).toBe(200);
    }
    await customerAsks('still working?');
    expect(await h.ticketCount()).toBe(1);
  });
});

describe('redelivery', () => {
  it('one message never opens two tickets, whatever is redelivered', async () => {
    const ts = h.ts();
    const event = messageEvent({ channel: GLOBEX, user: CUSTOMER, text: 'Billing page shows an error', ts });
    const first = await h.slack.event(event, { eventId: 'Ev0REDELIVER' });
    const retries = await Promise.all([1, 2, 3].map((n) => h.slack.event(event, { eventId: 'Ev0REDELIVER', retryNum: n, retryReason: 'http_timeout' })));
    expect([first, ...retries].map((r) => r.status)).toEqual([200, 200, 200, 200]);

    expect(await h.ticketCount()).toBe(1);
    await h.fake.channel(GLOBEX).thread(ts).expectMessage(/Ticket #1 opened/);
    await h.fake.channel(GLOBEX).expectNoMessage(/Ticket #2/);
    expect(h.fake.channel(GLOBEX).messages()).toHaveLength(1);
  });

  it('concurrent first deliveries of the same message make one ticket and one acknowledgement', async () => {
    const ts = h.ts();
    const event = messageEvent({ channel: ACME, user: CUSTOMER, text: 'Everything is slow', ts });
    await Promise.all([h.slack.event(event), h.slack.event(event), h.slack.event(event, { retryNum: 1 })]);
    expect(await h.ticketCount()).toBe(1);
    expect(h.fake.channel(ACME).messages()).toHaveLength(1);
  });
});

describe('edits and deletions', () => {
  it('an edit updates the ticket text; a deletion keeps the ticket and notes it', async () => {
    const ts = await customerAsks('Sync fails');
    await h.slack.event(messageChanged({ channel: ACME, user: CUSTOMER, ts, text: 'Sync fails with error 500 &amp; times out', previousText: 'Sync fails', editedTs: h.ts() }));
    let ticket = (await h.ticketOf(ACME, ts))!;
    expect(viewTicket(ticket).title).toBe('Sync fails with error 500 & times out');

    await h.slack.event(messageDeleted({ channel: ACME, deletedTs: ts, ts: h.ts() }));
    ticket = (await h.ticketOf(ACME, ts))!;
    expect(viewTicket(ticket).state).toBe('open');
    expect(viewTicket(ticket).deletedMessages).toBe(1);
    expect(ticket.events.map((e) => e.type)).toEqual(['opened', 'message_edited', 'message_deleted']);
  });

  it('ignores a message_changed that does not change the text (unfurls, reply counts)', async () => {
    const ts = await customerAsks('See https://example.com/status');
    await h.slack.event(messageChanged({ channel: ACME, user: CUSTOMER, ts, text: 'See https://example.com/status', previousText: 'See https://example.com/status', editedTs: h.ts() }));
    expect((await h.ticketOf(ACME, ts))!.events).toHaveLength(1);
  });
});

describe('the events endpoint', () => {
  it('answers Slack\'s url_verification challenge', async () => {
    const response = await h.slack.urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('is ready while listening', () => {
    expect(h.connection.ready()).toBe(true);
    expect(h.connection.name).toBe('slack');
  });
});
