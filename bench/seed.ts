/**
 * Writes tickets and their active-index rows straight into the SQLite table
 * in one transaction: creating 100,000 through the store would take most of
 * a minute, and the benches measure what comes after. Keys and values are
 * made by the store's own key functions and its Keyv's serializer, so the
 * rows are exactly what the store writes.
 */
import type { KeyvSqlite } from '@keyv/sqlite';
import type { Ticket } from '../src/domain/ticket.js';
import { activeKey, ticketKey, type KeyvTicketStore } from '../src/store/keyv-store.js';

export async function seedTickets(store: KeyvTicketStore, tickets: readonly Ticket[]): Promise<void> {
  const adapter = store.keyv.store as KeyvSqlite;
  const raw = (key: string) => `${store.keyv.namespace}:${key}`;
  const insert = `INSERT INTO ${adapter.opts.table} (key, value)
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`;
  await adapter.query('BEGIN');
  for (let from = 0; from < tickets.length; from += 10_000) {
    const rows: [string, unknown][] = [];
    for (const ticket of tickets.slice(from, from + 10_000)) {
      rows.push([raw(ticketKey(ticket.id)), await store.keyv.serializeData({ value: ticket })]);
      rows.push([raw(activeKey(ticket.id)), await store.keyv.serializeData({ value: ticket.id })]);
    }
    await adapter.query(insert, JSON.stringify(rows));
  }
  await adapter.query('COMMIT');
}
