/**
 * The escalation engine at 100,000 open tickets on SQLite: how long a start
 * takes to reload them and re-arm every clock, what the pending deadlines
 * cost in memory, and how late a due notification reaches the chat port.
 * (The deadline queue alone, and the naive one-node-schedule-job-per-deadline
 * design, are measured in scheduler.bench.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.js';
import type { Ticket } from '../src/domain/ticket.js';
import { App } from '../src/app/app.js';
import { silentLogger } from '../src/service/logger.js';
import type { ChatPort, Outbound, SentRef } from '../src/service/messages.js';
import { parseKey } from '../src/service/notification-key.js';
import { openSqliteStore } from '../src/store/open.js';
import type { BenchFigure } from './run.js';
import { percentile, seedTickets } from './support.js';

const OPEN_TICKETS = 100_000;
const PROBES = 2_000;
/** The probes come due over this long: 200 notifications a second, about twice the average rate of 100,000 tickets on 1 h targets with three warnings. */
const PROBE_SPREAD_MS = 10_000;
const HOUR = 3_600_000;

const CONFIG = `
people: { alice: { name: Alice } }
staff: { people: [alice], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme, tier: enterprise, channels: { shell: [acme] } }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d }
escalation:
  warnAt: [0.5, 0.75, 0.9]
  policies:
    default:
      levels: [{ notify: [person:alice], delay: 15m }]
`;

function ticket(id: number, openedAt: number, withReply: boolean): Ticket {
  const events: Ticket['events'] = [{ type: 'opened', at: openedAt, customer: 'acme', tier: 'enterprise', severity: 'normal', text: 'export fails' }];
  if (withReply) {
    // Answered, then the customer wrote again: first response met, a next-response cycle running.
    events.push({ type: 'staff_reply', at: openedAt + 60_000, by: { platform: 'shell', userId: 'alice', personId: 'alice' } });
    events.push({ type: 'customer_message', at: openedAt + 120_000, text: 'still failing' });
  }
  return { id, customer: 'acme', platform: 'shell', channelId: 'acme', threadId: `t${id}`, events, notifications: {}, version: 1 };
}

class TimingPort implements ChatPort {
  readonly platform = 'shell' as const;
  readonly delays: number[] = [];
  constructor(private readonly dueAt: Map<number, number>) {}
  async send(message: Outbound): Promise<SentRef> {
    const now = Date.now();
    if (message.type === 'notify') {
      for (const key of message.keys) {
        const parsed = parseKey(key);
        const due = parsed?.kind === 'step' ? this.dueAt.get(parsed.ticketId) : undefined;
        if (due !== undefined) this.delays.push(now - due);
      }
    }
    return { platform: 'shell', channelId: message.channelId, messageId: String(now) };
  }
}


export async function bench(): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'slawatch-bench-escalation-'));
  try {
    const file = join(dir, 'slawatch.sqlite');
    const now = Date.now();
    // Most tickets are young (first warnings hours away); PROBES tickets reach their
    // 50 % first-response warning 20–30 s after the start, to time due-to-port delay.
    const probeDue = new Map<number, number>();
    const tickets: Ticket[] = [];
    for (let id = 1; id <= OPEN_TICKETS; id++) {
      if (id <= PROBES) {
        const due = now + 20_000 + Math.floor(Math.random() * PROBE_SPREAD_MS);
        probeDue.set(id, due);
        tickets.push(ticket(id, due - HOUR / 2, false));
      } else {
        tickets.push(ticket(id, now - Math.floor(Math.random() * 20 * 60_000), id % 2 === 0));
      }
    }
    const seeding = await openSqliteStore(file);
    await seedTickets(seeding, tickets);
    await seeding.close();
    tickets.length = 0;

    global.gc?.();
    const baseRss = process.memoryUsage().rss;
    const store = await openSqliteStore(file);
    const app = new App({ config: parseConfig(CONFIG), store, logger: silentLogger });
    const port = new TimingPort(probeDue);
    app.attach(port);
    const startedAt = performance.now();
    const loaded = await app.start();
    const reloadMs = performance.now() - startedAt;
    global.gc?.();
    const memory = process.memoryUsage();

    // Wait for the probes' warnings to reach the port.
    const waitUntil = Date.now() + 60_000;
    while (port.delays.length < PROBES && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 100));
    const delays = [...port.delays].sort((a, b) => a - b);
    await app.stop();
    await store.close();
    return [
      { name: `reload ${loaded.tickets.toLocaleString('en')} open tickets from SQLite and re-arm`, value: Math.round(reloadMs), unit: 'ms' },
      { name: 'pending deadlines after reload', value: loaded.deadlines, unit: 'entries' },
      { name: 'RSS after reload', value: Math.round(memory.rss / 2 ** 20), unit: 'MiB', note: `process before the bot: ${Math.round(baseRss / 2 ** 20)} MiB` },
      { name: 'heap used after reload', value: Math.round(memory.heapUsed / 2 ** 20), unit: 'MiB' },
      { name: `due-to-port delay p50 (${delays.length} warnings over ${PROBE_SPREAD_MS / 1000} s)`, value: percentile(delays, 50), unit: 'ms' },
      { name: 'due-to-port delay p99', value: percentile(delays, 99), unit: 'ms' },
      { name: 'due-to-port delay max', value: delays.at(-1) ?? NaN, unit: 'ms' },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
