/**
 * The Redis store against real servers: the shared one on 127.0.0.1:6379 or
 * REDIS_URL (the contract, two replicas, locks), and a private redis-server
 * this file starts, stops, pauses and restarts (Redis going away). Every store
 * here uses its own key prefix under this run's, and the run deletes its keys
 * at the end. Without a Redis (or without redis-server, for the outage tests)
 * they are skipped; see test/helpers/requirements.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type RedisClientType } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyvTicketStore, type Locker } from '../../src/store/keyv-store.js';
import { openStore } from '../../src/store/open.js';
import { StoreError, type TicketStore } from '../../src/store/ports.js';
import { connectRedis, openRedisStore, type RedisStoreOptions } from '../../src/store/redis.js';
import { runStoreContract } from './contract.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { freePort, RedisServer } from '../../testkit/replicas.js';
import { needRedis, needRedisServer } from '../helpers/requirements.js';
import { T0, append, closed, collect, makeTicket } from './fixtures.js';

const URL = await needRedis('Redis store tests');
const REDIS_SERVER = URL === undefined ? undefined : needRedisServer('Redis outage tests');
const RUN = `slawatch-test-${randomBytes(4).toString('hex')}`;
let prefixes = 0;
const nextPrefix = () => `${RUN}-${++prefixes}`;

let raw: RedisClientType;
beforeAll(async () => {
  raw = createClient({ url: URL });
  raw.on('error', () => undefined); // failures show up in the commands below
  await raw.connect();
});
afterAll(async () => {
  for await (const keys of raw.scanIterator({ MATCH: `${RUN}*`, COUNT: 1_000 })) {
    if (keys.length) await raw.unlink(keys);
  }
  await raw.close();
});

/** Stores a test opened, closed by the test or at the end of the file. */
const opened = new Set<TicketStore>();
afterAll(async () => {
  await Promise.allSettled([...opened].map((store) => store.close()));
});
async function open(options: RedisStoreOptions = {}): Promise<TicketStore> {
  const store = await openRedisStore({ url: URL, ...options });
  opened.add(store);
  return store;
}

const message = (i: number) => append({ type: 'customer_message', at: T0 + i, text: `message ${i}` });

let lastPrefix = '';
if (URL !== undefined) {
  runStoreContract(
    'redis',
    () => openRedisStore({ url: URL, prefix: (lastPrefix = nextPrefix()) }),
    { reopen: () => openRedisStore({ url: URL, prefix: lastPrefix }) },
  );
}

