/**
 * The queue page under clients that never read: 100 signed-in event streams
 * (as many as the page serves) that send their request and then stop
 * reading, while 1,000 tickets are opened on SQLite. Every change makes the
 * snapshot longer and goes out to every stream; what the clients do not take
 * piles up in the server unless it drops them. Reports the process's RSS
 * before, after and at its peak, how many streams were dropped, and how
 * many snapshots were encoded for them.
 *
 * Run: `npm run build --silent && node --expose-gc dist/bench/run.js queue-streams`.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerQueuePage } from '../adapters/http/queue-page.js';
import { HttpServer } from '../adapters/http/server.js';
import { parseConfig } from '../src/config/load.js';
import { App } from '../src/app/app.js';
import { silentLogger } from '../src/service/logger.js';
import type { ChatPort, Outbound, SentRef } from '../src/service/messages.js';
import { openSqliteStore } from '../src/store/open.js';
import type { BenchFigure } from './run.js';
import { gc } from './support.js';

const STREAMS = 100;
const TICKETS = 1_000;
const TOKEN = 'bench-queue-token-0123456789abcdef';
const MiB = 1024 * 1024;
/** After the last ticket: long enough for the last coalesced snapshot (200 ms) to go out. */
const SETTLE_MS = 1_000;

/** A grouping window of one second, so each message 2 s after the last opens a ticket of its own. */
const CONFIG = `
people: { alice: { name: Alice } }
staff: { people: [alice], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme, tier: enterprise, channels: { shell: [acme] } }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h, resolution: 2d }
tickets: { groupingWindow: 1s }
`;

/** The bot's acknowledgements go nowhere. */
class QuietPort implements ChatPort {
  readonly platform = 'shell' as const;
  private sent = 0;
  async send(message: Outbound): Promise<SentRef> {
    return { platform: 'shell', channelId: message.channelId, messageId: `m${++this.sent}` };
  }
}

/** A signed-in event stream whose client sends the request and never reads. */
async function neverReading(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // reset when the server drops it
  await once(socket, 'connect');
  socket.write(`GET /api/queue/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nAccept: text/event-stream\r\n\r\n`);
  socket.pause();
  return socket;
}

export async function bench(): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'slawatch-bench-queue-streams-'));
  const store = await openSqliteStore(join(dir, 'slawatch.sqlite'));
  const app = new App({ config: parseConfig(CONFIG), store, logger: silentLogger });
  app.attach(new QuietPort());
  await app.start();
  const http = new HttpServer({ port: 0, host: '127.0.0.1', readiness: [] });
  const page = registerQueuePage(http, app.desk, { token: TOKEN, logger: silentLogger });
  const port = await http.listen();
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < STREAMS; i++) sockets.push(await neverReading(port));
    while (page.streamStats().open < STREAMS) await new Promise((r) => setTimeout(r, 10));

    gc();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
    const sampler = setInterval(sample, 50);
    const start = Date.now();
    const first = start - TICKETS * 2_000;
    for (let i = 1; i <= TICKETS; i++) {
      await app.desk.receiveMessage({
        platform: 'shell',
        channelId: 'acme',
        messageId: `flood-${i}`,
        author: { userId: `customer-${i}` },
        text: `Ticket ${i}: ${'the export job fails again '.repeat(6)}`,
        at: first + i * 2_000,
      });
      if (i % 50 === 0) sample();
    }
    const openSeconds = (Date.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    clearInterval(sampler);
    sample();
    gc();
    const rssAfter = process.memoryUsage().rss;
    const stats = page.streamStats();
    const open = (await app.desk.queue()).length;
    if (open !== TICKETS) throw new Error(`${open} tickets are open, expected ${TICKETS}`);
    const snapshotBytes = (await (await fetch(`http://127.0.0.1:${port}/api/queue`, { headers: { authorization: `Bearer ${TOKEN}` } })).arrayBuffer()).byteLength;
    return [
      { name: `RSS with ${STREAMS} never-reading streams, before the tickets`, value: Math.round(rssBefore / MiB), unit: 'MiB' },
      { name: `peak RSS while ${TICKETS.toLocaleString('en')} tickets open`, value: Math.round(peak / MiB), unit: 'MiB', note: `+${Math.round((peak - rssBefore) / MiB)} MiB` },
      { name: 'RSS after (garbage collected)', value: Math.round(rssAfter / MiB), unit: 'MiB', note: `+${Math.round((rssAfter - rssBefore) / MiB)} MiB` },
      { name: 'never-reading streams dropped', value: stats.dropped, unit: 'streams', note: `${stats.open} still open` },
      { name: 'snapshots encoded', value: stats.snapshotsEncoded, unit: 'snapshots', note: `${STREAMS} on connecting, the rest one per coalesced burst` },
      { name: `queue snapshot at ${TICKETS.toLocaleString('en')} open tickets`, value: Math.round(snapshotBytes / 1024), unit: 'KiB' },
      { name: `open ${TICKETS.toLocaleString('en')} tickets on SQLite`, value: openSeconds, unit: 's' },
    ];
  } finally {
    for (const socket of sockets) socket.destroy();
    page.close();
    await http.close();
    await app.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
