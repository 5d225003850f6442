/**
 * The live queue page for staff, on the bot's HTTP server.
 *
 *   GET  /queue               the page (no data in it), in the browser's language (Accept-Language,
 *                             or the language switch's cookie); `?token=` signs the browser in
 *   POST /queue/session       the sign-in form (token in the body) → session cookie
 *   GET  /queue/app.js, .css  the page's script and style (static)
 *   GET  /queue/messageformat.js, /queue/intl-messageformat.js
 *                             the ICU message formatter the script formats the catalogue's messages with
 *   GET  /api/queue           open tickets by time left, on call now and next (JSON)
 *   GET  /api/queue/events    the same as server-sent events: a snapshot on connect and after
 *                             every ticket change, a heartbeat every 15 s
 *   GET  /api/compliance      compliance per tier over the last 12 weeks and the
 *                             first-response time histogram (JSON, cached for a minute)
 *   GET  /api/availability    open incidents and each customer's availability this month so far
 *                             (JSON, cached for 15 s)
 *
 * Every /api route needs the token (queue-auth.ts); without it: 401 and no data.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkLinkOptions, type LinkOptions } from '../../src/report/links.js';
import type { TrendModel } from '../../src/report/trend.js';
import type { AvailabilitySnapshot, QueueSnapshot, SupportDesk } from '../../src/service/desk-port.js';
import { describe, type Logger } from '../../src/service/logger.js';
import type { HttpServer } from './server.js';
import { MIN_TOKEN_LENGTH, QueueAuth } from './queue-auth.js';
import { acceptedLanguages, bestLocale, isLocale } from '../../src/i18n/index.js';
import { MESSAGEFORMAT_SHIM, QUEUE_CSS, QUEUE_JS, queueHtml } from './queue-assets.js';

export interface QueuePageOptions {
  token: string;
  /** How links to threads are made (as in `slawatch report`). */
  links?: LinkOptions;
  /** Zone of the compliance chart's weeks; default: the digest's zone, else UTC. */
  timezone?: string;
  logger?: Logger;
  /** Heartbeat on the event stream (ms); default 15 s. */
  heartbeatMs?: number;
  /**
   * A fresh snapshot goes out at least this often (ms; default 60 s), for
   * what changes without a ticket changing here: on-call handoffs, and
   * tickets another replica changed.
   */
  refreshMs?: number;
  /** How long /api/compliance is cached (ms); default 60 s. */
  complianceTtlMs?: number;
  /** How long /api/availability is cached (ms); default 15 s. */
  availabilityTtlMs?: number;
  /** Changes within this window go out as one snapshot (ms; default 200). */
  coalesceMs?: number;
  /** Open event streams allowed at once; more get 503. Default 100. */
  maxStreams?: number;
}

export interface QueuePage {
  /** Ends the open event streams (browsers reconnect unless the server is closing too) and stops listening to the desk. */
  close(): void;
  /** What the event streams have done so far. */
  streamStats(): QueueStreamStats;
}

export interface QueueStreamStats {
  /** Event streams open now. */
  open: number;
  /** Snapshots encoded for the streams: one per change (or refresh) however many streams there are, plus one per connecting stream. */
  snapshotsEncoded: number;
  /** Streams closed because they stopped reading (more than MAX_UNSENT_BYTES behind). */
  dropped: number;
}

const COMPLIANCE_WEEKS = 12;
const MAX_FORM_BYTES = 2_048;

/**
 * How far behind an event stream may fall (bytes written but not yet taken by
 * the client, beyond what the kernel holds) before it is dropped. A browser
 * that stopped reading — a sleeping laptop, a stalled proxy, a client that
 * never reads on purpose — would otherwise keep every snapshot since in
 * memory. 1 MiB is two snapshots of a queue of 1,000 open tickets (about
 * 450 bytes a ticket), hundreds of a usual one; a dropped browser reconnects
 * and gets a fresh snapshot.
 */
