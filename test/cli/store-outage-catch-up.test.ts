/**
 * A store outage longer than the platform ever redelivers, under a running
 * `slawatch start`: a redis-server of the test's own is killed while the bot
 * runs against a fake Slack that never redelivers an event (and enforces
 * Slack's rate tiers). Customers post meanwhile — the bot refuses each event
 * (HTTP 500), and nothing sends it again. Redis comes back (its append-only
 * file kept the data): without a restart, the bot notices within seconds,
 * reads every bound channel from its cursor, and every message ends up in
 * exactly one ticket with one acknowledgement. The catch-up costs a history
 * call per channel and a replies call per thread that moved, not one per
 * open ticket.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { TicketStore } from '../../src/store/ports.js';
import { FakeSlack, type StoredMessage } from '../../testkit/fake-slack.js';
import { RedisServer } from '../../testkit/replicas.js';
import { messageEvent, SlackRequests } from '../../testkit/slack-requests.js';
import { needRedisServer } from '../helpers/requirements.js';
import { startSlackCli, untilStatus, type RunningCli } from '../helpers/run-cli.js';

const REDIS_SERVER = needRedisServer('store outage catch-up test');
const BOT_TOKEN = 'xoxb-1111111111-2222222222-OUTAGETESTTOKENabcdef';
const SIGNING_SECRET = '0u7a9e0u7a9e0u7a9e0u7a9e0u7a9e00';
const CHANNELS = ['C0ACME', 'C0GLOBEX', 'C0INITECH'];
const QUIET = 'C0QUIET';
const CUSTOMER = 'U0CUSTOMER';
/** Longer than any redelivery of the fake (it has none): events refused in the outage are gone for good. */
const OUTAGE_MS = 3_000;

function configYaml(redisUrl: string, prefix: string): string {
  const customers = [...CHANNELS, QUIET].map((channel, i) => `  - { id: c${i}, name: Customer ${i}, tier: enterprise, channels: { slack: [${channel}] } }`).join('\n');
  return `
people: { alice: { name: Alice, slack: U0ALICE } }
staff: { people: [alice], channels: { slack: C0STAFF } }
customers:
${customers}
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h } }
tickets: { groupingWindow: 1s }
store: { backend: redis, url: "${redisUrl}", prefix: ${prefix} }
`;
}

