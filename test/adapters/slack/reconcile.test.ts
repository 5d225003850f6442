/**
 * Catching up after downtime: on start the bot reads each bound channel
 * from its cursor and feeds what it missed through the same door, with the
 * messages' original timestamps — missed tickets open (and are
 * acknowledged once), missed staff replies stop the clock, missed edits
 * land — and reading it all again changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { tsToMs } from '../../../adapters/slack/text.js';
import { FakeSlack, type StoredMessage } from '../../../testkit/fake-slack.js';
import { messageEvent } from '../../../testkit/slack-requests.js';
import { ACME, ALICE, BOB, CUSTOMER, GLOBEX, Harness, OTHER_CUSTOMER, noTroubleIn } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.stop();
  noTroubleIn(h);
});

/** A message that reaches Slack's history and is delivered to the running app. */
async function say(channel: string, user: string, text: string, threadTs?: string): Promise<StoredMessage> {
  const message = h.fake.seed(channel, { user, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
  await h.slack.event(messageEvent({ channel, user, text, ts: message.ts, ...(threadTs ? { thread_ts: threadTs } : {}) }));
  return message;
}

describe('the first start', () => {
  it('does not import history from before slawatch; the cursor starts at the newest message', async () => {
    const fake = await FakeSlack.start();
    const old = fake.seed(ACME, { user: CUSTOMER, text: 'an old question from last year' });
    h = await Harness.start({ fake });
    expect(await h.ticketCount()).toBe(0);
    expect(await h.desk.getCursor('slack', ACME)).toBe(old.ts);
    // An empty channel starts at "now".
    expect(tsToMs((await h.desk.getCursor('slack', GLOBEX))!)).toBeGreaterThan(Date.now() - 5_000);
  });
});

describe('after downtime', () => {
  it('opens missed tickets with their original timestamps, records missed replies and edits, and acknowledges once', async () => {
    h = await Harness.start();
    const first = await say(ACME, CUSTOMER, 'Emails are not being delivered');
    expect(await h.desk.getCursor('slack', ACME)).toBe(first.ts);

    let missed!: StoredMessage;
    let staffReply!: StoredMessage;
    let followUp!: StoredMessage;
    h = await h.restart(() => {
      // While slawatch is down: a new question, answered by staff in its thread; a follow-up on the old ticket; an edit.
      missed = h.fake.seed(GLOBEX, { user: OTHER_CUSTOMER, text: 'Our SAML login stopped working' });
      staffReply = h.fake.seed(GLOBEX, { user: BOB, text: 'Looking at it', thread_ts: missed.ts });
      followUp = h.fake.seed(ACME, { user: CUSTOMER, text: 'Still nothing arriving', thread_ts: first.ts });
      h.fake.seed(ACME, { user: 'U0OTHERBOT', bot_id: 'B0OTHER', text: 'Status page: all green' });
      h.fake.seed(ACME, { user: CUSTOMER, subtype: 'channel_join', text: '<@U0CUSTOMER> has joined the channel' });
      first.text = 'Emails are not being delivered to Gmail addresses';
      first.edited = { user: CUSTOMER, ts: h.fake.nextTs() };
    });

    // The missed question is a ticket whose clock started when it was asked.
    const ticket = (await h.ticketOf(GLOBEX, missed.ts))!;
    expect(ticket).toBeDefined();
    expect(ticket.events[0]?.at).toBe(tsToMs(missed.ts));
    // The staff reply made while down stopped its first-response clock at the reply's own time.
    const view = viewTicket(ticket);
    expect(view.staffReplied).toBe(true);
    expect(view.lastStaffReplyAt).toBe(tsToMs(staffReply.ts));
    // Acknowledged in its thread.
    await h.fake.channel(GLOBEX).thread(missed.ts).expectMessage(/Ticket #2 opened for Globex/);

    // The old ticket got the customer's follow-up and the edit; the bot's and the join message did nothing.
    const old = (await h.ticketOf(ACME, first.ts))!;
    expect(old.events.find((e) => e.messageId === followUp.ts)?.type).toBe('customer_message');
    expect(viewTicket(old).title).toBe('Emails are not being delivered to Gmail addresses');
    expect(await h.ticketCount()).toBe(2);
    expect(await h.desk.getCursor('slack', GLOBEX)).toBe(staffReply.ts);
    expect(h.connection.reconciled).toMatchObject({ channels: 2, failed: [] });

    // Slack redelivering the missed event now, and another restart, change nothing.
    h.fake.clearCalls();
    await h.slack.event(messageEvent({ channel: GLOBEX, user: OTHER_CUSTOMER, text: missed.text, ts: missed.ts }), { retryNum: 3 });
    h = await h.restart();
    expect(await h.ticketCount()).toBe(2);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(viewTicket((await h.ticketOf(ACME, first.ts))!).title).toBe('Emails are not being delivered to Gmail addresses');
  });

  it('a message whose event was lost just before the cursor moved is still found (overlap)', async () => {
    h = await Harness.start();
    // Slack history has two customer messages; only the later one's event was handled.
    const lost = h.fake.seed(ACME, { user: CUSTOMER, text: 'First: webhooks time out' });
    await say(GLOBEX, OTHER_CUSTOMER, 'unrelated');
    await say(ACME, ALICE, 'Heads-up: maintenance at 22:00');
    h = await h.restart();
    expect((await h.ticketOf(ACME, lost.ts))?.events[0]?.at).toBe(tsToMs(lost.ts));
  });

  it('a channel the bot cannot read is reported and the others are still caught up', async () => {
    h = await Harness.start();
    await say(ACME, CUSTOMER, 'hello');
    h = await h.restart(() => {
      h.fake.seed(GLOBEX, { user: OTHER_CUSTOMER, text: 'missed while down' });
      h.fake.failChannel(ACME, 'not_in_channel');
    });
    expect(h.connection.reconciled.failed).toEqual([ACME]);
    expect(await h.ticketCount()).toBe(2);
    expect(h.logs.some((l) => l.level === 'warn' && /could not catch up/.test(l.message))).toBe(true);
    h.fake.failChannel(ACME, undefined);
  });
});
