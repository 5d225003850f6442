/**
 * The Redis backend: several replicas share one Redis.
 *
 * Ticket data goes through keyv (@keyv/redis) like on every backend. What keyv
 * cannot do across processes is done here on the raw client:
 *   - RedisLocker: one lock per key (SET NX PX with a random token), refreshed
 *     while held, released by a compare-and-delete script;
 *   - ticket ids by INCR, and the ticket write of `update` as a compare-and-set
 *     on the stored version (a Lua script), behind the lock;
 *   - listing from sorted-set indexes, never KEYS or SCAN.
 *
 * Redis keys, under `<prefix>` (`store.prefix`, default "slawatch"):
 *   <prefix>:ticket:0000000042, :active:…, :msg:…, :meta:…   as in keyv-store.ts (keyv JSON values)
 *   <prefix>:index:ticket, :index:active, :index:incident  sorted sets of the ticket:/active:/incident: keys
 *                                                         (member: the padded id, score: the id)
 *   <prefix>:counter:ticket                               the last ticket id (a plain integer, for INCR)
 *   <prefix>:lock:<key>                                   a held lock (value: its holder's token; expires)
 *
 * When Redis is unreachable, commands fail at once (no offline queue) and the
 * client reconnects by itself with backoff; a command Redis accepted but never
 * answers (a hung server, a black-holed network) fails after `commandTimeoutMs`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import type { Keyv } from 'keyv';
import { redactSecrets } from '../observability/redact.js';
import { createStoreKeyv, DEFAULT_NAMESPACE, InProcessLocker, KeyvTicketStore, type BackendOps, type KeyPager, type Locker } from './keyv-store.js';
import { StoreError } from './ports.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/**
 * How long a lock outlives a holder that stopped refreshing it. It bounds how
 * late a step can be after a replica dies holding its ticket: short enough for
 * that, long enough that a live holder refreshing every third of it never
 * loses it to a busy event loop.
 */
export const DEFAULT_LOCK_TTL_MS = 5_000;
/** What waits on a server that stopped answering is bounded too. */
const COMMAND_QUEUE_LIMIT = 20_000;
/** Same rule as config ids: no glob characters, so the prefix is safe in a SCAN pattern. */
const PREFIX_PATTERN = /^[A-Za-z0-9][\w.-]*$/;
/** The key families the store lists, each with a sorted-set index. */
const LISTED_FAMILIES = ['ticket', 'active', 'incident'] as const;

export interface RedisStoreOptions {
  /** `redis[s]://[[user][:password]@]host[:port][/db]`; default redis://127.0.0.1:6379. */
  url?: string;
  /** Every key starts with `<prefix>:`, so deployments (and test runs) can share one Redis. */
  prefix?: string;
  /** How long a lock outlives a holder that stopped refreshing it (a crashed replica). */
  lockTtlMs?: number;
  /** How long to wait for a lock another process holds before failing; default three lock TTLs. */
  lockWaitMs?: number;
  /** A command Redis has not answered within this fails. */
  commandTimeoutMs?: number;
  /** Opening fails if Redis cannot be reached within this. */
  connectTimeoutMs?: number;
  /** Tickets read per page when listing. */
  pageSize?: number;
}

/** Where the store's keys live in Redis, under one prefix. */
export class RedisKeyLayout {
  constructor(readonly prefix: string) {}

  /** A logical key (as keyv-store.ts names it) as Redis holds it. */
  key(logical: string): string {
    return `${this.prefix}:${logical}`;
  }

  lock(key: string): string {
    return this.key(`lock:${key}`);
  }

  index(family: (typeof LISTED_FAMILIES)[number]): string {
    return this.key(`index:${family}`);
  }

  /** The index entry of a raw key of a listed family (`<prefix>:ticket:0000000042`); undefined for other keys. */
  indexEntry(raw: string): { index: string; score: number; member: string } | undefined {
    for (const family of LISTED_FAMILIES) {
      const start = this.key(`${family}:`);
      if (!raw.startsWith(start)) continue;
      const member = raw.slice(start.length);
      if (!/^\d+$/.test(member)) throw new Error(`${raw} is not a ${family} key (expected a zero-padded id after "${start}")`);
      return { index: this.index(family), score: Number(member), member };
    }
    return undefined;
  }

  /** A SCAN pattern for every key under the prefix (maintenance: tests, benches). */
  get everyKey(): string {
    return `${this.prefix}:*`;
  }
}

type RedisMulti = ReturnType<RedisClientType['multi']>;

/** Queues what the store's write of one key does in Redis: the key, and its index entry if it is listed. */
export function queueWrite(multi: RedisMulti, layout: RedisKeyLayout, raw: string, value: string): void {
  multi.set(raw, value);
  const entry = layout.indexEntry(raw);
  if (entry) multi.zAdd(entry.index, { score: entry.score, value: entry.member });
}

