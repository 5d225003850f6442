/**
 * The ticket store over keyv. One implementation serves every backend; what
 * differs per backend is passed in: how to list keys by prefix (`KeyPager`),
 * how to lock (`Locker`) and, for a backend shared by several processes, the
 * operations it does atomically itself (`BackendOps`). See open.ts for the
 * memory and SQLite pieces, redis.ts for Redis.
 *
 * Key layout (inside the keyv namespace, `slawatch:` by default):
 *   ticket:0000000042           the ticket (zero-padded, so key order = id order)
 *   active:0000000042           present while ticket 42 is not closed (value: 42)
 *   msg:<platform>:<channel>:<messageId>   ticket id of a platform message
 *   meta:<key>                  small named values
 *   counter:ticket              the last ticket id handed out
 *   incident:0000000007, incident-id:<subject>, counter:incident …   the incident log (incident-store.ts)
 */
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { viewTicket, type Platform, type Ticket } from '../domain/ticket.js';
import { KeyvIncidentStore, type IncidentStore } from './incident-store.js';
import { StoreError, type RestorableStore } from './ports.js';

/** Runs sections one at a time per key: within one process (InProcessLocker) or across processes (RedisLocker). */
export interface Locker {
  withLock<T>(key: string, section: () => Promise<T>): Promise<T>;
}

/** Lists the keys the backend holds, by prefix, a page at a time. */
export interface KeyPager {
  /**
   * Up to `limit` raw keys (as the adapter stores them, namespace included)
   * that start with `prefix` and sort after `after` (all of them when
   * undefined), in ascending code-unit order.
   */
  keysAfter(prefix: string, after: string | undefined, limit: number): Promise<string[]>;
  /**
   * Optional: the stored (serialized) values of raw keys, in one round trip —
   * for backends whose adapter's getMany is slow for a listing page.
   */
  valuesOf?(rawKeys: string[]): Promise<Map<string, string>>;
}

/**
 * What a backend shared by several processes does natively and atomically.
 * Without it (memory, SQLite: one process), the store does the same under its locker.
 */
export interface BackendOps {
  /** Adds one to the counter `key` (logical key, 0 when absent) and answers the new value. */
  increment(key: string): Promise<number>;
  /** Sets the counter `key` to `value` if it is lower (or absent). */
  raise(key: string, value: number): Promise<void>;
  /**
   * Writes `next` as the ticket (or incident record) at `key` only if the
   * stored one still has `expectedVersion` (compare-and-set); answers whether it wrote.
   */
  replaceTicket(key: string, expectedVersion: number, next: { version: number }): Promise<boolean>;
  /** Whether the backend answers. */
  ping(): Promise<void>;
}

/** A per-key mutex made of promise chains: each holder waits for the one before it. */
export class InProcessLocker implements Locker {
  private readonly tails = new Map<string, Promise<void>>();

