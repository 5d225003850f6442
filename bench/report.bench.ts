/**
 * The SLA report over 1,000,000 stored tickets: seeded straight into a temp
 * SQLite file (realistic logs of 2–6 events, 20 customers over three tiers, a
 * business-hours calendar with holidays), then `slawatch report`'s path —
 * `store.listAll()` streamed through ReportBuilder — timed, with the process's
 * RSS sampled during the run. Target: under 60 s on a 2-core machine, without
 * holding all tickets at once.
 *
 * Run: `npm run build --silent && node --expose-gc dist/bench/run.js report`
 * (REPORT_BENCH_TICKETS=200000 for a shorter run).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.js';
import type { Severity } from '../src/config/schema.js';
import type { Actor, Ticket, TicketEvent } from '../src/domain/ticket.js';
import { ReportBuilder } from '../src/report/report.js';
import { openSqliteStore } from '../src/store/open.js';
import { rng } from '../testkit/random.js';
import type { BenchFigure } from './run.js';
import { gc, seedTickets } from './support.js';

const TICKETS = Number(process.env.REPORT_BENCH_TICKETS ?? 1_000_000);
const SEED_BATCH = 20_000;
/** A year of tickets: one every ~31.5 s. */
const START = Date.UTC(2025, 3, 1);
const SPACING_MS = Math.floor((365 * 86_400_000) / TICKETS);
const REPORT_AT = START + 366 * 86_400_000;
const MIN = 60_000;

const CUSTOMERS = Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, tier: i < 4 ? 'enterprise' : i < 10 ? 'priority' : 'standard' }));

const CONFIG = parseConfig(`
people:
  alice: { name: Alice }
  bob: { name: Bob }
  carol: { name: Carol }
  dave: { name: Dave }
staff:
  people: [alice, bob, carol, dave]
customers:
${CUSTOMERS.map((c) => `  - { id: ${c.id}, name: Customer ${c.id}, tier: ${c.tier}, channels: { slack: [C0${c.id.toUpperCase()}] } }`).join('\n')}
tiers:
  standard:
    calendar: business-hours
    targets:
      default: { firstResponse: 4h, nextResponse: 8h, resolution: 5d }
  priority:
    calendar: business-hours
    targets:
      default: { firstResponse: 2h, nextResponse: 4h, resolution: 3d }
      urgent: { firstResponse: 1h }
  enterprise:
    calendar: 24x7
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d }
      urgent: { firstResponse: 15m, nextResponse: 30m, resolution: 8h }
calendars:
  business-hours:
    timezone: Europe/Berlin
    hours:
      mon: ["09:00-17:00"]
      tue: ["09:00-17:00"]
      wed: ["09:00-17:00"]
      thu: ["09:00-17:00"]
      fri: ["09:00-17:00"]
    holidays:
      dates: ["2025-12-24", "2025-12-31"]
      country: DE
store:
  backend: memory
`);

const STAFF: Actor[] = ['alice', 'bob', 'carol', 'dave'].map((id) => ({ platform: 'slack', userId: `U0${id.toUpperCase()}`, personId: id }));
const SEVERITY_WEIGHTS: [Severity, number][] = [
  ['urgent', 0.05],
  ['high', 0.2],
  ['normal', 0.6],
  ['low', 0.15],
];

