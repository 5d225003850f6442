/**
 * Catching up while running (the app runs it when the store is back after an
 * outage, and on its interval): what it costs follows the channels — one
 * conversations.history per bound channel, conversations.replies only for a
 * thread whose newest reply the ticket does not know — not the open
 * tickets; each method stays within Slack's rate tier and waits out a 429's
 * Retry-After; and /metrics shows how far a pass has come.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack, type StoredMessage } from '../../../testkit/fake-slack.js';
import { messageEvent } from '../../../testkit/slack-requests.js';
import { CONFIG, CUSTOMER, Harness, noTroubleIn } from './harness.js';

const CHANNELS = ['C0ONE', 'C0TWO', 'C0THREE', 'C0FOUR'];
const TICKETS_PER_CHANNEL = 6;
const config = (channels: readonly string[]) =>
  CONFIG.replace(
    /customers:\n( {2}- .*\n)+/,
    `customers:\n${channels.map((c, i) => `  - { id: c${i}, name: Customer ${i}, tier: enterprise, channels: { slack: [${c}] } }\n`).join('')}`,
  ).replace('store: { backend: memory }', 'tickets: { groupingWindow: 1s }\nstore: { backend: memory }');

let h: Harness | undefined;
afterEach(async () => {
  if (!h) return;
  await h.stop();
  noTroubleIn(h);
  h = undefined;
});

/** Customers' questions, two seconds apart in Slack's history (so each opens a ticket of its own), then delivered live. */
async function ask(harness: Harness, questions: { channel: string; text: string }[]): Promise<StoredMessage[]> {
  const start = Date.now() - 2 * questions.length * 1_000;
  const seeded = questions.map(({ channel, text }, i) => harness.fake.seed(channel, { user: CUSTOMER, text, ts: harness.fake.nextTs(start + i * 2_000) }));
  for (const [i, message] of seeded.entries()) {
    const channel = questions[i]!.channel;
    await harness.slack.event(messageEvent({ channel, user: CUSTOMER, text: message.text, ts: message.ts }));
    await harness.fake.channel(channel).thread(message.ts).expectMessage(/Ticket #\d+ opened/);
  }
  return seeded;
}

describe('catching up while running', () => {
  it('reads each channel once and only the thread that moved, however many tickets are open', async () => {
    h = await Harness.start({ config: config(CHANNELS), fake: await FakeSlack.start({ tiers: true }) });
    const opened = await ask(
      h,
      Array.from({ length: TICKETS_PER_CHANNEL * CHANNELS.length }, (_, i) => ({ channel: CHANNELS[i % CHANNELS.length]!, text: `question ${i}` })),
    );
    expect(await h.ticketCount()).toBe(CHANNELS.length * TICKETS_PER_CHANNEL);

    // Lost events: a follow-up in one ticket's thread, and a new question in another channel.
    const followUp = h.fake.seed(CHANNELS[1]!, { user: CUSTOMER, text: 'any news?', thread_ts: opened[1]!.ts });
    const missed = h.fake.seed(CHANNELS[2]!, { user: CUSTOMER, text: 'a question nobody saw' });
    h.fake.clearCalls();
    const report = await h.connection.catchUp('test');

    expect(report).toMatchObject({ channels: CHANNELS.length, failed: [] });
    expect(await h.ticketCount()).toBe(CHANNELS.length * TICKETS_PER_CHANNEL + 1);
    expect((await h.ticketOf(CHANNELS[1]!, followUp.ts))?.id).toBe((await h.ticketOf(CHANNELS[1]!, opened[1]!.ts))?.id);
    await h.fake.channel(CHANNELS[2]!).thread(missed.ts).expectMessage(/Ticket #\d+ opened/);
    // 24 open tickets: one history call per channel, one replies call for the thread that moved.
    expect(h.fake.countCalls('conversations.history')).toEqual({ answered: CHANNELS.length, rateLimited: 0 });
    expect(h.fake.countCalls('conversations.replies')).toEqual({ answered: 1, rateLimited: 0 });

    // Nothing moved since: a second pass reads the channels and no thread.
    h.fake.clearCalls();
    expect(await h.connection.catchUp('test again')).toMatchObject({ failed: [] });
    expect(h.fake.countCalls('conversations.history').answered).toBe(CHANNELS.length);
    expect(h.fake.countCalls('conversations.replies').answered).toBe(0);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('waits out 429s with their Retry-After and catches up on every channel; /metrics shows the channels behind meanwhile', async () => {
    const channels = ['C0A1', 'C0A2', 'C0A3', 'C0A4', 'C0A5'];
    // A tier of three history calls a second: the adapter (at Slack's 50 a minute) goes over it and is told to wait.
    const fake = await FakeSlack.start({ tiers: { windowMs: 1_000, limits: { 'conversations.history': 3 } } });
    h = await Harness.start({ config: config(channels), fake });
    const missed = channels.map((channel) => h!.fake.seed(channel, { user: CUSTOMER, text: `missed in ${channel}` }));
    h.fake.clearCalls();

    const pass = h.connection.catchUp('test');
    const behind = await h.fake.waitFor(() => h!.app.stateSnapshot().catchUp?.find((p) => p.platform === 'slack' && p.channelsBehind > 0), 'channels behind');
    expect(behind.oldestCursorAgeSeconds).toBeGreaterThan(0);
    expect(await pass).toMatchObject({ channels: channels.length, messages: channels.length, failed: [] });

    const history = h.fake.countCalls('conversations.history');
    expect(history.answered).toBe(channels.length);
    expect(history.rateLimited).toBeGreaterThan(0);
    expect(h.connection.rates.counts()['conversations.history']?.rateLimited).toBeGreaterThanOrEqual(history.rateLimited);
    for (const [i, channel] of channels.entries()) await h.fake.channel(channel).thread(missed[i]!.ts).expectMessage(/Ticket #\d+ opened/);
    expect(h.app.stateSnapshot().catchUp?.find((p) => p.platform === 'slack')).toMatchObject({ channelsBehind: 0, oldestCursorAgeSeconds: 0 });
    h.logs.splice(0); // the rate-limit warnings are expected here
  });
});
