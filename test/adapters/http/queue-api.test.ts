/**
 * The queue page's HTTP side without a browser: who gets data (only the
 * token holder), the JSON the page is drawn from, and the event stream.
 */
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Script } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUEUE_JS } from '../../../adapters/http/queue-assets.js';
import { mountQueuePage } from '../../../adapters/http/queue-page.js';
import { HttpServer } from '../../../adapters/http/server.js';
import type { QueueSnapshot } from '../../../src/service/queue-view.js';
import type { TrendModel } from '../../../src/report/trend.js';
import type { Logger } from '../../../src/service/logger.js';
import { harness, T0, type Harness } from '../../helpers/app-harness.js';
import { CONFIG, DAY, EXPECTED_ORDER, HOSTILE_TITLE, MIN, seedQueue, serveQueue, TOKEN } from './queue-fixture.js';

const iso = (ms: number) => new Date(ms).toISOString();
const bearer = { authorization: `Bearer ${TOKEN}` };

let h: Harness;
let server: Awaited<ReturnType<typeof serveQueue>>;

async function setUp(options: Parameters<typeof serveQueue>[1] = {}): Promise<void> {
  h = await harness(CONFIG);
  await seedQueue(h.desk, (to) => (h.clock.t = to), T0);
  server = await serveQueue(h.desk, options);
}

afterEach(async () => {
  await server?.close();
  await h?.app.stop();
});

