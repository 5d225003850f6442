/**
 * The SQLite ticket store: how fast tickets are created and updated through
 * the store, and how long listing 100,000 active tickets takes (what the
 * scheduler does on every start).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ticket } from '../src/domain/ticket.js';
import { openSqliteStore } from '../src/store/open.js';
import type { BenchFigure } from './run.js';
import { seedTickets } from './seed.js';

const T0 = Date.UTC(2026, 2, 10, 9, 0);
const CREATES = 5_000;
const UPDATES = 5_000;
const LISTED = 100_000;
const CONCURRENCY = 100;

function ticket(id: number): Ticket {
  return {
    id,
    customer: 'acme',
    platform: 'slack',
    channelId: 'C0ACME',
    threadId: `1710061200.${String(id).padStart(6, '0')}`,
    events: [{ type: 'opened', at: T0 + id, customer: 'acme', tier: 'enterprise', severity: 'normal', text: 'the export job fails' }],
    notifications: {},
    version: 1,
  };
}

/** Runs `task(0 … count-1)` with at most CONCURRENCY in flight; returns seconds taken. */
async function timed(count: number, task: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let from = 0; from < count; from += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count - from) }, (_, i) => task(from + i)));
  }
  return (performance.now() - start) / 1000;
}

export async function bench(): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'slawatch-bench-store-'));
  const figures: BenchFigure[] = [];
  try {
    const store = await openSqliteStore(join(dir, 'writes.sqlite'));
    const idSeconds = await timed(CREATES, () => store.nextTicketId());
    figures.push({ name: 'sqlite: nextTicketId', value: Math.round(CREATES / idSeconds), unit: 'ids/s', note: `${CREATES}, ${CONCURRENCY} asking at once` });
    const createSeconds = await timed(CREATES, (i) => store.create(ticket(i + 1)));
    figures.push({ name: 'sqlite: create', value: Math.round(CREATES / createSeconds), unit: 'tickets/s', note: `${CREATES}, ${CONCURRENCY} in flight` });
    const updateSeconds = await timed(UPDATES, (i) =>
      store.update((i % CONCURRENCY) + 1, (t) => ({ ...t, events: [...t.events, { type: 'customer_message', at: T0 + i, text: `follow-up ${i}` }] })),
    );
    figures.push({ name: 'sqlite: update (append one event)', value: Math.round(UPDATES / updateSeconds), unit: 'updates/s', note: `${UPDATES} over ${CONCURRENCY} tickets` });
    await store.close();

    const file = join(dir, 'listing.sqlite');
    const big = await openSqliteStore(file);
    await seedTickets(big, Array.from({ length: LISTED }, (_, i) => ticket(i + 1)));
    let start = performance.now();
    let listed = 0;
    for await (const _ of big.listActive()) listed += 1;
    const activeMs = performance.now() - start;
    if (listed !== LISTED) throw new Error(`listActive yielded ${listed} tickets, expected ${LISTED}`);
    figures.push({ name: `sqlite: listActive, ${LISTED.toLocaleString('en')} active tickets`, value: Math.round(activeMs), unit: 'ms', note: `${Math.round(LISTED / (activeMs / 1000))} tickets/s` });

    start = performance.now();
    listed = 0;
    for await (const _ of big.listAll()) listed += 1;
    const allMs = performance.now() - start;
    figures.push({ name: `sqlite: listAll, ${listed.toLocaleString('en')} tickets`, value: Math.round(allMs), unit: 'ms' });
    await big.close();
    figures.push({ name: 'sqlite: file size with 100,000 tickets', value: Math.round((await stat(file)).size / 1024 / 1024), unit: 'MiB' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}
