/**
 * Moving to replicas: `slawatch export` of an SQLite store, `slawatch import`
 * of that file into the local Redis (REDIS_URL, default
 * redis://127.0.0.1:6379, under a prefix of its own, deleted at the end), and
 * the same import again (everything already there: compared and skipped).
 * Each ticket has three events, two indexed messages, an acknowledgement and a
 * notification record.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import type { Ticket } from '../src/domain/ticket.js';
import { openSqliteStore } from '../src/store/open.js';
import { openRedisStore } from '../src/store/redis.js';
import type { BenchFigure } from './run.js';
import { sampleTicket, seedTickets } from './support.js';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TICKETS = 20_000;

const CONFIG = `
people:
  alice: { name: Alice, slack: U0ALICE }
staff:
  people: [alice]
customers:
  - { id: acme, name: Acme, tier: enterprise, channels: { slack: [C0ACME] } }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h, resolution: 8h }
`;

function migratedTicket(id: number): Ticket {
  const ticket = sampleTicket(id);
  const opened = ticket.events[0] as Ticket['events'][number];
  return {
    ...ticket,
    events: [
      { ...opened, messageId: ticket.threadId, by: { platform: 'slack', userId: 'U0CUST', name: 'Carla' } },
      { type: 'staff_reply', at: opened.at + 600_000, messageId: `${ticket.threadId}1`, by: { platform: 'slack', userId: 'U0ALICE', personId: 'alice' } },
      { type: 'resolved', at: opened.at + 900_000, by: { platform: 'slack', userId: 'U0ALICE', personId: 'alice' } },
    ],
    notifications: { 'firstResponse:0:warn:0.5:0': { status: 'sent', dueAt: opened.at + 1_800_000, sentAt: opened.at + 1_800_120, ref: 'C0STAFF/1710063000.000100' } },
    ack: { status: 'posted', at: opened.at + 700, ref: 'C0ACME/1710061201.000100' },
    version: 4,
  };
}

async function run(args: string[], out?: (text: string) => void): Promise<number> {
  const seconds = performance.now();
  const code = await main(['node', 'slawatch', ...args], { out: out ?? (() => undefined), err: (text) => process.stderr.write(`${text}\n`) });
  if (code !== 0) throw new Error(`slawatch ${args[0]} exited ${code}`);
  return (performance.now() - seconds) / 1000;
}

export async function bench(): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'slawatch-bench-migration-'));
  const prefix = `slawatch-bench-${randomBytes(4).toString('hex')}`;
  const figures: BenchFigure[] = [];
  try {
    const sqlite = join(dir, 'tickets.sqlite');
    const db = await openSqliteStore(sqlite);
    await seedTickets(db, Array.from({ length: TICKETS }, (_, i) => migratedTicket(i + 1)));
    await db.close();
    const sqliteConfig = join(dir, 'sqlite.yaml');
    const redisConfig = join(dir, 'redis.yaml');
    await writeFile(sqliteConfig, `${CONFIG}store: { backend: sqlite, path: ${sqlite} }\n`);
    await writeFile(redisConfig, `${CONFIG}store: { backend: redis, url: "${URL}", prefix: ${prefix} }\n`);

    const file = join(dir, 'tickets.jsonl');
    const output = createWriteStream(file);
    const exportSeconds = await run(['export', '--config', sqliteConfig], (text) => output.write(`${text}\n`));
    await new Promise((resolve) => output.end(resolve));
    const size = (await stat(file)).size;
    figures.push({ name: `export from SQLite, ${TICKETS.toLocaleString('en')} tickets`, value: Math.round(TICKETS / exportSeconds), unit: 'tickets/s', note: `${(size / 1024 / 1024).toFixed(1)} MiB` });

    const importSeconds = await run(['import', file, '--config', redisConfig]);
    figures.push({ name: 'import into an empty Redis', value: Math.round(TICKETS / importSeconds), unit: 'tickets/s', note: `${importSeconds.toFixed(1)} s` });
    const againSeconds = await run(['import', file, '--config', redisConfig]);
    figures.push({ name: 'import again (every ticket already there)', value: Math.round(TICKETS / againSeconds), unit: 'tickets/s', note: `${againSeconds.toFixed(1)} s` });
  } finally {
    const store = await openRedisStore({ url: URL, prefix });
    // keyv's clear on this adapter deletes exactly the keys under the store's prefix.
    await store.keyv.clear();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}
