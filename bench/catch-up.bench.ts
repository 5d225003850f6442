/**
 * Catching up after 30 minutes away, at scale: 2,000 customer channels on
 * Slack with 10,000 open tickets (five a channel, each acknowledged in its
 * thread), and, while the bot was away, 200 messages in 100 channels — in
 * each, a new question and a customer's follow-up in one of its open
 * tickets. The bot (the real Bolt app and WebClient, in this process, on a
 * memory store) starts against a fake Slack that enforces Slack's rate
 * tiers; figures: the time until every one of the 200 messages is in a
 * ticket (and every new ticket acknowledged), the calls made per method and
 * the 429s received.
 *
 * The fake's tier "minute" is shortened (CATCH_UP_WINDOW_MS, default 500 ms)
 * so the bench finishes, and the adapter is told the same; the time is also
 * given converted to Slack's real one-minute tiers. For comparison, the
 * figure a catch-up reading every open ticket's thread would need at Tier 3.
 */
import { App } from '../src/app/app.js';
import { createSlackConnection } from '../adapters/slack/index.js';
import { parseConfig } from '../src/config/load.js';
import type { Ticket } from '../src/domain/ticket.js';
import { createLogger } from '../src/service/logger.js';
import { openMemoryStore } from '../src/store/open.js';
import { FakeSlack, SLACK_TIERS } from '../testkit/fake-slack.js';
import type { BenchFigure } from './run.js';

const CHANNELS = Number(process.env.CATCH_UP_CHANNELS ?? 2_000);
const TICKETS_PER_CHANNEL = 5;
const DOWNTIME_MS = 30 * 60_000;
const CHANNELS_WITH_NEWS = 100;
const WINDOW_MS = Number(process.env.CATCH_UP_WINDOW_MS ?? 500);
/** The adapter's margin on the window, as a fraction of it. */
const MARGIN = 0.2;
const BOT_TOKEN = 'xoxb-1111111111-2222222222-CATCHUPBENCHabcdefghijk';
const SIGNING_SECRET = 'c47c8u9c47c8u9c47c8u9c47c8u9c47c';
const CUSTOMER = 'U0CUSTOMER';

const channelId = (i: number) => `C0CH${String(i).padStart(5, '0')}`;

function configYaml(): string {
  const customers = Array.from({ length: CHANNELS }, (_, i) => `  - { id: c${i}, name: Customer ${i}, tier: enterprise, channels: { slack: [${channelId(i)}] } }`);
  return `
people: { alice: { name: Alice, slack: U0ALICE } }
staff: { people: [alice], channels: { slack: C0STAFF } }
customers:
${customers.join('\n')}
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h } }
catchUp: { interval: "off" }
store: { backend: memory }
`;
}