const MAX_UNSENT_BYTES = 1024 * 1024;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function registerQueuePage(http: HttpServer, desk: SupportDesk, options: QueuePageOptions): QueuePage {
  const auth = new QueueAuth(options.token);
  const log = options.logger;
  const links = options.links ?? {};
  const snapshot = () => desk.queueSnapshot(links);
  const feed = new QueueFeed(desk, snapshot, {
    heartbeatMs: options.heartbeatMs ?? 15_000,
    refreshMs: options.refreshMs ?? 60_000,
    coalesceMs: options.coalesceMs ?? 200,
    maxStreams: options.maxStreams ?? 100,
    ...(log ? { log } : {}),
  });
  const compliance = new Cached<TrendModel>(options.complianceTtlMs ?? 60_000, () =>
    desk.compliance({ weeks: COMPLIANCE_WEEKS, timezone: options.timezone ?? desk.config.digest?.timezone ?? 'UTC' }),
  );

  /** Runs `handler` for a request that carries the token; answers 401 (and nothing else) otherwise. */
  const guarded = (handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>) => async (req: IncomingMessage, res: ServerResponse) => {
    if (!auth.authorized(req)) {
      res.writeHead(401, {
        ...SECURITY_HEADERS,
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'www-authenticate': 'Bearer realm="slawatch queue"',
      });
      res.end(JSON.stringify({ error: 'sign in first: send "Authorization: Bearer <token>", or open /queue in a browser' }));
      return;
    }
    await handler(req, res);
  };

  /** A browser that presented the right token gets the session cookie; either way it lands on the clean URL. */
  const signIn = (req: IncomingMessage, res: ServerResponse, candidate: string) => {
    const ok = auth.tokenMatches(candidate);
    if (!ok) log?.warn({ from: req.socket.remoteAddress }, 'queue page: sign-in with a wrong token');
    res.writeHead(303, {
      ...SECURITY_HEADERS,
      'cache-control': 'no-store',
      location: ok ? '/queue' : '/queue?signin=failed',
      ...(ok ? { 'set-cookie': auth.sessionCookie(req) } : {}),
    });
    res.end();
  };

  http.route('GET /queue', (req, res) => {
    const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
    if (token !== null) return signIn(req, res, token);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': PAGE_CSP,
      vary: 'Accept-Language, Cookie',
    });
    res.end(queueHtml(pageLocale(req)));
  });
  http.route('POST /queue/session', async (req, res) => {
    const body = await readBody(req, MAX_FORM_BYTES);
    if (body === undefined) {
      res.writeHead(413, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end('too large');
      return;
    }
    signIn(req, res, new URLSearchParams(body).get('token') ?? '');
  });
  http.route('GET /queue/app.js', (_req, res) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }).end(QUEUE_JS);
  });
  http.route('GET /queue/app.css', (_req, res) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }).end(QUEUE_CSS);
  });
  http.route('GET /queue/messageformat.js', (_req, res) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }).end(MESSAGEFORMAT_SHIM);
  });
  http.route('GET /queue/intl-messageformat.js', (_req, res) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' }).end(messageFormatLibrary());
  });
  http.route(
    'GET /api/queue',
    guarded(async (_req, res) => sendJson(res, await snapshot())),
  );
  http.route(
    'GET /api/queue/events',
    guarded((_req, res) => feed.add(res)),
  );
  http.route(
    'GET /api/compliance',
    guarded(async (_req, res) => sendJson(res, await compliance.get())),
  );
  const availability = new Cached<AvailabilitySnapshot>(options.availabilityTtlMs ?? 15_000, () => desk.availabilitySnapshot());
  http.route(
    'GET /api/availability',
    guarded(async (_req, res) => sendJson(res, await availability.get())),
  );
  return { close: () => feed.close(), streamStats: () => feed.stats() };
}

