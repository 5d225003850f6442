/**
 * The SQLite ticket store: how fast tickets are created and updated through
 * the store, and how long listing 100,000 active tickets takes (what the
 * scheduler does on every start).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/open.js';
import type { BenchFigure } from './run.js';
import { sampleTicket, timed } from './support.js';

const T0 = Date.UTC(2026, 2, 10, 9, 0);
import { seedTickets } from './support.js';

const CREATES = 5_000;
const UPDATES = 5_000;
const LISTED = 100_000;
const CONCURRENCY = 100;

export async function bench(): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'slawatch-bench-store-'));
  const figures: BenchFigure[] = [];
  try {
    const store = await openSqliteStore(join(dir, 'writes.sqlite'));
    const idSeconds = await timed(CREATES, () => store.nextTicketId());
    figures.push({ name: 'sqlite: nextTicketId', value: Math.round(CREATES / idSeconds), unit: 'ids/s', note: `${CREATES}, ${CONCURRENCY} asking at once` });
    const createSeconds = await timed(CREATES, (i) => store.create(sampleTicket(i + 1)));
    figures.push({ name: 'sqlite: create', value: Math.round(CREATES / createSeconds), unit: 'tickets/s', note: `${CREATES}, ${CONCURRENCY} in flight` });
    const updateSeconds = await timed(UPDATES, (i) =>
      store.update((i % CONCURRENCY) + 1, (t) => ({ ...t, events: [...t.events, { type: 'customer_message', at: T0 + i, text: `follow-up ${i}` }] })),
    );
    figures.push({ name: 'sqlite: update (append one event)', value: Math.round(UPDATES / updateSeconds), unit: 'updates/s', note: `${UPDATES} over ${CONCURRENCY} tickets` });
    await store.close();

    const file = join(dir, 'listing.sqlite');
    const big = await openSqliteStore(file);
    await seedTickets(big, Array.from({ length: LISTED }, (_, i) => sampleTicket(i + 1)));
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