describe.runIf(URL)('redis store: keys and opening', () => {
  it('is what openStore gives for backend redis, under the configured prefix', async () => {
    const prefix = nextPrefix();
    const store = await openStore({ backend: 'redis', path: 'unused', url: URL, prefix });
    opened.add(store);
    await store.create(makeTicket(1));
    expect(JSON.parse((await raw.get(`${prefix}:ticket:0000000001`))!)).toStrictEqual({ value: makeTicket(1) });
  });

  it('keeps tickets, their indexes and the id counter where the layout says, and nothing else', async () => {
    const prefix = nextPrefix();
    const store = await open({ prefix });
    const id = await store.nextTicketId();
    await store.create(makeTicket(id));
    await store.create(makeTicket(2, { events: [...makeTicket(2).events, closed()] }));
    await store.indexMessage('slack', 'C1', 'm1', id);
    await store.setMeta('cursor', 'x');
    await store.withLock('channel:C1', async () => undefined);

    const keys: string[] = [];
    for await (const batch of raw.scanIterator({ MATCH: `${prefix}:*` })) keys.push(...batch);
    expect(keys.sort()).toEqual(
      [
        'active:0000000001',
        'counter:ticket',
        'index:active',
        'index:ticket',
        'meta:cursor',
        'msg:slack:C1:m1',
        'ticket:0000000001',
        'ticket:0000000002',
      ].map((key) => `${prefix}:${key}`),
    ); // no lock left behind, no second ("prefix::prefix:") namespace
    expect(await raw.get(`${prefix}:counter:ticket`)).toBe('1');
    expect(await raw.zRangeWithScores(`${prefix}:index:ticket`, 0, -1)).toEqual([
      { value: '0000000001', score: 1 },
      { value: '0000000002', score: 2 },
    ]);
    expect(await raw.zRange(`${prefix}:index:active`, 0, -1)).toEqual(['0000000001']);

    await store.update(id, append(closed()));
    expect(await raw.zRange(`${prefix}:index:active`, 0, -1)).toEqual([]);
    expect(await raw.exists(`${prefix}:active:0000000001`)).toBe(0);
  });

  it('updates tickets whose text Redis’s Lua JSON decoder refuses (lone surrogates), and says so for a record the script cannot read', async () => {
    const prefix = nextPrefix();
    const store = await open({ prefix });
    const texts = ['cut emoji \ud83d', 'low \udc00 half', 'typed \\ud800 literally', '\\\ud800 both', '🚒 whole'];
    await store.create(makeTicket(1, { events: [...makeTicket(1).events, ...texts.map((text, i) => ({ type: 'customer_message' as const, at: T0 + i, text }))] }));
    const saved = await store.update(1, message(9));
    expect(saved.version).toBe(2);
    expect(await store.get(1)).toStrictEqual(saved);
    expect(saved.events.slice(1, -1).map((e) => (e.type === 'customer_message' ? e.text : ''))).toEqual(texts);

    // Nested deeper than cjson's limit (1,000): JSON.parse reads it, the script cannot.
    const deep = { ...makeTicket(2), extra: JSON.parse('['.repeat(1_100) + ']'.repeat(1_100)) as unknown };
    await store.create(deep as Ticket);
    await expect(store.update(2, message(1))).rejects.toThrow(/ticket:0000000002 is not a ticket the compare-and-set can read/);
    expect(await store.get(2)).toStrictEqual(deep);
  });

  it('keeps deployments with different prefixes apart', async () => {
    const [a, b] = await Promise.all([open({ prefix: nextPrefix() }), open({ prefix: nextPrefix() })]);
    await a.create(makeTicket(1));
    await a.setMeta('k', 'a');
    expect(await b.get(1)).toBeUndefined();
    expect(await b.getMeta('k')).toBeUndefined();
    expect(await collect(b.listAll())).toEqual([]);
    expect(await b.nextTicketId()).toBe(1);
  });

  it('refuses an unusable prefix, and fails to open promptly when nothing listens', async () => {
    await expect(openRedisStore({ url: URL, prefix: 'a*b' })).rejects.toBeInstanceOf(StoreError);
    await expect(openRedisStore({ url: URL, prefix: 'meta' })).rejects.toBeInstanceOf(StoreError);
    const port = await freePort();
    const started = performance.now();
    const failed = openRedisStore({ url: `redis://:s3cret@127.0.0.1:${port}`, connectTimeoutMs: 500 });
    await expect(failed).rejects.toBeInstanceOf(StoreError);
    await expect(failed).rejects.toThrow(`opening the Redis store at redis://:***@127.0.0.1:${port}`);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe.runIf(URL)('redis store: two replicas (two clients) on one Redis', () => {
  const pair = async (options: RedisStoreOptions = {}) => {
    const prefix = nextPrefix();
    return Promise.all([open({ prefix, ...options }), open({ prefix, ...options })]);
  };

  it('loses none of 100 concurrent updates of one ticket made through both', async () => {
    const [a, b] = await pair();
    await a.create(makeTicket(1));
    await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).update(1, message(i))));
    const ticket = (await b.get(1))!;
    expect(ticket.version).toBe(101);
    const texts = ticket.events.slice(1).map((e) => (e.type === 'customer_message' ? e.text : ''));
    expect(new Set(texts)).toEqual(new Set(Array.from({ length: 100 }, (_, i) => `message ${i}`)));
  });

  it('hands out 200 distinct ids when both ask at once', async () => {
    const [a, b] = await pair();
    const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).nextTicketId()));
    expect([...ids].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('lets exactly one of them create a ticket id, and each sees and lists what the other wrote', async () => {
    const [a, b] = await pair();
    const racing = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).create(makeTicket(1, { customer: `c${i}` }))));
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(racing.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof StoreError)).toBe(true);
    await b.create(makeTicket(2));
    await a.update(2, append(closed()));
    expect((await collect(b.listAll())).map((t) => t.id)).toEqual([1, 2]);
    expect((await collect(b.listActive())).map((t) => t.id)).toEqual([1]);
    expect(await a.get(1)).toStrictEqual(await b.get(1));
  });

  it('runs sections holding the same lock one at a time across both', async () => {
    const [a, b] = await pair();
    let inside = 0;
    let most = 0;
    const section = async () => {
      inside += 1;
      most = Math.max(most, inside);
      await sleep(2);
      inside -= 1;
    };
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).withLock('channel:slack:C1', section)));
    expect(most).toBe(1);
  });

  it('keeps a lock past its TTL while the holder runs (it refreshes it)', async () => {
    const [a, b] = await pair({ lockTtlMs: 300 });
    const order: string[] = [];
    const first = a.withLock('k', async () => {
      order.push('a in');
      await sleep(1_000); // more than three TTLs
      order.push('a out');
    });
    await sleep(50);
    const second = b.withLock('k', async () => void order.push('b in'));
    await Promise.all([first, second]);
    expect(order).toEqual(['a in', 'a out', 'b in']);
  });

  it('takes over a lock whose holder died (closed without releasing) once its TTL has passed', async () => {
    const prefix = nextPrefix();
    const dying = await openRedisStore({ url: URL, prefix, lockTtlMs: 800 });
    const survivor = await open({ prefix, lockTtlMs: 800 });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let finish!: () => void;
    const held = dying.withLock('k', async () => {
      entered();
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await inside;
    await dying.close(); // the holder's connection is gone: no release, no more refreshes
    expect(await raw.exists(`${prefix}:lock:app:k`)).toBe(1);

    const started = performance.now();
    expect(await survivor.withLock('k', async () => 'taken over')).toBe('taken over');
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThan(300); // it did wait for the expiry (at least 2/3 of a TTL remained)…
    expect(waited).toBeLessThan(2_000); // …and not much longer
    finish();
    await held; // the dead holder's failed release does not turn its section into a failure
  });

  it('gives up waiting for a lock with a StoreError after lockWaitMs', async () => {
    const [a, b] = await pair({ lockTtlMs: 5_000, lockWaitMs: 300 });
    let finish!: () => void;
    const held = a.withLock('k', () => new Promise<void>((resolve) => (finish = resolve)));
    await sleep(20);
    await expect(b.withLock('k', async () => 'never')).rejects.toThrow(/locking app:k failed: another holder kept it/);
    finish();
    await held;
  });

  it('refuses (writes nothing) an update whose ticket changed under it: the compare-and-set behind the lock', async () => {
    // A store whose lock locks nothing, as if every holder had lost its lock.
    const parts = await connectRedis({ url: URL, prefix: nextPrefix() });
    const noLock: Locker = { withLock: (_key, section) => section() };
    const store = new KeyvTicketStore({ keyv: parts.keyv, pager: parts.pager, ops: parts.ops, locker: noLock });
    opened.add(store);
    await store.create(makeTicket(1));

    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.update(1, message(i))));
    const written = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.events.at(-1)] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(written.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1); // all twenty read version 1 before the first write landed
    for (const error of refused) expect(error).toBeInstanceOf(StoreError);
    expect(String(refused[0])).toMatch(/ticket 1 changed while this update held its lock/);
    // Every update that reported success is in the ticket; none that failed is.
    const ticket = (await store.get(1))!;
    expect(ticket.version).toBe(1 + written.length);
    expect(ticket.events.slice(1)).toStrictEqual(written);
  });
});