describe('queue page: access', () => {
  beforeEach(() => setUp());

  it('refuses every data route without the token, with a wrong token or a forged cookie, and says nothing about tickets', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-the-token-0123456789' },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      { cookie: `slawatch_queue=${TOKEN}` },
      { cookie: 'slawatch_queue=forged' },
    ];
    for (const path of ['/api/queue', '/api/queue/events', '/api/compliance', `/api/queue?token=${TOKEN}`]) {
      for (const headers of attempts) {
        const res = await fetch(`${server.url}${path}`, { headers });
        const body = await res.text();
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(res.headers.get('content-type')).toMatch(/application\/json/);
        expect(body).toMatch(/sign in/);
        for (const secret of ['Acme', 'Globex', 'Initech', 'invoices', 'Alice', 'enterprise', '#4']) expect(body).not.toContain(secret);
      }
    }
  });

  it('serves the page itself to anyone, with no data in it and a strict content security policy', async () => {
    const res = await fetch(`${server.url}/queue`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
    expect(res.headers.get('set-cookie')).toBeNull();
    const html = await res.text();
    expect(html).toMatch(/<script src="\/queue\/app\.js" defer><\/script>/);
    for (const secret of ['Acme', 'Globex', 'invoices', 'Alice']) expect(html).not.toContain(secret);
    expect((await fetch(`${server.url}/queue/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${server.url}/queue/app.css`)).headers.get('content-type')).toMatch(/text\/css/);
  });

  it('?token= signs a browser in with an HttpOnly, SameSite=Strict cookie that is not the token, and drops the token from the address', async () => {
    const res = await fetch(`${server.url}/queue?token=${encodeURIComponent(TOKEN)}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/queue');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^slawatch_queue=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0] as string;
    const queue = await fetch(`${server.url}/api/queue`, { headers: { cookie: `other=1; ${session}` } });
    expect(queue.status).toBe(200);

    // Behind an HTTPS proxy the cookie is Secure.
    const proxied = await fetch(`${server.url}/queue?token=${encodeURIComponent(TOKEN)}`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('a wrong token gets no cookie and lands on the sign-in message', async () => {
    const res = await fetch(`${server.url}/queue?token=guess`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/queue?signin=failed');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('the sign-in form posts the token in the body', async () => {
    const post = (token: string) =>
      fetch(`${server.url}/queue/session`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() });
    const ok = await post(TOKEN);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/queue');
    expect(ok.headers.get('set-cookie')).toMatch(/^slawatch_queue=/);
    const wrong = await post(`${TOKEN}x`);
    expect(wrong.headers.get('location')).toBe('/queue?signin=failed');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const huge = await fetch(`${server.url}/queue/session`, { method: 'POST', body: 'token='.padEnd(10_000, 'a') });
    expect(huge.status).toBe(413);
  });
});

describe('queue page: data', () => {
  beforeEach(() => setUp());

  it('/api/queue lists the open tickets by their earliest running deadline, with who is on call now and next', async () => {
    const res = await fetch(`${server.url}/api/queue`, { headers: bearer });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const snapshot = (await res.json()) as QueueSnapshot;
    expect(snapshot.serverNow).toBe(iso(T0));
    expect(snapshot.tickets.map((t) => t.id)).toEqual(EXPECTED_ORDER);
    const [globex, urgent, hostile, claimed, waiting] = snapshot.tickets;
    expect(globex).toEqual({
      id: 4,
      ref: '#4',
      customerId: 'globex',
      customer: 'Globex',
      title: 'Reports are missing totals',
      tier: 'priority',
      severity: 'normal',
      severityGuessed: false,
      state: 'open',
      assignee: null,
      openedAt: iso(T0 - 150 * MIN),
      dueAt: iso(T0 - 30 * MIN),
      dueClock: 'firstResponse',
      breached: true,
      link: 'shell:globex/seed-5', // its opening message: the fifth seeded message
    });
    expect(urgent).toMatchObject({ id: 5, tier: 'enterprise', severity: 'urgent', severityGuessed: true, dueAt: iso(T0 + 10 * MIN), breached: false });
    expect(hostile).toMatchObject({ id: 3, title: HOSTILE_TITLE, dueAt: iso(T0 + 30 * MIN) });
    expect(claimed).toMatchObject({ id: 2, customer: 'Initech', tier: 'standard', severity: 'high', assignee: 'Alice', dueAt: iso(T0 + 3 * 60 * MIN) });
    expect(waiting).toMatchObject({ id: 6, state: 'waiting_on_customer', dueAt: null, dueClock: null, breached: false });
    // Monday 2 March 10:00 UTC: week 8 of the alice/bob rotation that started 5 January, so Alice until Monday 9 March 09:00.
    expect(snapshot.onCall).toEqual([{ schedule: 'primary', name: 'Primary', now: ['Alice'], until: '2026-03-09T09:00:00.000Z', next: ['Bob'] }]);
  });

  it('/api/compliance: 12 weeks of compliance per tier and the first-response histogram, by the report\'s definitions', async () => {
    const res = await fetch(`${server.url}/api/compliance`, { headers: bearer });
    expect(res.status).toBe(200);
    const trend = (await res.json()) as TrendModel;
    expect(trend.at).toBe(iso(T0));
    expect(trend.tiers).toEqual(['enterprise', 'priority', 'standard']);
    expect(trend.weeks).toHaveLength(12);
    expect(trend.weeks[11]).toMatchObject({ from: '2026-03-02T00:00:00.000Z', to: '2026-03-09T00:00:00.000Z', label: '2 Mar' });
    expect(trend.weeks[0]?.from).toBe('2025-12-15T00:00:00.000Z');
    // This week: #4's first response breached (priority 0 %), #6's met (standard 100 %, #2 still running), enterprise all running.
    expect(trend.weeks[11]?.tiers.priority?.overall).toEqual({ met: 0, breached: 1, pending: 0, percent: 0 });
    expect(trend.weeks[11]?.tiers.standard?.overall).toEqual({ met: 1, breached: 0, pending: 1, percent: 100 });
    expect(trend.weeks[11]?.tiers.enterprise).toMatchObject({ tickets: 2, overall: { met: 0, breached: 0, percent: null } });
    // Three weeks ago (week of 9 Feb): #1, answered in 20 min and resolved in an hour.
    expect(trend.weeks[8]).toMatchObject({ label: '9 Feb', tiers: { enterprise: { tickets: 1, overall: { met: 2, breached: 0, percent: 100 }, firstResponse: { met: 1, percent: 100 } } } });
    expect(Object.keys(trend.weeks[7]?.tiers ?? {})).toEqual([]);

    const counts = Object.fromEntries(trend.firstResponse.buckets.map((b) => [b.label, b.counts]));
    expect(counts['5–15m']).toEqual({ enterprise: 0, priority: 0, standard: 1 });
    expect(counts['15–30m']).toEqual({ enterprise: 1, priority: 0, standard: 0 });
    expect(trend.firstResponse.buckets.reduce((n, b) => n + b.total, 0)).toBe(2);
    expect(trend.firstResponse.buckets[0]).toMatchObject({ fromSeconds: 0, toSeconds: 300 });
    expect(trend.firstResponse.buckets.at(-1)).toMatchObject({ fromSeconds: 86_400, toSeconds: null });
    expect(trend.firstResponse.tiers).toEqual({
      enterprise: { answered: 1, medianSeconds: 1200, p90Seconds: 1200 },
      priority: { answered: 0, medianSeconds: null, p90Seconds: null },
      standard: { answered: 1, medianSeconds: 600, p90Seconds: 600 },
    });
  });

  it('/api/compliance is computed at most once a minute', async () => {
    const first = (await (await fetch(`${server.url}/api/compliance`, { headers: bearer })).json()) as TrendModel;
    h.clock.t += 5 * MIN;
    const second = (await (await fetch(`${server.url}/api/compliance`, { headers: bearer })).json()) as TrendModel;
    expect(second.at).toBe(first.at);
  });

  it('tickets older than 12 weeks are left out of the charts', async () => {
    h.clock.t = T0 - 90 * DAY;
    await h.desk.receiveMessage({ platform: 'shell', channelId: 'globex', messageId: 'ancient', author: { userId: 'fay' }, text: 'Old one', at: T0 - 90 * DAY });
    h.clock.t = T0;
    await server.close();
    server = await serveQueue(h.desk, { complianceTtlMs: 0 });
    const trend = (await (await fetch(`${server.url}/api/compliance`, { headers: bearer })).json()) as TrendModel;
    const priorityTickets = trend.weeks.reduce((n, w) => n + (w.tiers.priority?.tickets ?? 0), 0);
    expect(priorityTickets).toBe(1);
  });
});

describe('queue page: live updates', () => {
  it('the stream sends a snapshot on connect and a fresh one after a ticket changes', async () => {
    await setUp({ heartbeatMs: 60_000 });
    const stream = await openEvents(`${server.url}/api/queue/events`, bearer);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const first = (await stream.next('queue')) as QueueSnapshot;
    expect(first.tickets.map((t) => t.id)).toEqual(EXPECTED_ORDER);

    await h.desk.receiveMessage({ platform: 'shell', channelId: 'globex', messageId: 'new-1', author: { userId: 'fay' }, text: 'Dashboard shows no data', at: T0 });
    const second = (await stream.next('queue')) as QueueSnapshot;
    // Priority, 2 h: due after #3 (30 min) and before #2 (3 h).
    expect(second.tickets.map((t) => t.id)).toEqual([4, 5, 3, 7, 2, 6]);

    await h.command('globex', 'alice', 'resolve', 'new-1');
    const third = (await stream.next('queue')) as QueueSnapshot;
    expect(third.tickets.map((t) => t.id)).toEqual(EXPECTED_ORDER);
    stream.close();
  });

  it('a burst of changes goes out as one snapshot', async () => {
    await setUp({ heartbeatMs: 60_000, coalesceMs: 100 });
    const stream = await openEvents(`${server.url}/api/queue/events`, bearer);
    await stream.next('queue');
    for (const ticket of [2, 3, 5]) await h.command('acme', 'bob', `claim ${ticket}`);
    const snapshot = (await stream.next('queue')) as QueueSnapshot;
    expect(snapshot.tickets.filter((t) => t.assignee === 'Bob').map((t) => t.id)).toEqual([5, 3, 2]);
    await new Promise((r) => setTimeout(r, 300));
    expect(stream.events.filter((e) => e.event === 'queue')).toHaveLength(2);
    stream.close();
  });

  it('sends a heartbeat with the server\'s time, and ends the streams when the page closes', async () => {
    await setUp({ heartbeatMs: 30 });
    const stream = await openEvents(`${server.url}/api/queue/events`, bearer);
    expect(await stream.next('heartbeat')).toEqual({ serverNow: iso(T0) });
    server.page.close();
    await stream.ended;
  });

  it('a cookie from the sign-in works for the stream (EventSource cannot send headers)', async () => {
    await setUp();
    const signIn = await fetch(`${server.url}/queue?token=${encodeURIComponent(TOKEN)}`, { redirect: 'manual' });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const stream = await openEvents(`${server.url}/api/queue/events`, { cookie });
    expect(stream.status).toBe(200);
    expect(((await stream.next('queue')) as QueueSnapshot).tickets).toHaveLength(5);
    stream.close();
  });
});

describe('queue page: clients that stop reading', () => {
  const logged: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: (_fields, message) => void logged.push(message),
    warn: (_fields, message) => void logged.push(message),
    error: (_fields, message) => void logged.push(message),
  };

  /** Opens a ticket in a channel of its own, with an opening message as long as the queue shows (140 characters). */
  let opened = 0;
  const openTicket = () => {
    opened++;
    return h.desk.receiveMessage({ platform: 'shell', channelId: 'globex', messageId: `flood-${opened}`, author: { userId: `customer-${opened}` }, text: `Ticket ${opened}: ${'the export job fails again '.repeat(6)}`, at: T0 + opened * 2_000 });
  };

  it('a stream that never reads is dropped once it is more than 1 MiB behind; a reading stream keeps getting every update', async () => {
    logged.length = 0;
    h = await harness(`${CONFIG}\ntickets: { groupingWindow: 1s }\n`);
    await seedQueue(h.desk, (to) => (h.clock.t = to), T0);
    server = await serveQueue(h.desk, { heartbeatMs: 60_000, coalesceMs: 1, logger });
    const reading = await openEvents(`${server.url}/api/queue/events`, bearer);
    await reading.next('queue');
    const stalled = await stalledStream(server.url);
    await expect.poll(() => server.page.streamStats().open).toBe(2);

    // Each ticket makes the snapshot longer; the kernel takes a few MiB before the server holds anything.
    while (server.page.streamStats().dropped === 0 && opened < 1_000) {
      await openTicket();
      await new Promise((r) => setTimeout(r, 3));
    }
    expect(server.page.streamStats()).toMatchObject({ open: 1, dropped: 1 });
    expect(logged).toContain('queue page: dropped an event stream that stopped reading');
    // The server let go of it: once the client reads again, what the kernel still held arrives and the stream ends.
    const closed = once(stalled, 'close');
    stalled.resume();
    await closed;

    // The reading stream got every ticket and still gets the next change.
    await openTicket();
    const last = opened;
    await expect.poll(() => reading.events.some((e) => e.event === 'queue' && (e.data as QueueSnapshot).tickets.length === EXPECTED_ORDER.length + last), { timeout: 10_000 }).toBe(true);
    reading.close();
  });

  it('a change is encoded once and every stream gets the same bytes', async () => {
    await setUp({ heartbeatMs: 60_000, coalesceMs: 1 });
    const streams = await Promise.all([1, 2, 3].map(() => openEvents(`${server.url}/api/queue/events`, bearer)));
    for (const stream of streams) await stream.next('queue');
    const before = server.page.streamStats();
    expect(before).toMatchObject({ open: 3, snapshotsEncoded: 3, dropped: 0 }); // one each on connecting

    await h.desk.receiveMessage({ platform: 'shell', channelId: 'globex', messageId: 'one-change', author: { userId: 'fay' }, text: 'Dashboard shows no data', at: T0 });
    const events = await Promise.all(streams.map(async (stream) => {
      await stream.next('queue');
      return stream.events.at(-1)?.raw;
    }));
    expect(events[0]).toMatch(/^event: queue\ndata: \{"serverNow"/);
    expect(events[1]).toBe(events[0]);
    expect(events[2]).toBe(events[0]);
    expect(server.page.streamStats().snapshotsEncoded).toBe(before.snapshotsEncoded + 1);
    for (const stream of streams) stream.close();
  });
});

describe('queue page: switching it on', () => {
  const logged: { level: string; message: string; fields: object }[] = [];
  const logger: Logger = {
    debug: (fields, message) => logged.push({ level: 'debug', message, fields }),
    info: (fields, message) => logged.push({ level: 'info', message, fields }),
    warn: (fields, message) => logged.push({ level: 'warn', message, fields }),
    error: (fields, message) => logged.push({ level: 'error', message, fields }),
  };

  beforeEach(async () => {
    logged.length = 0;
    h = await harness(CONFIG);
  });

  it.each([
    [{}, 'info', 'SLAWATCH_QUEUE_TOKEN is not set'],
    [{ SLAWATCH_QUEUE_TOKEN: '  ' }, 'info', 'SLAWATCH_QUEUE_TOKEN is not set'],
    [{ SLAWATCH_QUEUE_TOKEN: 'short' }, 'warn', 'SLAWATCH_QUEUE_TOKEN is shorter than 16 characters'],
  ])('is off, and says so in the log, with %j', async (env, level, reason) => {
    const http = new HttpServer({ port: 0, host: '127.0.0.1', readiness: [] });
    expect(mountQueuePage(http, h.desk, env, logger)).toEqual({ disabled: reason });
    expect(logged).toEqual([{ level, message: 'queue page disabled', fields: { reason } }]);
    const port = await http.listen();
    expect((await fetch(`http://127.0.0.1:${port}/api/queue`)).status).toBe(404);
    await http.close();
  });

  it('is on with a token, and the token never reaches the log', async () => {
    const http = new HttpServer({ port: 0, host: '127.0.0.1', readiness: [] });
    const mounted = mountQueuePage(http, h.desk, { SLAWATCH_QUEUE_TOKEN: TOKEN, SLAWATCH_SLACK_WORKSPACE: 'not a workspace!' }, logger);
    expect(mounted.page).toBeDefined();
    expect(logged.map((l) => l.message)).toEqual(['queue page: thread links fall back to plain references', 'queue page enabled']);
    expect(JSON.stringify(logged)).not.toContain(TOKEN);
    const port = await http.listen();
    expect((await fetch(`http://127.0.0.1:${port}/api/queue`, { headers: bearer })).status).toBe(200);
    mounted.page?.close();
    await http.close();
  });
});