  async withLock<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    try {
      await previous;
      return await section();
    } finally {
      release();
      // The last holder removes the entry, so the map does not keep every key ever locked.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

export const DEFAULT_NAMESPACE = 'slawatch';
const ID_DIGITS = 10;
const MAX_TICKET_ID = 10 ** ID_DIGITS - 1;

/** The first segment of every key the store writes through keyv. */
const KEY_FAMILIES = ['ticket', 'active', 'msg', 'meta', 'counter', 'incident', 'incident-id'];

/**
 * A Keyv set up the way the store needs it: errors thrown instead of
 * swallowed (by default `get` answers undefined and `set` false), and plain
 * JSON on disk. keyv's default serializer is a hand-rolled JSON that rewrites
 * strings starting with ":"; plain JSON round-trips tickets the same and
 * leaves rows readable with SQLite's json functions.
 */
export function createStoreKeyv(store: KeyvStoreAdapter | Map<string, string>, namespace = DEFAULT_NAMESPACE): Keyv {
  // keyv leaves a key that already starts with "<namespace>:" unprefixed in get/set (not in getMany),
  // so a namespace named like a key family would make `meta:x` and `meta:meta:x` the same row.
  if (KEY_FAMILIES.includes(namespace)) throw new StoreError(`"${namespace}" cannot be the store's namespace: the store uses it for its own keys`);
  return new Keyv({
    store,
    namespace,
    throwOnErrors: true,
    serialize: JSON.stringify,
    deserialize: JSON.parse,
  });
}

export interface KeyvTicketStoreOptions {
  /** Made with `createStoreKeyv` (throwOnErrors on, a namespace set). */
  keyv: Keyv;
  pager: KeyPager;
  locker?: Locker;
  /** For a backend shared by several processes: ids, ticket writes and ping done by the backend itself. */
  ops?: BackendOps;
  /** Keys read per page when listing. */
  pageSize?: number;
}

export class KeyvTicketStore implements RestorableStore {
  /** The underlying Keyv, for backend-specific maintenance (bulk seeding in tests and benches). */
  readonly keyv: Keyv;
  private readonly pager: KeyPager;
  private readonly locker: Locker;
  private readonly ops: BackendOps | undefined;
  private readonly pageSize: number;
  private readonly prefix: string;
  private closed = false;
  private incidentLog: IncidentStore | undefined;

  constructor(options: KeyvTicketStoreOptions) {
    if (!options.keyv.throwOnErrors) throw new Error('KeyvTicketStore needs a Keyv with throwOnErrors (use createStoreKeyv)');
    if (!options.keyv.namespace || !options.keyv.useKeyPrefix) throw new Error('KeyvTicketStore needs a namespaced Keyv (use createStoreKeyv)');
    this.keyv = options.keyv;
    this.pager = options.pager;
    this.locker = options.locker ?? new InProcessLocker();
    this.ops = options.ops;
    this.pageSize = options.pageSize ?? 500;
    this.prefix = `${options.keyv.namespace}:`;
  }

  async nextTicketId(): Promise<number> {
    return this.increment('counter:ticket', 'ticket ids');
  }

  /** The incident log, kept in the same backend (see incident-store.ts). */
  incidents(): IncidentStore {
    this.incidentLog ??= new KeyvIncidentStore({
      read: (key) => this.read(key),
      readMany: (keys) => this.readMany(keys),
      write: (key, value) => this.write(key, value),
      pages: (prefix) => this.pages(prefix),
      increment: (key, what) => this.increment(key, what),
      withLock: (key, section) => this.locker.withLock(key, section),
      ...(this.ops ? { replace: (key, expectedVersion, next) => this.guard(`writing ${key}`, () => (this.ops as BackendOps).replaceTicket(key, expectedVersion, next)) } : {}),
    });
    return this.incidentLog;
  }

  /** Adds one to the counter `key` and answers the new value (1, 2, 3 …), unique across the store. */
  private async increment(key: string, what: string): Promise<number> {
    this.assertOpen();
    const ops = this.ops;
    if (ops) {
      const next = await this.guard(`allocating ${what}`, () => ops.increment(key));
      if (next > MAX_TICKET_ID) throw new StoreError(`${what} are exhausted (${MAX_TICKET_ID})`);
      return next;
    }
    return this.locker.withLock(key, async () => {
      const last = (await this.read<number>(key)) ?? 0;
      const next = last + 1;
      if (next > MAX_TICKET_ID) throw new StoreError(`${what} are exhausted (${MAX_TICKET_ID})`);
      await this.write(key, next);
      return next;
    });
  }

  async reserveTicketIdsThrough(lastId: number): Promise<void> {
    paddedId(lastId); // refuses what is not a ticket id
    this.assertOpen();
    const ops = this.ops;
    if (ops) {
      await this.guard('reserving ticket ids', () => ops.raise('counter:ticket', lastId));
      return;
    }
    await this.locker.withLock('counter:ticket', async () => {
      if (((await this.read<number>('counter:ticket')) ?? 0) < lastId) await this.write('counter:ticket', lastId);
    });
  }

  async create(ticket: Ticket): Promise<void> {
    const key = ticketKey(ticket.id);
    const active = isActive(ticket); // throws (before any write) on a ticket without an opening event
    this.assertOpen();
    await this.locker.withLock(key, async () => {
      if (await this.exists(key)) throw new StoreError(`ticket ${ticket.id} already exists`);
      // Index first: a leftover index entry is harmless (listing skips it), a missing one hides the ticket.
      if (active) await this.write(activeKey(ticket.id), ticket.id);
      await this.write(key, ticket);
    });
  }

  async get(id: number): Promise<Ticket | undefined> {
    if (!isTicketId(id)) return undefined;
    return this.read<Ticket>(ticketKey(id));
  }

  async update(id: number, change: (current: Ticket) => Ticket | undefined): Promise<Ticket> {
    const key = ticketKey(id);
    this.assertOpen();
    return this.locker.withLock(key, async () => {
      const current = await this.read<Ticket>(key);
      if (!current) throw new StoreError(`ticket ${id} does not exist`);
      const wasActive = isActive(current);
      const changed = change(current);
      if (changed === undefined) return current;
      if (changed.id !== id) throw new StoreError(`an update of ticket ${id} returned ticket ${changed.id}`);
      const next: Ticket = { ...changed, version: current.version + 1 };
      const nowActive = isActive(next);
      // Same order rule as create: the active index only ever holds too much, never too little.
      if (nowActive && !wasActive) await this.write(activeKey(id), id);
      const ops = this.ops;
      if (ops) {
        // Belt and braces behind the lock: should the lock have been lost (a holder stalled past its
        // expiry), a write based on a stale read fails here instead of overwriting a newer ticket.
        const written = await this.guard(`writing ${key}`, () => ops.replaceTicket(key, current.version, next));
        if (!written) throw new StoreError(`ticket ${id} changed while this update held its lock (the lock expired?); nothing was written`);
      } else {
        await this.write(key, next);
      }
      if (wasActive && !nowActive) {
        await this.remove(activeKey(id), `ticket ${id} was saved, but removing it from the active index`);
      }
      return next;
    });
  }

  async *listActive(): AsyncIterable<Ticket> {
    for await (const keys of this.pages('active:')) {
      const tickets = await this.readMany<Ticket>(keys.map((key) => `ticket:${key.slice('active:'.length)}`));
      for (const ticket of tickets) {
        // Skips what a write that failed halfway left behind (see create and update).
        if (ticket && isActive(ticket)) yield ticket;
      }
    }
  }

  async *listAll(): AsyncIterable<Ticket> {
    for await (const keys of this.pages('ticket:')) {
      for (const ticket of await this.readMany<Ticket>(keys)) {
        if (ticket) yield ticket;
      }
    }
  }

  async findByMessage(platform: Platform, channelId: string, messageId: string): Promise<number | undefined> {
    return this.read<number>(messageKey(platform, channelId, messageId));
  }

  async indexMessage(platform: Platform, channelId: string, messageId: string, ticketId: number): Promise<void> {
    await this.write(messageKey(platform, channelId, messageId), ticketId);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.read<string>(`meta:${key}`);
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.write(`meta:${key}`, value);
  }

  async withLock<T>(key: string, section: () => Promise<T>): Promise<T> {
    this.assertOpen();
    // Own prefix, so a caller's key can never wait on (or deadlock with) the store's own ticket locks.
    return this.locker.withLock(`app:${key}`, section);
  }

  async ping(): Promise<void> {
    const ops = this.ops;
    if (ops) await this.guard('ping', () => ops.ping());
    else await this.read('meta:ping');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.keyv.disconnect();
    } catch (error) {
      throw storeError('closing the store', error);
    }
  }

  /** Logical keys (namespace stripped) under `prefix`, a page at a time, ascending. */
  private async *pages(prefix: string): AsyncIterable<string[]> {
    let after: string | undefined;
    for (;;) {
      this.assertOpen();
      let raw: string[];
      try {
        raw = await this.pager.keysAfter(this.prefix + prefix, after, this.pageSize);
      } catch (error) {
        throw storeError(`listing ${prefix}* keys`, error);
      }
      if (raw.length === 0) return;
      after = raw[raw.length - 1];
      yield raw.map((key) => key.slice(this.prefix.length));
      if (raw.length < this.pageSize) return;
    }
  }

  /** Runs one of the backend's own operations, its failures as StoreErrors. */
  private async guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await run();
    } catch (error) {
      throw storeError(what, error);
    }
  }

  private async read<T>(key: string): Promise<T | undefined> {
    this.assertOpen();
    try {
      return await this.keyv.get<T>(key);
    } catch (error) {
      throw storeError(`reading ${key}`, error);
    }
  }

  private async readMany<T>(keys: string[]): Promise<(T | undefined)[]> {
    this.assertOpen();
    if (keys.length === 0) return [];
    try {
      if (this.pager.valuesOf) {
        const raw = await this.pager.valuesOf(keys.map((key) => this.prefix + key));
        return keys.map((key) => {
          const stored = raw.get(this.prefix + key);
          // Rows hold what keyv wrote: { value, expires } serialized by createStoreKeyv's JSON.
          return stored === undefined ? undefined : (JSON.parse(stored) as { value: T }).value;
        });
      }
      return await this.keyv.getMany<T>(keys);
    } catch (error) {
      throw storeError(`reading ${keys.length} keys from ${keys[0]}`, error);
    }
  }

  private async exists(key: string): Promise<boolean> {
    this.assertOpen();
    try {
      return await this.keyv.has(key);
    } catch (error) {
      throw storeError(`reading ${key}`, error);
    }
  }

  private async write(key: string, value: unknown): Promise<void> {
    this.assertOpen();
    let confirmed: boolean;
    try {
      confirmed = await this.keyv.set(key, value);
    } catch (error) {
      throw storeError(`writing ${key}`, error);
    }
    // Some adapters report a failed write as `false` instead of throwing.
    if (!confirmed) throw new StoreError(`writing ${key} failed: the backend did not confirm the write`);
  }

  private async remove(key: string, what = `deleting ${key}`): Promise<void> {
    this.assertOpen();
    try {
      // `false` only means the key was not there, which is fine for a delete.
      await this.keyv.delete(key);
    } catch (error) {
      throw storeError(what, error);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('the store is closed');
  }
}

function isActive(ticket: Ticket): boolean {
  return viewTicket(ticket).state !== 'closed';
}

function isTicketId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 1 && id <= MAX_TICKET_ID;
}

function paddedId(id: number): string {
  if (!isTicketId(id)) throw new StoreError(`invalid ticket id ${id} (expected a whole number from 1 to ${MAX_TICKET_ID})`);
  return String(id).padStart(ID_DIGITS, '0');
}

export function ticketKey(id: number): string {
  return `ticket:${paddedId(id)}`;
}

export function activeKey(id: number): string {
  return `active:${paddedId(id)}`;
}

/** Channel and message ids are encoded so a ":" inside one cannot make two keys collide. */
export function messageKey(platform: Platform, channelId: string, messageId: string): string {
  return `msg:${platform}:${encodeURIComponent(channelId)}:${encodeURIComponent(messageId)}`;
}

function storeError(what: string, cause: unknown): StoreError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(`${what} failed: ${reason}`, { cause });
}