describe.runIf(REDIS_SERVER)('redis store: Redis going away', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-redis-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fails fast while Redis is down, and works again by itself once it is back', { timeout: 30_000 }, async () => {
    const server = await RedisServer.start({ binary: REDIS_SERVER!, dir });
    try {
      const store = await open({ url: server.url, prefix: nextPrefix() });
      await store.create(makeTicket(1));
      await store.update(1, message(1));
      await server.save(); // --save '' keeps nothing by itself; this snapshot comes back on restart
      await server.kill();

      const calls: [string, () => Promise<unknown>][] = [
        ['update', () => store.update(1, message(2))],
        ['get', () => store.get(1)],
        ['create', () => store.create(makeTicket(2))],
        ['nextTicketId', () => store.nextTicketId()],
        ['listActive', () => collect(store.listActive())],
        ['setMeta', () => store.setMeta('k', 'v')],
        ['withLock', () => store.withLock('k', async () => 'ran')],
        ['ping', () => store.ping()],
      ];
      for (const [name, call] of calls) {
        const started = performance.now();
        await expect(call(), name).rejects.toBeInstanceOf(StoreError);
        expect(performance.now() - started, name).toBeLessThan(3_000);
      }

      await server.start();
      const saved = await eventually(() => store.update(1, message(3)), 10_000);
      expect(saved.version).toBe(3); // the update made while Redis was down wrote nothing
      expect(saved.events.map((e) => (e.type === 'customer_message' ? e.text : e.type))).toEqual(['opened', 'message 1', 'message 3']);
      expect(await store.nextTicketId()).toBe(1);
      expect((await collect(store.listActive())).map((t) => t.id)).toEqual([1]);
    } finally {
      await server.kill();
    }
  });

  it('fails in bounded time when Redis stops answering, and recovers when it answers again', { timeout: 30_000 }, async () => {
    const server = await RedisServer.start({ binary: REDIS_SERVER!, dir });
    try {
      const prefix = nextPrefix();
      const store = await open({ url: server.url, prefix, commandTimeoutMs: 500, lockTtlMs: 2_000 });
      const other = await openRedisStore({ url: server.url, prefix, commandTimeoutMs: 500 });
      await store.create(makeTicket(1));
      server.pause(); // SIGSTOP: the connection stays up, nothing answers

      for (const [name, call] of [
        ['update', () => store.update(1, message(1))],
        ['get', () => store.get(1)],
        ['nextTicketId', () => store.nextTicketId()],
      ] as const) {
        const started = performance.now();
        await expect(call(), name).rejects.toBeInstanceOf(StoreError);
        expect(performance.now() - started, name).toBeLessThan(1_500);
      }
      const waiting = other.get(1).catch((error: unknown) => error);
      const closing = performance.now();
      await other.close(); // a graceful close would wait for that reply forever
      expect(performance.now() - closing).toBeLessThan(1_500);
      expect(await waiting).toBeInstanceOf(StoreError);

      server.resume();
      // The lock the timed-out update may have taken late was released right behind it.
      const saved = await eventually(() => store.update(1, message(2)), 1_500);
      expect(saved.events.at(-1)).toMatchObject({ type: 'customer_message', text: 'message 2' });
    } finally {
      server.resume();
      await server.kill();
    }
  });

  it('releases a lock whose release failed while Redis was away as soon as Redis is back, not after its TTL', { timeout: 30_000 }, async () => {
    const server = await RedisServer.start({ binary: REDIS_SERVER!, dir });
    try {
      const prefix = nextPrefix();
      // A TTL far longer than the other replica is willing to wait: only an early release lets it in.
      const holder = await open({ url: server.url, prefix, commandTimeoutMs: 500, lockTtlMs: 60_000 });
      const other = await open({ url: server.url, prefix, commandTimeoutMs: 500, lockWaitMs: 8_000 });
      await holder.withLock('ticket:1', async () => {
        await server.save(); // Redis comes back from disk with the lock in it, as from its append-only file
        await server.kill(); // … and crashes while the section runs, so the release below fails
      });
      await server.start();
      // (`eventually` only rides out the moments before this client has reconnected.)
      expect(await eventually(() => other.withLock('ticket:1', async () => 'taken'), 3_000)).toBe('taken');
    } finally {
      await server.kill();
    }
  });
});

/** Retries `call` until it succeeds or `withinMs` has passed. */
async function eventually<T>(call: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