describe.runIf(REDIS_SERVER)('a store outage longer than any redelivery, without a restart', () => {
  let dir: string;
  let redis: RedisServer;
  let fake: FakeSlack;
  let cli: RunningCli;
  let base: string;
  let slack: SlackRequests;
  let prefix: string;
  let store: TicketStore | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-outage-'));
    redis = await RedisServer.start({ binary: REDIS_SERVER!, dir, durable: true });
    fake = await FakeSlack.start({ tiers: true });
    prefix = `outage-${randomBytes(4).toString('hex')}`;
    const config = join(dir, 'slawatch.yaml');
    await writeFile(config, configYaml(redis.url, prefix));
    ({ cli, base } = await startSlackCli(config, { apiUrl: fake.apiUrl, botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET }, { LOG_LEVEL: 'info' }));
    slack = new SlackRequests(`${base}/slack/events`, SIGNING_SECRET);
  }, 30_000);

  afterAll(async () => {
    await store?.close().catch(() => undefined);
    cli?.child.kill('SIGTERM');
    await cli?.exited;
    await redis?.kill();
    await fake?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A customer's message: in Slack's history, and delivered once to the bot (never again). Returns it and the bot's answer. */
  async function post(channel: string, text: string, threadTs?: string): Promise<{ message: StoredMessage; status: number }> {
    const message = fake.seed(channel, { user: CUSTOMER, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
    const response = await slack.event(messageEvent({ channel, user: CUSTOMER, text, ts: message.ts, ...(threadTs ? { thread_ts: threadTs } : {}) }));
    return { message, status: response.status };
  }

  /** The acknowledgements in a thread, as Slack holds them (whenever they were posted). */
  const acks = (channel: string, ts: string) => fake.stored(channel).filter((m) => m.thread_ts === ts && m.bot_id !== undefined && /Ticket #\d+ opened/.test(m.text));

  it('reads every bound channel again once the store is back: each message in one ticket, acknowledged once', async () => {
    // Before the outage: tickets open and are acknowledged as usual.
    const before = await Promise.all(CHANNELS.map((channel) => post(channel, `Before the outage in ${channel}`)));
    for (const [i, { message, status }] of before.entries()) {
      expect(status).toBe(200);
      await fake.channel(CHANNELS[i]!).thread(message.ts).expectMessage(/Ticket #\d+ opened/, 10_000);
    }

    await sleep(1_500); // past the grouping window: what comes next opens tickets of its own
    await redis.kill();
    // The bot notices (readiness says so) and refuses what it cannot keep; the fake never delivers it again.
    await untilStatus(`${base}/readyz`, 503, cli, 15_000);
    const during: { channel: string; message: StoredMessage }[] = [];
    for (const channel of CHANNELS.slice(0, 2)) {
      const { message, status } = await post(channel, `Posted while the store was away, in ${channel}`);
      expect(status).toBe(500);
      during.push({ channel, message });
    }
    const followUp = await post(CHANNELS[2]!, 'Any news? (a reply in the thread, while the store was away)', before[2]!.message.ts);
    expect(followUp.status).toBe(500);
    await sleep(OUTAGE_MS);

    fake.clearCalls();
    await redis.start();
    try {
      for (const { channel, message } of during) await fake.channel(channel).thread(message.ts).expectMessage(/Ticket #\d+ opened/, 30_000);
    } catch (err) {
      throw new Error(`${String(err)}\nthe bot's log:\n${cli.stderr().slice(-6_000)}`);
    }
    store = await openStore({ backend: 'redis', url: redis.url, prefix, path: '' });
    const followUpTicket = await waitFor(() => store!.findByMessage('slack', CHANNELS[2]!, followUp.message.ts), 'the follow-up recorded');
    expect(followUpTicket).toBe(await store.findByMessage('slack', CHANNELS[2]!, before[2]!.message.ts));
    await untilStatus(`${base}/readyz`, 200, cli);

    // No restart: the same process did it.
    expect(cli.child.exitCode).toBeNull();
    expect(cli.stderr()).toMatch(/the store answers again; catching up on every bound channel/);

    // Every customer message is in exactly one ticket, and every ticket was acknowledged once.
    const tickets = new Map<number, string[]>();
    for (const { channel, message } of [...before.map((b, i) => ({ channel: CHANNELS[i]!, message: b.message })), ...during, { channel: CHANNELS[2]!, message: followUp.message }]) {
      const id = await store.findByMessage('slack', channel, message.ts);
      expect(id, `${channel} ${message.text}`).toBeDefined();
      tickets.set(id!, [...(tickets.get(id!) ?? []), message.ts]);
    }
    expect(tickets.size).toBe(5);
    for (const [i, { message }] of before.entries()) expect(acks(CHANNELS[i]!, message.ts)).toHaveLength(1);
    for (const { channel, message } of during) expect(acks(channel, message.ts)).toHaveLength(1);
    await sleep(500); // a second acknowledgement would come now
    for (const { channel, message } of during) expect(acks(channel, message.ts)).toHaveLength(1);

    // The cost follows the channels: one history read per bound channel, replies only where a thread moved.
    const history = fake.countCalls('conversations.history');
    const replies = fake.countCalls('conversations.replies');
    expect(history.answered).toBe(CHANNELS.length + 1);
    expect(replies.answered).toBe(1);
    expect(history.rateLimited + replies.rateLimited).toBe(0);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^slawatch_store_up 1$/m);
    expect(metrics).toMatch(/^slawatch_catchup_channels_behind\{platform="slack"\} 0$/m);
  }, 90_000);

  it('a Redis that hangs (SIGSTOP: connections up, nothing answers) is an outage too', async () => {
    await sleep(1_500); // past the grouping window of the tickets before
    const outages = () => cli.stderr().split('the store does not answer').length - 1;
    const seen = outages();
    redis.pause();
    // The bot cannot keep it (its store commands time out); whatever it answered, the fake never sends it again.
    const hung = await post(QUIET, 'Posted while Redis hung');
    await waitFor(async () => outages() > seen || undefined, 'the bot to notice the hung store', 15_000);
    await sleep(1_000);
    redis.resume();
    try {
      await fake.channel(QUIET).thread(hung.message.ts).expectMessage(/Ticket #\d+ opened/, 30_000);
    } catch (err) {
      throw new Error(`${String(err)}\nthe bot's log:\n${cli.stderr().slice(-6_000)}`);
    }
    await untilStatus(`${base}/readyz`, 200, cli);
    await sleep(500);
    expect(acks(QUIET, hung.message.ts)).toHaveLength(1);
    expect(cli.child.exitCode).toBeNull();
  }, 60_000);
});

async function waitFor<T>(find: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