describe('queue page: the script', () => {
  it('is valid JavaScript and never writes HTML', () => {
    expect(() => new Script(QUEUE_JS)).not.toThrow();
    expect(QUEUE_JS).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});

// ---------------------------------------------------------------------------

interface EventStream {
  status: number;
  contentType: string;
  /** `raw`: the event as it came over the wire. */
  events: { event: string; data: unknown; raw: string }[];
  /** The next event named `name` not yet taken. */
  next(name: string, timeoutMs?: number): Promise<unknown>;
  ended: Promise<void>;
  close(): void;
}

/** A minimal server-sent events client over node:http. */
function openEvents(url: string, headers: Record<string, string>): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res: IncomingMessage) => {
      const events: { event: string; data: unknown; raw: string }[] = [];
      let taken = 0;
      let buffer = '';
      let wake: (() => void) | undefined;
      const ended = new Promise<void>((done) => res.on('close', () => done()));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) events.push({ event, data: JSON.parse(data), raw: block });
        }
        wake?.();
      });
      resolve({
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type']),
        events,
        ended,
        close: () => req.destroy(),
        async next(name, timeoutMs = 3_000) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const index = events.findIndex((e, i) => i >= taken && e.event === name);
            if (index !== -1) {
              taken = index + 1;
              return events[index]?.data;
            }
            if (Date.now() > deadline) throw new Error(`no "${name}" event within ${timeoutMs} ms; got ${events.map((e) => e.event).join(', ')}`);
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 50);
            });
          }
        },
      });
    });
    req.on('error', reject);
  });
}

/** An event stream whose client never reads: a raw socket that sends the request and then stops reading. */
async function stalledStream(origin: string): Promise<Socket> {
  const { hostname, port } = new URL(origin);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined); // the server may reset it when it lets go
  await once(socket, 'connect');
  socket.write(`GET /api/queue/events HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${TOKEN}\r\nAccept: text/event-stream\r\n\r\n`);
  socket.pause();
  return socket;
}