export async function bench(): Promise<BenchFigure[]> {
  const fake = await FakeSlack.start({ tiers: { windowMs: WINDOW_MS } });
  const store = openMemoryStore();
  const config = parseConfig(configYaml());
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'silent' });
  const app = new App({ config, store, logger });
  try {
    // Before the downtime: five tickets a channel over the last three days, each acknowledged in its thread.
    const now = Date.now();
    const downFrom = now - DOWNTIME_MS;
    const openedFrom = downFrom - 3 * 24 * 3_600_000;
    const step = (downFrom - 60_000 - openedFrom) / (CHANNELS * TICKETS_PER_CHANNEL);
    const heads: string[][] = Array.from({ length: CHANNELS }, () => []);
    let id = 0;
    for (let k = 0; k < CHANNELS * TICKETS_PER_CHANNEL; k++) {
      const c = k % CHANNELS;
      const channel = channelId(c);
      const at = openedFrom + k * step;
      const head = fake.seed(channel, { user: CUSTOMER, text: `question ${k}`, ts: fake.nextTs(at) });
      const ack = fake.seed(channel, { user: fake.botUserId, bot_id: fake.botId, text: `Ticket #${id + 1} opened`, thread_ts: head.ts, ts: fake.nextTs(at + 1_000) });
      id++;
      const ticket: Ticket = {
        id,
        customer: `c${c}`,
        platform: 'slack',
        channelId: channel,
        threadId: head.ts,
        events: [{ type: 'opened', at: Math.floor(at), by: { platform: 'slack', userId: CUSTOMER }, messageId: head.ts, customer: `c${c}`, tier: 'enterprise', severity: 'normal', text: head.text }],
        notifications: {},
        ack: { status: 'posted', at: Math.floor(at + 1_000), ref: ack.ts },
        version: 1,
      };
      await store.create(ticket);
      await store.indexMessage('slack', channel, head.ts, id);
      heads[c]!.push(head.ts);
    }
    await store.reserveTicketIdsThrough(id);
    for (let c = 0; c < CHANNELS; c++) await app.desk.setCursor('slack', channelId(c), heads[c]!.at(-1)!);
    const openTickets = id;

    // While away: in 100 channels, a new question and a follow-up in an open ticket's thread.
    const missed: { channel: string; ts: string; reply: boolean }[] = [];
    for (let n = 0; n < CHANNELS_WITH_NEWS; n++) {
      const c = Math.floor((n * CHANNELS) / CHANNELS_WITH_NEWS);
      const channel = channelId(c);
      const at = downFrom + ((n + 1) * (DOWNTIME_MS - 60_000)) / CHANNELS_WITH_NEWS;
      const question = fake.seed(channel, { user: CUSTOMER, text: `a new question ${n}`, ts: fake.nextTs(at) });
      const reply = fake.seed(channel, { user: CUSTOMER, text: `any news? ${n}`, thread_ts: heads[c]![n % TICKETS_PER_CHANNEL]!, ts: fake.nextTs(at + 500) });
      missed.push({ channel, ts: question.ts, reply: false }, { channel, ts: reply.ts, reply: true });
    }
    fake.clearCalls();

    const started = performance.now();
    const connection = await createSlackConnection(
      app,
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: '0', HOST: '127.0.0.1' },
      logger,
      // Bot and fake share this process's event loop: a call waits there a while before the fake counts it, so more margin than the 5 % default.
      { staffRefreshMs: 0, rateTiers: { windowMs: WINDOW_MS, marginMs: WINDOW_MS * MARGIN } },
    );
    const newTickets = missed.filter((m) => !m.reply);
    for (;;) {
      const found = await Promise.all(missed.map((m) => store.findByMessage('slack', m.channel, m.ts)));
      const acked = newTickets.every((m) => fake.stored(m.channel).some((s) => s.thread_ts === m.ts && s.bot_id !== undefined));
      if (found.every((t) => t !== undefined) && acked) break;
      if (performance.now() - started > 30 * 60_000) throw new Error('catch-up did not finish within 30 minutes');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    await connection.stop();

    const history = fake.countCalls('conversations.history');
    const replies = fake.countCalls('conversations.replies');
    const tier3 = SLACK_TIERS['conversations.replies']!;
    // Tier windows the calls need at least; the rest of the time is work (store, desk, HTTP), which a real minute does not stretch.
    const windows = Math.max(history.answered / SLACK_TIERS['conversations.history']!, replies.answered / tier3);
    const boundMinutes = windows;
    const workSeconds = Math.max(0, seconds - windows * (WINDOW_MS / 1000) * (1 + MARGIN));
    const realMinutes = windows * 1.05 + workSeconds / 60;
    return [
      { name: 'channels / open tickets / messages while away', value: CHANNELS, unit: 'channels', note: `${openTickets} open tickets, ${missed.length} messages in ${CHANNELS_WITH_NEWS} channels` },
      { name: 'time until every message is ticketed and acknowledged', value: seconds, unit: 's', note: `tier minute shortened to ${WINDOW_MS} ms` },
      { name: '  at Slack\'s real tiers (estimate)', value: realMinutes, unit: 'min', note: `${windows.toFixed(1)} tier minutes (+5 % margin) + ${workSeconds.toFixed(1)} s of work` },
      { name: '  lower bound at Tier 3 (50 calls/min per method)', value: boundMinutes, unit: 'min' },
      { name: 'conversations.history calls', value: history.answered, unit: 'calls', note: `${(history.answered / CHANNELS).toFixed(2)} per channel` },
      { name: 'conversations.replies calls', value: replies.answered, unit: 'calls', note: `${(replies.answered / openTickets).toFixed(4)} per open ticket` },
      { name: '429s received (history + replies)', value: history.rateLimited + replies.rateLimited, unit: 'responses' },
      { name: 'chat.postMessage calls (acknowledgements)', value: fake.callsTo('chat.postMessage').length, unit: 'calls' },
      { name: 'a replies call per open ticket would need, at Tier 3', value: openTickets / tier3, unit: 'min' },
    ];
  } finally {
    await app.stop();
    await store.close();
    await fake.stop();
  }
}