/** The language switch's choice (a cookie), else the best catalogue for the browser's Accept-Language. */
export function pageLocale(req: IncomingMessage): string {
  const chosen = /(?:^|;\s*)slawatch_locale=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
  const decoded = chosen === undefined ? undefined : safeDecode(chosen);
  return isLocale(decoded) ? decoded : bestLocale(acceptedLanguages(req.headers['accept-language']));
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

let library: Buffer | undefined;

/**
 * intl-messageformat as shipped (an ES module with no imports), found
 * beside @formatjs/intl, which depends on it: the page formats with the same
 * library as the bot. Read once.
 */
function messageFormatLibrary(): Buffer {
  if (!library) {
    const fromIntl = createRequire(createRequire(import.meta.url).resolve('@formatjs/intl'));
    library = readFileSync(join(dirname(fromIntl.resolve('intl-messageformat')), 'intl-messageformat.iife.js'));
  }
  return library;
}

/**
 * Registers the page when `SLAWATCH_QUEUE_TOKEN` is set, and says in the log
 * either way. Returns whether the page is on, and why not.
 */
export function mountQueuePage(http: HttpServer, desk: SupportDesk, env: NodeJS.ProcessEnv, logger: Logger): { page?: QueuePage; disabled?: string } {
  const token = env.SLAWATCH_QUEUE_TOKEN?.trim() ?? '';
  if (!token) {
    logger.info({ reason: 'SLAWATCH_QUEUE_TOKEN is not set' }, 'queue page disabled');
    return { disabled: 'SLAWATCH_QUEUE_TOKEN is not set' };
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    // Set but too weak to guard the data: a mistake worth a warning.
    const disabled = `SLAWATCH_QUEUE_TOKEN is shorter than ${MIN_TOKEN_LENGTH} characters`;
    logger.warn({ reason: disabled }, 'queue page disabled');
    return { disabled };
  }
  const links: LinkOptions = {};
  if (env.SLAWATCH_SLACK_WORKSPACE) links.slackWorkspace = env.SLAWATCH_SLACK_WORKSPACE;
  const guild = env.SLAWATCH_DISCORD_GUILD ?? env.DISCORD_GUILD_ID;
  if (guild) links.discordGuild = guild;
  const linkProblem = checkLinkOptions(links);
  if (linkProblem) {
    logger.warn({ problem: linkProblem }, 'queue page: thread links fall back to plain references');
    delete links.slackWorkspace;
    delete links.discordGuild;
  }
  const page = registerQueuePage(http, desk, { token, links, logger });
  logger.info({ path: '/queue' }, 'queue page enabled');
  return { page };
}

/**
 * The event stream: every open stream gets a snapshot when it connects, and
 * one shared snapshot after each burst of ticket changes — encoded once and
 * written as the same bytes to every stream. A stream that falls more than
 * MAX_UNSENT_BYTES behind is dropped. Nothing runs (no timer, no desk
 * listener) while nobody watches.
 */
class QueueFeed {
  private readonly streams = new Set<ServerResponse>();
  private stopListening: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private refresh: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private broadcasting = false;
  private again = false;
  private snapshotsEncoded = 0;
  private dropped = 0;

  constructor(
    private readonly desk: SupportDesk,
    private readonly snapshot: () => Promise<QueueSnapshot>,
    private readonly options: { heartbeatMs: number; refreshMs: number; coalesceMs: number; maxStreams: number; log?: Logger },
  ) {}

  async add(res: ServerResponse): Promise<void> {
    if (this.streams.size >= this.options.maxStreams) {
      res.writeHead(503, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'retry-after': '30' });
      res.end(JSON.stringify({ error: 'too many open queue pages' }));
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold the events back.
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    this.streams.add(res);
    res.on('close', () => this.remove(res));
    if (this.streams.size === 1) this.startWatching();
    try {
      this.send(res, this.encodeSnapshot(await this.snapshot()));
    } catch (err) {
      this.options.log?.warn({ err: describe(err) }, 'queue page: could not build the queue');
      res.end();
    }
  }

  close(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
    this.stopWatching();
  }

  stats(): QueueStreamStats {
    return { open: this.streams.size, snapshotsEncoded: this.snapshotsEncoded, dropped: this.dropped };
  }

  private encodeSnapshot(snapshot: QueueSnapshot): Buffer {
    this.snapshotsEncoded++;
    return encodeEvent('queue', snapshot);
  }

  /** Writes an event, or drops the stream when its client has stopped taking what it was sent. */
  private send(res: ServerResponse, event: Buffer): void {
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > MAX_UNSENT_BYTES) {
      this.dropped++;
      this.options.log?.info({ unsentBytes: res.writableLength, from: res.socket?.remoteAddress }, 'queue page: dropped an event stream that stopped reading');
      // Not end(): that would queue behind what the client does not read. The browser reconnects and gets a fresh snapshot.
      res.destroy();
      this.remove(res);
      return;
    }
    res.write(event);
  }

  private remove(res: ServerResponse): void {
    this.streams.delete(res);
    if (this.streams.size === 0) this.stopWatching();
  }

  private startWatching(): void {
    this.stopListening = this.desk.onTicketChanged(() => this.changed());
    this.heartbeat = setInterval(() => {
      const beat = encodeEvent('heartbeat', { serverNow: new Date(this.desk.now()).toISOString() });
      for (const res of this.streams) this.send(res, beat);
    }, this.options.heartbeatMs);
    this.refresh = setInterval(() => void this.broadcast(), this.options.refreshMs);
    this.heartbeat.unref();
    this.refresh.unref();
  }

  private stopWatching(): void {
    this.stopListening?.();
    this.stopListening = undefined;
    clearInterval(this.heartbeat);
    clearInterval(this.refresh);
    clearTimeout(this.pending);
    this.pending = undefined;
  }

  /** A ticket changed: one snapshot for the burst, shortly. */
  private changed(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      void this.broadcast();
    }, this.options.coalesceMs);
  }

  private async broadcast(): Promise<void> {
    if (this.broadcasting) {
      this.again = true;
      return;
    }
    this.broadcasting = true;
    try {
      do {
        this.again = false;
        if (this.streams.size === 0) return;
        const event = this.encodeSnapshot(await this.snapshot());
        for (const res of this.streams) this.send(res, event);
      } while (this.again);
    } catch (err) {
      this.options.log?.warn({ err: describe(err) }, 'queue page: could not build the queue');
    } finally {
      this.broadcasting = false;
    }
  }
}

/** One server-sent event, as the bytes every stream gets. */
function encodeEvent(event: string, data: unknown): Buffer {
  return Buffer.from(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The body as text, or undefined when it is longer than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A value computed at most once per `ttlMs`; callers during a computation share it; a failure is not kept. */
class Cached<T> {
  private value: { at: number; promise: Promise<T> } | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly compute: () => Promise<T>,
  ) {}

  get(): Promise<T> {
    const now = performance.now();
    if (this.value && now - this.value.at < this.ttlMs) return this.value.promise;
    const promise = this.compute();
    this.value = { at: now, promise };
    promise.catch(() => {
      if (this.value?.promise === promise) this.value = undefined;
    });
    return promise;
  }
}
