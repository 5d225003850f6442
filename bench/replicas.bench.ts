/**
 * Replicas on Redis (REDIS_URL, default redis://127.0.0.1:6379).
 *
 * (a) Scheduling then cancelling 100,000 deadlines: slawatch's scheduler
 *     (the DeadlineQueue every replica keeps in memory) against BullMQ
 *     delayed jobs on the same Redis — the tool a Node team would reach for —
 *     one `add` at a time (100 in flight) and with `addBulk`; cancelling is
 *     `queue.remove(jobId)` either way (BullMQ has no bulk remove by id).
 * (b) Message-to-ticket throughput end to end: N `slawatch start` processes
 *     on Redis against a fake Slack, K signed message events (one per
 *     customer channel, so each opens a ticket) sent concurrently, round
 *     robin; tickets/s until every acknowledgement has reached the fake.
 *
 * Everything lives under a key prefix (and a BullMQ queue name) of its own,
 * deleted at the end, as are the processes and temporary files.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@keyv/redis';
import { Queue } from 'bullmq';
import { DeadlineQueue } from '../src/scheduler/deadline-queue.js';
import { FakeSlack } from '../testkit/fake-slack.js';
import { rng } from '../testkit/random.js';
import { freePort, Replica, SlackDelivery } from '../testkit/replicas.js';
import { messageEvent, TEAM_ID } from '../testkit/slack-requests.js';
import type { BenchFigure } from './run.js';
import { percentile, timed } from './support.js';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DEADLINES = 100_000;
const IN_FLIGHT = 100;
const BULK = 1_000;
const MESSAGES = 600;
const SENDERS = 64;
const SIGNING_SECRET = 'b3ncb3ncb3ncb3ncb3ncb3ncb3ncb3nc';
const BOT_TOKEN = 'xoxb-1111111111-2222222222-BENCHTOKENabcdefghijklm';

const perOp = (seconds: number) => (seconds * 1e6) / DEADLINES;

/** µs per deadline scheduled, and per deadline cancelled, in slawatch's in-memory queue (best of three). */
function deadlineQueue(): { set: number; del: number } {
  const random = rng(7);
  const at = Array.from({ length: DEADLINES }, () => Date.now() + Math.floor(random() * 86_400_000));
  const keys = Array.from({ length: DEADLINES }, (_, i) => `${i + 1}:firstResponse`);
  let best = { set: Infinity, del: Infinity };
  for (let round = 0; round < 3; round++) {
    const queue = new DeadlineQueue();
    let start = performance.now();
    for (let i = 0; i < DEADLINES; i++) queue.set(keys[i]!, at[i]!);
    const set = (performance.now() - start) / 1000;
    start = performance.now();
    for (let i = 0; i < DEADLINES; i++) queue.delete(keys[i]!);
    const del = (performance.now() - start) / 1000;
    if (queue.size !== 0) throw new Error('the queue kept deadlines it was told to delete');
    best = { set: Math.min(best.set, perOp(set)), del: Math.min(best.del, perOp(del)) };
  }
  return best;
}

