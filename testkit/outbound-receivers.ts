/**
 * Receivers on 127.0.0.1 (random ports) for what slawatch sends outside chat,
 * for tests and benches that run the real transports against them:
 *
 * - FakeEventsApi: PagerDuty's Events API v2 (`POST /v2/enqueue`). It checks
 *   each event the way PagerDuty does (a known routing key, an action, a
 *   dedup key, a payload on a trigger), answers 202, and records every event
 *   that arrived — including one it was still holding when the sender died.
 * - WebhookReceiver: checks the HMAC-SHA256 signature over `timestamp.body`
 *   with the secret, records every request with the verdict; can answer
 *   errors for a while, or hold requests unanswered.
 * - SmtpReceiver: a real SMTP server (smtp-server) that records each message
 *   (envelope, headers, text) it accepted.
 *
 * Each can `hold` requests: they arrive (and are recorded) but get no answer
 * until `release()` — the window in which a sender killed mid-send leaves its
 * delivery record `sending`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type Json = Record<string, unknown>;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An HTTP server on 127.0.0.1 that can hold requests unanswered. */
abstract class HttpReceiver<R = unknown> {
  private server: Server | undefined;
  private holding = false;
  private readonly held: { answer: () => void; req: IncomingMessage }[] = [];
  /** Requests that arrived while holding and were never answered (the connection closed first). */
  dropped = 0;
  /** Answer the next `n` requests with this status instead of handling them. */
  private failures: { left: number; status: number } = { left: 0, status: 500 };

  protected abstract handle(req: IncomingMessage, body: string, res: ServerResponse, record: R): void;
  /** Records what arrived, before any answer. */
  protected abstract record(req: IncomingMessage, body: string, answered: () => boolean): R;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.accept(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this.baseUrl;
  }

  get baseUrl(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** From now on, requests are recorded but not answered until `release`. */
  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const { answer } of this.held.splice(0)) answer();
  }

  /** Held requests whose sender is still connected (0 once a killed sender's connections are seen closed). */
  get heldOpen(): number {
    return this.held.filter(({ req }) => !req.socket.destroyed).length;
  }

  failNext(n: number, status = 503): void {
    this.failures = { left: n, status };
  }

  private async accept(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    let answered = false;
    res.on('finish', () => (answered = true));
    const record = this.record(req, body, () => answered);
    const answer = () => {
      if (res.destroyed || req.socket.destroyed) {
        this.dropped++;
        return;
      }
      if (this.failures.left > 0) {
        this.failures.left--;
        res.writeHead(this.failures.status, { 'content-type': 'application/json' }).end('{"status":"unavailable"}');
        return;
      }
      this.handle(req, body, res, record);
    };
    if (this.holding) this.held.push({ answer, req });
    else answer();
  }

  async close(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface PagerEventRecord {
  routingKey: string;
  action: string;
  dedupKey: string;
  payload?: Json;
  links?: Json[];
  /** Whether the receiver answered it (202 or an error); false: the sender went away first, or it is still held. */
  answered: () => boolean;
  /** Whether it was a valid event answered 202. */
  accepted: boolean;
}

/** PagerDuty's Events API v2, for the routing keys it is given. */
export class FakeEventsApi extends HttpReceiver<PagerEventRecord> {
  readonly events: PagerEventRecord[] = [];

  constructor(private readonly routingKeys: readonly string[]) {
    super();
  }

  /** What PAGERDUTY_EVENTS_URL is set to. */
  get url(): string {
    return `${this.baseUrl}/v2/enqueue`;
  }

  /** Events answered 202 (PagerDuty took them). */
  get accepted(): PagerEventRecord[] {
    return this.events.filter((e) => e.accepted);
  }

  protected record(_req: IncomingMessage, body: string, answered: () => boolean): PagerEventRecord {
    let event: Json = {};
    try {
      event = JSON.parse(body) as Json;
    } catch {
      // recorded as an event without fields; answered 400 below
    }
    const record: PagerEventRecord = {
      routingKey: String(event.routing_key ?? ''),
      action: String(event.event_action ?? ''),
      dedupKey: String(event.dedup_key ?? ''),
      ...(event.payload ? { payload: event.payload as Json } : {}),
      ...(event.links ? { links: event.links as Json[] } : {}),
      answered,
      accepted: false,
    };
    this.events.push(record);
    return record;
  }

  protected handle(req: IncomingMessage, body: string, res: ServerResponse, record: PagerEventRecord): void {
    const problem = req.url !== '/v2/enqueue' ? 'not found' : this.problemOf(body);
    if (problem) {
      res.writeHead(problem === 'not found' ? 404 : 400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: [problem] }));
      return;
    }
    record.accepted = true;
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: record.dedupKey }));
  }

  private problemOf(body: string): string | undefined {
    let event: Json;
    try {
      event = JSON.parse(body) as Json;
    } catch {
      return 'body is not JSON';
    }
    if (!this.routingKeys.includes(String(event.routing_key))) return 'unknown routing key';
    if (!['trigger', 'acknowledge', 'resolve'].includes(String(event.event_action))) return 'event_action is invalid';
    if (typeof event.dedup_key !== 'string' || !event.dedup_key) return event.event_action === 'trigger' ? undefined : 'dedup_key is required';
    if (event.event_action === 'trigger') {
      const payload = event.payload as Json | undefined;
      if (!payload?.summary || !payload.source || !['critical', 'error', 'warning', 'info'].includes(String(payload.severity))) return 'payload is invalid';
    }
    return undefined;
  }
}

