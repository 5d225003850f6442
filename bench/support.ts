/**
 * What the benches share: a sample ticket, timing helpers, and fast seeding
 * of a SQLite store. (The seeded random source is testkit/random.ts.)
 */
import type { KeyvSqlite } from '@keyv/sqlite';
import type { Ticket } from '../src/domain/ticket.js';
import { activeKey, ticketKey, type KeyvTicketStore } from '../src/store/keyv-store.js';

/** Collects garbage (twice, for finalizers) when the bench runs with --expose-gc. */
export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
}

/** The value at percentile `p` (nearest rank) of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

const SAMPLE_T0 = Date.UTC(2026, 2, 10, 9, 0);

/** An enterprise ticket on Slack with just its opening event. */
export function sampleTicket(id: number): Ticket {
  return {
    id,
    customer: 'acme',
    platform: 'slack',
    channelId: 'C0ACME',
    threadId: `1710061200.${String(id).padStart(6, '0')}`,
    events: [{ type: 'opened', at: SAMPLE_T0 + id, customer: 'acme', tier: 'enterprise', severity: 'normal', text: 'the export job fails' }],
    notifications: {},
    version: 1,
  };
}

/** Runs `task(0 … count-1)` with at most `concurrency` in flight; returns the seconds taken. */
export async function timed(count: number, task: (i: number) => Promise<unknown>, concurrency = 100): Promise<number> {
  const start = performance.now();
  for (let from = 0; from < count; from += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, count - from) }, (_, i) => task(from + i)));
  }
  return (performance.now() - start) / 1000;
}

/**
 * Writes tickets and their active-index rows straight into the SQLite table
 * in one transaction: creating 100,000 through the store would take most of
 * a minute, and the benches measure what comes after. Keys and values are
 * made by the store's own key functions and its Keyv's serializer, so the
 * rows are exactly what the store writes.
 */
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
