import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyvSqlite } from '@keyv/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import type { KeyvTicketStore } from '../../src/store/keyv-store.js';
import { openSqliteStore, openStore } from '../../src/store/open.js';
import { StoreError } from '../../src/store/ports.js';
import { runStoreContract } from './contract.js';
import { T0, append, closed, collect, makeTicket } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'slawatch-store-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

let files = 0;
let lastPath = '';
runStoreContract(
  'sqlite',
  () => {
    lastPath = `contract/${++files}.sqlite`;
    return openStore({ backend: 'sqlite', path: lastPath }, { baseDir: dir });
  },
  { reopen: () => openStore({ backend: 'sqlite', path: lastPath }, { baseDir: dir }) },
);

/** The adapter's own query function, for checks below the store. */
function sqlOf(store: KeyvTicketStore): (sql: string, ...params: unknown[]) => Promise<unknown> {
  return (store.keyv.store as KeyvSqlite).query;
}

describe('sqlite store', () => {
  it('creates the directory, resolves the path against baseDir, and writes ahead', async () => {
    const store = (await openStore({ backend: 'sqlite', path: 'nested/deeper/slawatch.sqlite' }, { baseDir: dir })) as KeyvTicketStore;
    await store.create(makeTicket(1));
    expect(existsSync(join(dir, 'nested/deeper/slawatch.sqlite'))).toBe(true);
    expect(await sqlOf(store)('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    await store.close();
  });

  it('fails to open with a StoreError when the path cannot hold a database', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    await expect(openSqliteStore(join(blocker, 'slawatch.sqlite'))).rejects.toBeInstanceOf(StoreError);
  });

  it('lists 40,000 active tickets completely', { timeout: 120_000 }, async () => {
    const store = await openSqliteStore(join(dir, 'many.sqlite'));
    const count = 40_000;
    // Through the store, in batches of concurrent creates: the same writes the bot makes.
    for (let from = 1; from <= count; from += 1_000) {
      await Promise.all(Array.from({ length: 1_000 }, (_, i) => store.create(makeTicket(from + i))));
    }
    await store.create(makeTicket(count + 1, { events: [...makeTicket(count + 1).events, closed()] }));

    let listed = 0;
    let previous = 0;
    let ascending = true;
    for await (const ticket of store.listActive()) {
      ascending &&= ticket.id > previous;
      previous = ticket.id;
      listed += 1;
    }
    // Ascending and as many as created, so each one exactly once.
    expect(ascending).toBe(true);
    expect(listed).toBe(count);
    expect(previous).toBe(count);
    await store.close();
  });

  it('rejects a write that fails, and the ticket stays as it was', async () => {
    const file = join(dir, 'locked.sqlite');
    // A short busy timeout so the lock below makes writes fail fast.
    const store = await openSqliteStore(file, { busyTimeoutMs: 50 });
    await store.create(makeTicket(1));

    // Another connection takes the write lock and keeps it.
    const other = new KeyvSqlite({ uri: `sqlite://${file}` });
    await other.query('BEGIN IMMEDIATE');
    try {
      const failed = store.update(1, append({ type: 'customer_message', at: T0 + 1, text: 'lost?' }));
      await expect(failed).rejects.toBeInstanceOf(StoreError);
      await expect(failed).rejects.toThrow(/writing ticket:0000000001 failed: SQLITE_BUSY/);
      await expect(store.create(makeTicket(2))).rejects.toBeInstanceOf(StoreError);
      await expect(store.nextTicketId()).rejects.toBeInstanceOf(StoreError);
      await expect(store.setMeta('cursor', 'x')).rejects.toBeInstanceOf(StoreError);
      await expect(store.indexMessage('shell', 'acme-support', 'm1', 1)).rejects.toBeInstanceOf(StoreError);
      // Reads still work while another connection writes (WAL).
      expect((await store.get(1))?.version).toBe(1);
    } finally {
      await other.query('ROLLBACK');
      await other.disconnect();
    }

    expect(await store.get(1)).toStrictEqual(makeTicket(1));
    expect(await store.get(2)).toBeUndefined();
    expect((await collect(store.listActive())).map((t) => t.id)).toEqual([1]);
    expect(await store.nextTicketId()).toBe(1);
    expect((await store.update(1, append(closed()))).version).toBe(2);
    await store.close();
  });
});