export interface WebhookRecord {
  event: string;
  idempotencyKey: string;
  timestamp: string;
  signature: string;
  /** The signature matched HMAC-SHA256(secret, timestamp + "." + body). */
  valid: boolean;
  body: Json;
  answered: () => boolean;
  /** Answered 204: a valid signature, and no failure asked for. */
  accepted: boolean;
}

/** A webhook receiver that verifies slawatch's signature. */
export class WebhookReceiver extends HttpReceiver<WebhookRecord> {
  readonly requests: WebhookRecord[] = [];

  constructor(private readonly secret: string) {
    super();
  }

  get url(): string {
    return `${this.baseUrl}/hook`;
  }

  protected record(req: IncomingMessage, body: string, answered: () => boolean): WebhookRecord {
    const header = (name: string) => String(req.headers[name.toLowerCase()] ?? '');
    const timestamp = header('X-Slawatch-Timestamp');
    const signature = header('X-Slawatch-Signature');
    const expected = `v1=${createHmac('sha256', this.secret).update(`${timestamp}.${body}`).digest('hex')}`;
    const valid = signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    let parsed: Json = {};
    try {
      parsed = JSON.parse(body) as Json;
    } catch {
      // kept empty: the test sees a body without fields
    }
    const record: WebhookRecord = { event: header('X-Slawatch-Event'), idempotencyKey: header('Idempotency-Key'), timestamp, signature, valid, body: parsed, answered, accepted: false };
    this.requests.push(record);
    return record;
  }

  protected handle(_req: IncomingMessage, _body: string, res: ServerResponse, record: WebhookRecord): void {
    if (!record.valid) {
      res.writeHead(401).end();
      return;
    }
    record.accepted = true;
    res.writeHead(204).end();
  }
}

export interface MailRecord {
  from: string;
  to: string[];
  /** The raw message (headers and MIME body). */
  raw: string;
  header: (name: string) => string | undefined;
  /** It came over TLS (STARTTLS). */
  secure: boolean;
}

/**
 * A real SMTP server (no auth) that records what it accepted. Plain by default; with `starttls` it offers
 * STARTTLS with smtp-server's own self-signed certificate, as a local relay often does.
 */
export class SmtpReceiver {
  readonly messages: MailRecord[] = [];
  private readonly server: SMTPServer;
  private port = 0;

  constructor(options: { starttls?: boolean } = {}) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: options.starttls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const headEnd = raw.indexOf('\r\n\r\n');
          const head = (headEnd === -1 ? raw : raw.slice(0, headEnd)).replace(/\r\n[ \t]+/g, ' ');
          const header = (name: string) => {
            const value = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
            return value === undefined ? undefined : decodeEncodedWords(value);
          };
          const mailFrom = session.envelope.mailFrom;
          this.messages.push({ from: mailFrom ? mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw, header, secure: session.secure });
          callback();
        });
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this.url;
  }

  /** What SMTP_URL is set to. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Decodes RFC 2047 encoded words in a header (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`), as a mail client shows it. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

/** Decodes a quoted-printable MIME part's text (what nodemailer writes for non-ASCII text). */
export function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
