/**
 * The Redis ticket store on the local Redis (REDIS_URL, default
 * redis://127.0.0.1:6379): ids, creates and updates through the store, an
 * update race between two replicas on one ticket, and listing 100,000 active
 * tickets. Everything lives under a prefix of its own, deleted at the end.
 */
import { randomBytes } from 'node:crypto';
import type { Ticket } from '../src/domain/ticket.js';
import { activeKey, ticketKey, type KeyvTicketStore } from '../src/store/keyv-store.js';
import { openRedisStore, queueWrite, type RedisKeyvAdapter } from '../src/store/redis.js';
import type { BenchFigure } from './run.js';
import { sampleTicket, timed } from './support.js';

const T0 = Date.UTC(2026, 2, 10, 9, 0);

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CREATES = 5_000;
const UPDATES = 5_000;
const CONTENDED = 1_000;
const LISTED = 100_000;
const CONCURRENCY = 100;
const SEED_BATCH = 1_000;

const followUp = (i: number) => (t: Ticket): Ticket => ({ ...t, events: [...t.events, { type: 'customer_message', at: T0 + i, text: `follow-up ${i}` }] });

/**
 * Writes tickets and their active-index entries straight into Redis, pipelined:
 * the same keys, values and index entries the store writes (its Keyv's
 * serializer, its key functions, the adapter's queueWrite), minus the locking.
 */
async function seedRedis(store: KeyvTicketStore, tickets: readonly Ticket[]): Promise<void> {
  const { redis, layout } = store.keyv.store as RedisKeyvAdapter;
  for (let from = 0; from < tickets.length; from += SEED_BATCH) {
    const pipeline = redis.multi();
    for (const t of tickets.slice(from, from + SEED_BATCH)) {
      queueWrite(pipeline, layout, layout.key(activeKey(t.id)), (await store.keyv.serializeData({ value: t.id, expires: undefined })) as string);
      queueWrite(pipeline, layout, layout.key(ticketKey(t.id)), (await store.keyv.serializeData({ value: t, expires: undefined })) as string);
    }
    await pipeline.execAsPipeline();
  }
}

async function usedMemory(store: KeyvTicketStore): Promise<number> {
  const info = await (store.keyv.store as RedisKeyvAdapter).redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

export async function bench(): Promise<BenchFigure[]> {
  const prefix = `slawatch-bench-${randomBytes(4).toString('hex')}`;
  const figures: BenchFigure[] = [];
  const store = await openRedisStore({ url: URL, prefix: `${prefix}-writes` });
  const replica = await openRedisStore({ url: URL, prefix: `${prefix}-writes` });
  const big = await openRedisStore({ url: URL, prefix: `${prefix}-listing` });
  try {
    const idSeconds = await timed(CREATES, () => store.nextTicketId());
    figures.push({ name: 'redis: nextTicketId', value: Math.round(CREATES / idSeconds), unit: 'ids/s', note: `${CREATES}, ${CONCURRENCY} asking at once` });
    const createSeconds = await timed(CREATES, (i) => store.create(sampleTicket(i + 1)));
    figures.push({ name: 'redis: create', value: Math.round(CREATES / createSeconds), unit: 'tickets/s', note: `${CREATES}, ${CONCURRENCY} in flight` });
    const updateSeconds = await timed(UPDATES, (i) => store.update((i % CONCURRENCY) + 1, followUp(i)));
    figures.push({ name: 'redis: update (append one event)', value: Math.round(UPDATES / updateSeconds), unit: 'updates/s', note: `${UPDATES} over ${CONCURRENCY} tickets` });
    const hotSeconds = await timed(CONTENDED, (i) => (i % 2 ? store : replica).update(CREATES, followUp(i)));
    figures.push({ name: 'redis: update one ticket from two replicas', value: Math.round(CONTENDED / hotSeconds), unit: 'updates/s', note: `${CONTENDED}, ${CONCURRENCY} in flight, lock contention` });

    const before = await usedMemory(big);
    await seedRedis(big, Array.from({ length: LISTED }, (_, i) => sampleTicket(i + 1)));
    const after = await usedMemory(big);
    let start = performance.now();
    let listed = 0;
    for await (const _ of big.listActive()) listed += 1;
    const activeMs = performance.now() - start;
    if (listed !== LISTED) throw new Error(`listActive yielded ${listed} tickets, expected ${LISTED}`);
    figures.push({ name: `redis: listActive, ${LISTED.toLocaleString('en')} active tickets`, value: Math.round(activeMs), unit: 'ms', note: `${Math.round(LISTED / (activeMs / 1000))} tickets/s` });

    start = performance.now();
    listed = 0;
    for await (const _ of big.listAll()) listed += 1;
    figures.push({ name: `redis: listAll, ${listed.toLocaleString('en')} tickets`, value: Math.round(performance.now() - start), unit: 'ms' });
    figures.push({ name: 'redis: memory for 100,000 tickets (used_memory delta)', value: Math.round((after - before) / 1024 / 1024), unit: 'MiB' });
  } finally {
    // keyv's clear on this adapter deletes exactly the keys under the store's prefix.
    await Promise.all([store.keyv.clear(), big.keyv.clear()]);
    await Promise.all([store.close(), replica.close(), big.close()]);
  }
  return figures;
}
