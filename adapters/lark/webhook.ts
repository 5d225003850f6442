/**
 * Webhook mode (LARK_MODE=webhook): Feishu POSTs events and card callbacks
 * to /lark/events. Every body is encrypted with the app's encrypt key
 * (AES-256-CBC); the request is signed with it — X-Lark-Signature is the
 * SHA-256 of timestamp, nonce, encrypt key and the raw body — and the event
 * carries the verification token. A request that fails any of these is
 * answered 401 and never reaches the handlers; the URL check Feishu makes
 * when the address is saved (`url_verification`) is answered with its
 * challenge once its token matches.
 *
 * The handlers are the long connection's (events.ts), run through the SDK's
 * EventDispatcher; they bound their wait, so the answer is in time. A
 * handler that refuses the event (the store could not take it) makes the
 * answer a 500, and Feishu delivers it again.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AESCipher, type EventDispatcher } from '@larksuiteoapi/node-sdk';
import { describe } from '../../src/service/logger.js';
import type { HttpServer } from '../http/server.js';
import type { Logger } from '../../src/service/logger.js';
import type { LarkEnv } from './env.js';

export const EVENTS_PATH = '/lark/events';
const BODY_LIMIT = 1024 * 1024;

/** A server that already listens on the bot's port (health, metrics): the endpoint is mounted on it. */
export type SharedHttpServer = Pick<HttpServer, 'mount'>;

type Json = Record<string, unknown>;
const record = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);

export class WebhookReceiver {
  private server: Server | undefined;
  private mounted = false;
  private readonly cipher: AESCipher;

  constructor(
    private readonly env: LarkEnv & { encryptKey: string; verificationToken: string },
    private readonly dispatcher: EventDispatcher,
    private readonly log: Logger,
    private readonly shared?: SharedHttpServer,
  ) {
    this.cipher = new AESCipher(env.encryptKey);
  }

  async start(): Promise<void> {
    const serve = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    if (this.shared) {
      // Answers 503 once stopped, so Feishu tries again later.
      this.mounted = true;
      this.shared.mount(EVENTS_PATH, (req, res) => (this.mounted ? serve(req, res) : res.writeHead(503).end()));
      return;
    }
    const server = createServer(serve);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.env.port, this.env.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.mounted = false;
    const closing = this.server;
    this.server = undefined;
    if (!closing) return;
    await new Promise<void>((resolve) => {
      closing.close(() => resolve());
      closing.closeIdleConnections();
      setTimeout(() => closing.closeAllConnections(), 2_000).unref();
    });
  }

  ready(): boolean {
    return this.mounted || Boolean(this.server?.listening);
  }

  address(): AddressInfo | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = (status: number, body?: unknown) => {
      if (res.headersSent) return;
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }).end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== EVENTS_PATH) return answer(404);
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      return answer(err instanceof TooLarge ? 413 : 400);
    }
    const opened = this.open(raw, req);
    if ('refused' in opened) {
      this.log.warn({ problem: opened.refused }, 'lark: refused a webhook request');
      return answer(opened.status);
    }
    if (opened.challenge !== undefined) return answer(200, { challenge: opened.challenge });
    try {
      const result = await this.dispatcher.invoke(opened.event, { needCheck: false });
      // The dispatcher answers a string for an event without a handler; Feishu only needs the 200.
      answer(200, record(result) ?? {});
    } catch (err) {
      this.log.warn({ err: describe(err) }, 'lark: an event was refused; Feishu will deliver it again');
      answer(500);
    }
  }

  /** The decrypted event, its URL-check challenge, or why the request is refused. */
  private open(raw: string, req: IncomingMessage): { event: Json; challenge?: string } | { refused: string; status: number } {
    const outer = record(safeJson(raw));
    if (!outer) return { refused: 'the body is not a JSON object', status: 400 };
    if (typeof outer.encrypt !== 'string') return { refused: 'the body is not encrypted (is the encrypt key set in the app\'s settings?)', status: 401 };
    let event: Json | undefined;
    try {
      event = record(JSON.parse(this.cipher.decrypt(outer.encrypt)));
    } catch {
      event = undefined;
    }
    if (!event) return { refused: 'the body does not decrypt with LARK_ENCRYPT_KEY', status: 401 };
    const token = record(event.header)?.token ?? event.token;
    if (!sameText(typeof token === 'string' ? token : '', this.env.verificationToken)) return { refused: 'the verification token does not match LARK_VERIFICATION_TOKEN', status: 401 };
    // The URL check is not signed; its token and the encryption are what it proves.
    if (event.type === 'url_verification') return { event, challenge: typeof event.challenge === 'string' ? event.challenge : '' };
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : '';
    };
    const timestamp = header('x-lark-request-timestamp');
    const nonce = header('x-lark-request-nonce');
    const signature = header('x-lark-signature');
    if (!timestamp || !nonce || !signature) return { refused: 'the request is not signed', status: 401 };
    const expected = createHash('sha256').update(timestamp + nonce + this.env.encryptKey + raw).digest('hex');
    if (!sameText(signature, expected)) return { refused: 'the signature does not match', status: 401 };
    return { event };
  }
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(new TooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
