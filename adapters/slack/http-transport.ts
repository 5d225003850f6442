/**
 * HTTP: one endpoint, /slack/events, for events, slash commands and
 * interactivity, every request signature-checked by Bolt (unsigned, wrongly
 * signed or more than five minutes old → 401). Served on a server of its
 * own, or mounted on the bot's HTTP server (health, metrics) when given one.
 *
 * The app answers after handling (processBeforeResponse), so a crash
 * mid-way makes Slack redeliver rather than lose the message; the handlers
 * bound their wait (../common/background.ts) so the answer is never late.
 *
 * Bolt's receiver reads fields of the parsed body without checking that it
 * is an object, outside any try: a signed body of `null` would end the
 * process. Signed bodies that are not objects are answered 400 before Bolt
 * sees them (refusal).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPModuleFunctions, HTTPReceiver, type Logger as BoltLogger } from '@slack/bolt';
import { describe, type Logger } from '../../src/service/logger.js';
import type { SlackEnv } from './env.js';
import { asRecord } from './slack-message.js';
import type { SlackTransport } from './transport.js';

export const EVENTS_PATH = '/slack/events';

/** A server that already listens on the bot's port (health, metrics): Slack's endpoint is mounted on it. */
export interface SharedHttpServer {
  mount(prefix: string, listener: (req: IncomingMessage, res: ServerResponse) => void): void;
}

export class HttpTransport implements SlackTransport {
  readonly mode = 'http' as const;
  readonly receiver: HTTPReceiver;
  private server: Server | undefined;
  private mounted = false;

  constructor(
    private readonly env: SlackEnv,
    private readonly log: Logger,
    boltLog: BoltLogger,
    private readonly shared?: SharedHttpServer,
  ) {
    this.receiver = new HTTPReceiver({
      signingSecret: env.signingSecret as string,
      endpoints: EVENTS_PATH,
      processBeforeResponse: true,
      logger: boltLog,
    });
  }

  async start(): Promise<void> {
    const serve = (req: IncomingMessage, res: ServerResponse) => void route(this.receiver, this.env.signingSecret as string, this.log, req, res);
    if (this.shared) {
      // Served on the bot's own HTTP server; answers 503 once stopped, so Slack retries elsewhere or later.
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
      // Give requests in flight a moment, then drop what keeps the server open.
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
}

/** Hands a request to Bolt's receiver; unknown paths get a 404, signed bodies that are not objects a 400. */
async function route(receiver: HTTPReceiver, signingSecret: string, log: Logger, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Bolt recognises form bodies only by the bare media type; "…; charset=utf-8" would be misread as JSON.
  const type = req.headers['content-type'];
  if (type && /^application\/x-www-form-urlencoded\s*;/i.test(type)) req.headers['content-type'] = 'application/x-www-form-urlencoded';
  try {
    if (req.method === 'POST' && new URL(req.url ?? '/', 'http://localhost').pathname === EVENTS_PATH) {
      const refused = await refusal(req, signingSecret);
      if (refused) {
        log.warn({ problem: refused.problem }, 'refused a Slack request');
        res.writeHead(refused.status).end();
        return;
      }
    }
    receiver.requestListener(req, res);
  } catch {
    if (!res.headersSent) res.writeHead(404).end();
  }
}

/**
 * Reads the body the way Bolt will (it reuses what is buffered here) and
 * says what to answer instead of handing the request on: 413 or 400 when the
 * body cannot be read, 400 when a signed body — JSON, or a form's `payload`
 * — is not an object. Unsigned and unparseable bodies go on to Bolt, which
 * answers them (401, 400).
 */
async function refusal(req: IncomingMessage, signingSecret: string): Promise<{ status: number; problem: string } | undefined> {
  let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.bufferIncomingMessage>>;
  try {
    buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit);
  } catch (err) {
    const tooLarge = HTTPModuleFunctions.isRawBodyError(err) && err.statusCode === 413;
    return tooLarge ? { status: 413, problem: 'the body is too large' } : { status: 400, problem: `the body could not be read: ${describe(err)}` };
  }
  let body: unknown;
  try {
    await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ signingSecret }, buffered);
    body = HTTPModuleFunctions.parseHTTPRequestBody(buffered) as unknown;
  } catch {
    return undefined;
  }
  if (asRecord(body)) return undefined;
  return { status: 400, problem: `the signed body is ${body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`}, not an object` };
}
