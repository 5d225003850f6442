/**
 * Opens the configured store: keyv over a Map (tests, demos), over a SQLite
 * file, or over Redis (several replicas; its pieces live in redis.ts). The
 * memory and SQLite pieces live here: how each lists keys by prefix.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { KeyvSqlite } from '@keyv/sqlite';
import type { Keyv } from 'keyv';
import type { Config } from '../config/schema.js';
import { createStoreKeyv, KeyvTicketStore, type KeyPager } from './keyv-store.js';
import { StoreError } from './ports.js';
import { openRedisStore } from './redis.js';

export async function openStore(config: Config['store'], options?: { baseDir?: string }): Promise<KeyvTicketStore> {
  switch (config.backend) {
    case 'memory':
      return openMemoryStore();
    case 'sqlite':
      return openSqliteStore(resolve(options?.baseDir ?? process.cwd(), config.path));
    case 'redis':
      return openRedisStore({ url: config.url, prefix: config.prefix, lockTtlMs: config.lockTtl });
  }
}

export function openMemoryStore(): KeyvTicketStore {
  const map = new Map<string, string>();
  return new KeyvTicketStore({ keyv: createStoreKeyv(map), pager: mapPager(map) });
}

export interface SqliteOptions {
  /** How long a write waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
}

/** Opens (creating it and its directory if needed) the SQLite file at the absolute `file`. */
export async function openSqliteStore(file: string, options: SqliteOptions = {}): Promise<KeyvTicketStore> {
  let adapter: KeyvSqlite | undefined;
  let keyv: Keyv | undefined;
  try {
    await mkdir(dirname(file), { recursive: true });
    adapter = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: options.busyTimeoutMs ?? 5_000 });
    keyv = createStoreKeyv(adapter);
    // WAL lets reads go on during a write and makes each commit cheap; with WAL,
    // synchronous=NORMAL stays safe against a crashed process (only a power loss
    // can drop the last commits) and saves an fsync per write.
    await adapter.query('PRAGMA journal_mode = WAL');
    await adapter.query('PRAGMA synchronous = NORMAL');
  } catch (error) {
    await adapter?.close().catch(() => undefined); // the open error below is the one worth reporting
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(`opening the SQLite store at ${file} failed: ${reason}`, { cause: error });
  }
  return new KeyvTicketStore({ keyv, pager: sqlitePager(adapter) });
}

/** Memory: scans the Map for each page; fine for the sizes tests and demos hold. */
function mapPager(map: Map<string, string>): KeyPager {
  return {
    async keysAfter(prefix, after, limit) {
      const keys: string[] = [];
      for (const key of map.keys()) {
        if (key.startsWith(prefix) && (after === undefined || key > after)) keys.push(key);
      }
      return keys.sort().slice(0, limit);
    },
  };
}

/**
 * SQLite: keyset paging on the primary key. Not the adapter's `iterator`,
 * which recurses once per page with OFFSET and crashes on large tables. A
 * range instead of LIKE, because LIKE ignores case, treats "_" as a wildcard
 * and cannot use the key index.
 */
function sqlitePager(adapter: KeyvSqlite): KeyPager {
  const table = adapter.opts.table ?? 'keyv';
  const first = `SELECT key FROM ${table} WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`;
  const next = `SELECT key FROM ${table} WHERE key > ? AND key < ? ORDER BY key LIMIT ?`;
  return {
    async keysAfter(prefix, after, limit) {
      // Every key with the prefix sorts before the prefix with its last character bumped.
      const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
      // The adapter's query returns untyped rows; these have one text column.
      const rows = (await (after === undefined ? adapter.query(first, prefix, end, limit) : adapter.query(next, after, end, limit))) as {
        key: string;
      }[];
      return rows.map((row) => row.key);
    },
    // @keyv/sqlite's getMany matches rows to keys with a linear search per key: slow for a page of 500.
    async valuesOf(rawKeys) {
      const rows = (await adapter.query(`SELECT key, value FROM ${table} WHERE key IN (${rawKeys.map(() => '?').join(',')})`, ...rawKeys)) as {
        key: string;
        value: string;
      }[];
      return new Map(rows.map((row) => [row.key, row.value]));
    },
  };
}