/**
 * `promise`, or a rejection once `ms` have passed without an answer. A command
 * Redis never answers keeps waiting inside the client (a late reply still
 * reaches it), but the caller gets its failure in bounded time.
 */
export function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  // Promise.race subscribes to `promise`, so its late rejection is not an unhandled one.
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A Lua script run by its SHA1, sent in full only when the server does not know it yet. */
class Script {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClientType, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await redis.evalSha(this.sha, { keys, arguments: args });
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return redis.eval(this.source, { keys, arguments: args });
    }
  }
}

/** Deletes the lock only if we still hold it: after an expiry it may be someone else's. */
const RELEASE_LOCK = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

/** Extends the lock only if we still hold it. */
const REFRESH_LOCK = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);

/** Raises a counter to ARGV[1] unless it is already there or past it (INCR's plain integer). */
const RAISE_COUNTER = new Script(`
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`);

/**
 * Writes the ticket only if the stored one (a keyv JSON record, `{"value": ticket}`)
 * still has the expected version. Answers 1 if it wrote, 0 if the version
 * differs (or the ticket is gone), -1 if the stored record cannot be read.
 *
 * cjson refuses the escapes JSON.stringify writes for lone surrogates
 * ("\ud800", say from a message cut inside an emoji). Those only occur inside
 * strings, never in the version, so when the first decode fails they are
 * blanked out and the record decoded again. A run of backslashes before the
 * "u" escapes a real \u only if it is odd; an even run is literal backslashes.
 */
const REPLACE_TICKET = new Script(`
local stored = redis.call('GET', KEYS[1])
if not stored then return 0 end
local ok, record = pcall(cjson.decode, stored)
if not ok then
  local blanked = string.gsub(stored, '(\\\\+)u[dD][89a-fA-F]%x%x', function(slashes)
    if #slashes % 2 == 0 then return nil end
    return string.sub(slashes, 1, -2) .. '?'
  end)
  ok, record = pcall(cjson.decode, blanked)
end
if not ok or type(record) ~= 'table' or type(record.value) ~= 'table' then return -1 end
if record.value.version ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`);

/**
 * @keyv/redis for the store: keys of the listed families are written with
 * their index entry in one MULTI (so listing and data never disagree), every
 * command is bounded in time, and `clear` stays inside the prefix.
 */
export class RedisKeyvAdapter extends KeyvRedis<string> {
  constructor(
    readonly redis: RedisClientType,
    readonly layout: RedisKeyLayout,
    private readonly timeoutMs: number,
  ) {
    super(redis, { throwOnErrors: true, throwOnConnectError: true });
  }

  // keyv already puts its namespace in front of every key; the adapter must
  // not add a second one ("slawatch::slawatch:ticket:…"), whatever keyv sets.
  override get namespace(): string | undefined {
    return undefined;
  }

  override set namespace(_ignored: string | undefined) {
    // see the getter
  }

  override get<U = string>(key: string): Promise<U | undefined> {
    return bounded(super.get<U>(key), this.timeoutMs);
  }

  override getMany<U = string>(keys: string[]): Promise<(U | undefined)[]> {
    return bounded(super.getMany<U>(keys), this.timeoutMs);
  }

  override has(key: string): Promise<boolean> {
    return bounded(super.has(key), this.timeoutMs);
  }

  /** The store sets no TTLs, so `ttl` is passed on only for keys outside the listed families. */
  override async set(key: string, value: string, ttl?: number): Promise<void> {
    if (!this.layout.indexEntry(key)) return bounded(super.set(key, value, ttl), this.timeoutMs);
    const multi = this.redis.multi();
    queueWrite(multi, this.layout, key, value);
    await bounded(multi.exec(), this.timeoutMs);
  }

  override async delete(key: string): Promise<boolean> {
    const entry = this.layout.indexEntry(key);
    if (!entry) return bounded(super.delete(key), this.timeoutMs);
    const [deleted] = await bounded(this.redis.multi().unlink(key).zRem(entry.index, entry.member).execTyped(), this.timeoutMs);
    return deleted > 0;
  }

  /** Deletes every key under the prefix (the adapter's own `clear` would match every key without "::"). */
  override async clear(): Promise<void> {
    for await (const keys of this.redis.scanIterator({ MATCH: this.layout.everyKey, COUNT: 1_000 })) {
      if (keys.length) await this.redis.unlink(keys);
    }
  }