function makeTicket(id: number, random: () => number): Ticket {
  const customer = CUSTOMERS[id % CUSTOMERS.length] as (typeof CUSTOMERS)[number];
  let severity: Severity = 'normal';
  for (let u = random(), i = 0; i < SEVERITY_WEIGHTS.length; i++) {
    const [s, w] = SEVERITY_WEIGHTS[i] as [Severity, number];
    if (u < w) {
      severity = s;
      break;
    }
    u -= w;
  }
  const staff = STAFF[Math.floor(random() * STAFF.length)] as Actor;
  let t = START + id * SPACING_MS + Math.floor(random() * SPACING_MS);
  // Gaps with a long tail (mean 45 min): most replies are on time, some miss the target.
  const later = () => (t += Math.max(MIN, Math.round(-Math.log(1 - random()) * 45 * MIN)));
  const events: TicketEvent[] = [{ type: 'opened', at: t, customer: customer.id, tier: customer.tier, severity, text: `Request ${id}: the export job fails` }];
  const plan: ((at: number) => TicketEvent)[] =
    random() < 0.5
      ? [
          (at) => ({ type: 'claimed', at, by: staff }),
          (at) => ({ type: 'staff_reply', at, by: staff }),
          (at) => ({ type: 'customer_message', at, text: 'thanks, one more question' }),
          (at) => ({ type: 'staff_reply', at, by: staff }),
          (at) => ({ type: 'resolved', at, by: staff }),
        ]
      : [
          (at) => ({ type: 'staff_reply', at, by: staff }),
          (at) => ({ type: 'waiting_on_customer', at, by: staff }),
          (at) => ({ type: 'customer_message', at, text: 'here are the logs' }),
          (at) => ({ type: 'staff_reply', at, by: staff }),
          (at) => ({ type: 'resolved', at, by: staff }),
        ];
  // 2–6 events with the opening one; most tickets end resolved (a resolve also stops first
  // response), about one in eight is still open at the report's instant.
  const count = 1 + Math.floor(random() * 5);
  const steps = plan.slice(0, count);
  if (count < plan.length && random() < 0.875) steps[count - 1] = (at) => ({ type: 'resolved', at, by: staff });
  for (const make of steps) events.push(make(later()));
  return {
    id,
    customer: customer.id,
    platform: 'slack',
    channelId: `C0${customer.id.toUpperCase()}`,
    threadId: `${Math.floor((events[0] as TicketEvent).at / 1000)}.${String(id % 1_000_000).padStart(6, '0')}`,
    events,
    notifications: {},
    version: 1,
  };
}

const MiB = 1024 * 1024;

export async function bench(): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'slawatch-bench-report-'));
  const figures: BenchFigure[] = [];
  try {
    const file = join(dir, 'tickets.sqlite');
    let store = await openSqliteStore(file);
    const random = rng(0x5e7);
    let start = performance.now();
    for (let from = 1; from <= TICKETS; from += SEED_BATCH) {
      const batch: Ticket[] = [];
      for (let id = from; id < Math.min(from + SEED_BATCH, TICKETS + 1); id++) batch.push(makeTicket(id, random));
      await seedTickets(store, batch);
    }
    const seedSeconds = (performance.now() - start) / 1000;
    await store.close();
    figures.push({ name: `seed ${TICKETS.toLocaleString('en')} tickets (2–6 events) into SQLite`, value: seedSeconds, unit: 's', note: `${Math.round((await stat(file)).size / MiB)} MiB file` });

    // A fresh connection, as `slawatch report` opens one; the garbage of seeding collected first.
    store = await openSqliteStore(file);
    gc();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
    const sampler = setInterval(sample, 50);
    start = performance.now();
    const builder = new ReportBuilder(CONFIG, { by: 'tier', from: null, to: null, at: REPORT_AT, timezone: 'UTC' });
    let seen = 0;
    for await (const ticket of store.listAll()) {
      builder.add(ticket);
      // The interval only fires between pages; sample inside them too.
      if (++seen % 5_000 === 0) sample();
    }
    const model = builder.build();
    const reportSeconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    sample();
    if (model.totals.tickets !== TICKETS) throw new Error(`the report counted ${model.totals.tickets} tickets, expected ${TICKETS}`);
    const breachedListed = model.groups.reduce((n, g) => n + g.breachedTickets.length, 0);
    figures.push({
      name: `report over ${TICKETS.toLocaleString('en')} tickets (listAll → ReportBuilder)`,
      value: reportSeconds,
      unit: 's',
      note: `${Math.round(TICKETS / reportSeconds).toLocaleString('en')} tickets/s; FR compliance ${model.totals.compliance.firstResponse.percent}%, ${breachedListed.toLocaleString('en')} breached tickets listed`,
    });
    figures.push({ name: 'report: RSS before the run', value: Math.round(rssBefore / MiB), unit: 'MiB' });
    figures.push({ name: 'report: peak RSS during the run', value: Math.round(peak / MiB), unit: 'MiB', note: `+${Math.round((peak - rssBefore) / MiB)} MiB` });

    // The listing alone, to see how much of the run is the store and how much the clocks.
    start = performance.now();
    let listed = 0;
    for await (const _ of store.listAll()) listed += 1;
    const listSeconds = (performance.now() - start) / 1000;
    figures.push({ name: `listAll alone, ${listed.toLocaleString('en')} tickets (page size 500)`, value: listSeconds, unit: 's', note: `replay + aggregation ≈ ${(reportSeconds - listSeconds).toFixed(1)} s` });
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}