/** µs per delayed job added (one by one, and by addBulk) and removed by id, on BullMQ over the same Redis. */
async function bullmq(): Promise<{ add: number; bulk: number; remove: number; bulkRemove: number }> {
  const { hostname, port } = new globalThis.URL(URL);
  const queue = new Queue(`slawatch-bench-${randomBytes(4).toString('hex')}`, { connection: { host: hostname, port: Number(port || 6379) } });
  const job = (i: number) => ({ name: 'deadline', data: { ticket: i + 1, clock: 'firstResponse' }, opts: { delay: 3_600_000 + i, jobId: `d${i}` } });
  const removeAll = () => timed(DEADLINES, (i) => queue.remove(`d${i}`), IN_FLIGHT);
  try {
    await queue.waitUntilReady();
    const add = await timed(DEADLINES, (i) => {
      const { name, data, opts } = job(i);
      return queue.add(name, data, opts);
    }, IN_FLIGHT);
    if ((await queue.getDelayedCount()) !== DEADLINES) throw new Error('BullMQ did not keep every delayed job');
    const remove = await removeAll();
    if ((await queue.getDelayedCount()) !== 0) throw new Error('BullMQ kept removed jobs');
    const start = performance.now();
    for (let from = 0; from < DEADLINES; from += BULK) await queue.addBulk(Array.from({ length: BULK }, (_, i) => job(from + i)));
    const bulk = (performance.now() - start) / 1000;
    const bulkRemove = await removeAll();
    return { add: perOp(add), bulk: perOp(bulk), remove: perOp(remove), bulkRemove: perOp(bulkRemove) };
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

function configFor(prefix: string): string {
  const customers = Array.from({ length: MESSAGES }, (_, i) => `  - { id: c${i}, name: Customer ${i}, tier: bench, channels: { slack: [${channel(i)}] } }`);
  return `
people: { alice: { name: Alice, slack: U0ALICE } }
staff: { people: [alice], channels: { slack: C0STAFF } }
customers:
${customers.join('\n')}
tiers:
  bench:
    targets: { default: { firstResponse: 1h } }
store: { backend: redis, url: ${URL}, prefix: ${prefix} }
`;
}

const channel = (i: number) => `C0B${String(i).padStart(5, '0')}`;

/** Tickets opened per second by `replicaCount` replicas, and the latency of Slack's requests. */
async function endToEnd(replicaCount: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'slawatch-bench-replicas-'));
  const fake = await FakeSlack.start();
  const prefix = `slawatch-bench-${randomBytes(4).toString('hex')}`;
  const replicas: Replica[] = [];
  try {
    const config = join(dir, 'slawatch.yaml');
    await writeFile(config, configFor(prefix));
    for (let i = 0; i < replicaCount; i++) {
      replicas.push(new Replica(`replica ${i}`, { config, port: await freePort(), env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl } }));
    }
    await Promise.all(replicas.map((r) => r.start(60_000)));
    const slack = new SlackDelivery(
      replicas.map((r) => r.url),
      SIGNING_SECRET,
      { timeoutMs: 10_000 },
    );
    const acks = () => fake.callsTo('chat.postMessage').filter((c) => typeof c.args.thread_ts === 'string').length;
    const latencies: number[] = [];
    const start = performance.now();
    await timed(MESSAGES, async (i) => {
      const ts = fake.nextTs();
      const text = `Question ${i}: the export job fails`;
      fake.seed(channel(i), { ts, text, user: 'U0CUSTOMER', team: TEAM_ID });
      const sent = performance.now();
      const outcome = await slack.deliver(messageEvent({ channel: channel(i), user: 'U0CUSTOMER', ts, text }), `EvB${i}`, i % replicaCount);
      if (outcome.attempts !== 1) throw new Error(`event ${i} was refused: ${outcome.refusals.join(', ')}`);
      latencies.push(performance.now() - sent);
    }, SENDERS);
    while (acks() < MESSAGES) {
      if (performance.now() - start > 120_000) throw new Error(`only ${acks()} of ${MESSAGES} acknowledgements arrived`);
      await sleep(5);
    }
    const seconds = (performance.now() - start) / 1000;
    if (acks() !== MESSAGES) throw new Error(`${acks()} acknowledgements for ${MESSAGES} messages`);
    latencies.sort((a, b) => a - b);
    return { perSecond: MESSAGES / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
    await deleteKeys(prefix);
  }
}

async function deleteKeys(prefix: string): Promise<void> {
  const raw = createClient({ url: URL });
  raw.on('error', () => undefined); // failures show up in the commands
  await raw.connect();
  try {
    for await (const keys of raw.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1_000 })) if (keys.length) await raw.unlink(keys);
  } finally {
    await raw.close();
  }
}

export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const ours = deadlineQueue();
  const theirs = await bullmq();
  const oursPair = ours.set + ours.del;
  const note = 'slawatch keeps deadlines in each replica\'s memory; their durability is the ticket write in Redis they are derived from, which happens anyway';
  figures.push({ name: 'slawatch DeadlineQueue: schedule one deadline', value: ours.set, unit: 'µs', note: `${DEADLINES.toLocaleString('en')} keys` });
  figures.push({ name: 'slawatch DeadlineQueue: cancel one deadline', value: ours.del, unit: 'µs', note });
  figures.push({ name: 'BullMQ: add one delayed job (queue.add, 100 in flight)', value: theirs.add, unit: 'µs', note: 'durable in Redis, a round trip each' });
  figures.push({ name: 'BullMQ: add one delayed job (addBulk of 1,000)', value: theirs.bulk, unit: 'µs' });
  figures.push({ name: 'BullMQ: remove one job by id (100 in flight)', value: (theirs.remove + theirs.bulkRemove) / 2, unit: 'µs', note: `${theirs.remove.toFixed(1)} and ${theirs.bulkRemove.toFixed(1)} µs in the two rounds` });
  figures.push({ name: 'ratio, schedule + cancel: BullMQ add / slawatch', value: (theirs.add + theirs.remove) / oursPair, unit: '×' });
  figures.push({ name: 'ratio, schedule + cancel: BullMQ addBulk / slawatch', value: (theirs.bulk + theirs.bulkRemove) / oursPair, unit: '×' });

  for (const replicaCount of [1, 3]) {
    const { perSecond, p50, p99 } = await endToEnd(replicaCount);
    figures.push({
      name: `end to end, ${replicaCount} replica${replicaCount > 1 ? 's' : ''}: message → ticket + acknowledgement`,
      value: Math.round(perSecond),
      unit: 'tickets/s',
      note: `${MESSAGES} events, ${SENDERS} in flight; Slack request p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms; ${cpus().length} CPUs shared by replicas, Redis, fake Slack and sender`,
    });
  }
  return figures;
}