  override async disconnect(): Promise<void> {
    if (!this.redis.isOpen) return;
    try {
      // A graceful close waits for the replies still due, which a hung server never sends.
      await bounded(this.redis.close(), this.timeoutMs);
    } catch {
      try {
        this.redis.destroy(); // rejects what still waits; the socket itself is already closing
      } catch {
        // ClientClosedError: close() got that far already
      }
      this.redis.unref();
    }
  }
}

export interface RedisLockerOptions {
  /** How long a lock outlives a holder that stopped refreshing it. */
  ttlMs?: number;
  /** How long to wait for a lock held elsewhere before failing. */
  waitMs?: number;
  commandTimeoutMs?: number;
}

/**
 * A lock per key across processes. Within one process callers queue in memory
 * first, so only one of them at a time polls Redis. The holder refreshes the
 * lock every third of its TTL while its section runs, so a long section keeps
 * it and a crashed holder's lock frees itself after one TTL.
 *
 * A refresh that fails (Redis away, the process stalled past the TTL) cannot
 * stop a section that is already running; ticket writes are protected anyway
 * by the version compare-and-set of `update`.
 */
export class RedisLocker implements Locker {
  private readonly local = new InProcessLocker();
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly timeoutMs: number;
  /** Locks whose release failed while Redis was away, released when it is back. */
  private readonly owed = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly redis: RedisClientType,
    private readonly layout: RedisKeyLayout,
    options: RedisLockerOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
    // Longer than a TTL, so a crashed holder's lock is taken over rather than reported.
    this.waitMs = options.waitMs ?? Math.max(30_000, 2 * this.ttlMs);
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  withLock<T>(key: string, section: () => Promise<T>): Promise<T> {
    return this.local.withLock(key, () => this.holding(key, section));
  }

  private async holding<T>(key: string, section: () => Promise<T>): Promise<T> {
    const lockKey = this.layout.lock(key);
    const token = randomUUID();
    await this.acquire(key, lockKey, token);
    const refresher = setInterval(() => void this.refresh(lockKey, token), Math.max(1, Math.floor(this.ttlMs / 3)));
    refresher.unref();
    try {
      return await section();
    } finally {
      clearInterval(refresher);
      // A release that fails (Redis away) leaves the lock to expire after its TTL; the section's outcome stands.
      await this.release(lockKey, token);
    }
  }

  private async acquire(key: string, lockKey: string, token: string): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      let reply: string | null;
      try {
        const set = this.redis.set(lockKey, token, { condition: 'NX', expiration: { type: 'PX', value: this.ttlMs } });
        reply = await bounded(set, this.timeoutMs);
      } catch (error) {
        // A SET that timed out may still land later. Redis runs one connection's commands in
        // order, so this release, queued right behind it, removes the lock again.
        void this.release(lockKey, token);
        throw new StoreError(`locking ${key} failed: ${reasonOf(error)}`, { cause: error });
      }
      if (reply === 'OK') return;
      const waited = Date.now() - started;
      if (waited >= this.waitMs) throw new StoreError(`locking ${key} failed: another holder kept it for ${waited} ms`);
      // Short, growing, jittered waits: holders keep a lock for a few round trips, and replicas
      // polling in step would collide again.
      await sleep(Math.min(20, 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }

  private async refresh(lockKey: string, token: string): Promise<void> {
    try {
      await bounded(REFRESH_LOCK.run(this.redis, [lockKey], [token, String(this.ttlMs)]), this.timeoutMs);
    } catch {
      // the next tick tries again; if Redis stays away the lock expires, see the class comment
    }
  }

  private async release(lockKey: string, token: string): Promise<void> {
    try {
      await bounded(RELEASE_LOCK.run(this.redis, [lockKey], [token]), this.timeoutMs);
    } catch {
      this.owe(lockKey, token);
    }
  }

  /**
   * A release that failed because Redis was away: Redis comes back with the
   * lock still in its data (the append-only file keeps it), and every other
   * replica would wait out its TTL. This holder knows its token, so it
   * releases the lock as soon as Redis answers again. Past the TTL the lock has
   * expired by itself and nothing is owed.
   */
  private owe(lockKey: string, token: string): void {
    if (this.owed.size === 0) this.redis.on('ready', this.payOwed);
    this.owed.set(lockKey, { token, expiresAt: Date.now() + this.ttlMs });
  }

  private readonly payOwed = (): void => {
    const now = Date.now();
    const due = [...this.owed].filter(([, owed]) => owed.expiresAt > now);
    this.owed.clear();
    this.redis.off('ready', this.payOwed);
    for (const [lockKey, { token }] of due) void this.release(lockKey, token);
  };
}

/** Ticket ids, ticket writes and ping, done by Redis itself. */
export class RedisBackendOps implements BackendOps {
  constructor(
    private readonly redis: RedisClientType,
    private readonly layout: RedisKeyLayout,
    private readonly keyv: Keyv,
    private readonly timeoutMs: number,
  ) {}

  increment(key: string): Promise<number> {
    return bounded(this.redis.incr(this.layout.key(key)), this.timeoutMs);
  }

  async raise(key: string, value: number): Promise<void> {
    await bounded(RAISE_COUNTER.run(this.redis, [this.layout.key(key)], [String(value)]), this.timeoutMs);
  }

  async replaceTicket(key: string, expectedVersion: number, next: { version: number }): Promise<boolean> {
    // Serialized by the store's Keyv, so the record is byte for byte what keyv.set would write.
    const record = await this.keyv.serializeData({ value: next, expires: undefined });
    if (typeof record !== 'string') throw new Error('the store Keyv must serialize to strings');
    const written = await bounded(REPLACE_TICKET.run(this.redis, [this.layout.key(key)], [String(expectedVersion), record]), this.timeoutMs);
    if (written === -1) throw new Error(`the record stored at ${key} is not a ticket the compare-and-set can read`);
    return written === 1;
  }

  async ping(): Promise<void> {
    await bounded(this.redis.ping(), this.timeoutMs);
  }
}

/** Lists a family of keys from its sorted-set index, in id order, a page at a time. */
export class RedisIndexPager implements KeyPager {
  constructor(
    private readonly redis: RedisClientType,
    private readonly layout: RedisKeyLayout,
    private readonly timeoutMs: number,
  ) {}

  async keysAfter(prefix: string, after: string | undefined, limit: number): Promise<string[]> {
    const family = LISTED_FAMILIES.find((f) => prefix === this.layout.key(`${f}:`));
    if (!family) throw new Error(`no index lists the keys ${prefix}*`);
    // Exclusive lower bound: the page starts after the last id of the previous one.
    const min = after === undefined ? '-inf' : `(${Number(after.slice(prefix.length))}`;
    const page = this.redis.zRangeByScore(this.layout.index(family), min, '+inf', { LIMIT: { offset: 0, count: limit } });
    const members = await bounded(page, this.timeoutMs);
    return members.map((member) => `${prefix}${String(member)}`);
  }
}

/** The connected Redis pieces of a store; `openRedisStore` assembles them (tests and benches reach below it). */
export interface RedisStoreParts {
  client: RedisClientType;
  layout: RedisKeyLayout;
  keyv: Keyv;
  pager: RedisIndexPager;
  locker: RedisLocker;
  ops: RedisBackendOps;
}

export async function connectRedis(options: RedisStoreOptions = {}): Promise<RedisStoreParts> {
  const url = options.url ?? DEFAULT_REDIS_URL;
  const prefix = options.prefix ?? DEFAULT_NAMESPACE;
  if (!PREFIX_PATTERN.test(prefix)) throw new StoreError(`invalid Redis key prefix "${prefix}" (letters, digits, ".", "_" and "-")`);
  const layout = new RedisKeyLayout(prefix);
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

  let client: RedisClientType | undefined;
  try {
    client = createClient({
      url,
      // While the connection is down, commands fail at once instead of waiting for Redis to return.
      disableOfflineQueue: true,
      commandsQueueMaxLength: COMMAND_QUEUE_LIMIT,
      socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: reconnectDelay },
    });
    // Made before connecting: it adds the 'error' listener without which node-redis would throw its errors.
    const adapter = new RedisKeyvAdapter(client, layout, timeoutMs);
    const keyv = createStoreKeyv(adapter, prefix);
    await bounded(client.connect(), connectTimeoutMs);
    return {
      client,
      layout,
      keyv,
      pager: new RedisIndexPager(client, layout, timeoutMs),
      locker: new RedisLocker(client, layout, { ttlMs: options.lockTtlMs, waitMs: options.lockWaitMs, commandTimeoutMs: timeoutMs }),
      ops: new RedisBackendOps(client, layout, keyv, timeoutMs),
    };
  } catch (error) {
    // The reconnect strategy would otherwise keep trying in the background.
    if (client?.isOpen) client.destroy();
    throw new StoreError(redactSecrets(`opening the Redis store at ${url} failed: ${reasonOf(error)}`), { cause: error });
  }
}

export async function openRedisStore(options: RedisStoreOptions = {}): Promise<KeyvTicketStore> {
  const { keyv, pager, locker, ops } = await connectRedis(options);
  return new KeyvTicketStore({ keyv, pager, locker, ops, pageSize: options.pageSize });
}

/** Reconnects forever: 50 ms, 100 ms … up to 2 s between attempts, jittered so replicas do not retry in step. */
export function reconnectDelay(retries: number): number {
  return Math.round(Math.min(2_000, 50 * 2 ** retries) * (0.5 + Math.random() / 2));
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
