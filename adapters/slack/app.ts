/**
 * The Bolt app and its transport. HTTP by default: one endpoint,
 * /slack/events, for events, slash commands and interactivity, every request
 * signature-checked by Bolt (unsigned, wrongly signed or more than five
 * minutes old → 401). Socket Mode when SLACK_APP_TOKEN is set.
 *
 * In HTTP mode the app answers after handling (processBeforeResponse), so
 * a crash mid-way makes Slack redeliver rather than lose the message; the
 * handlers bound their wait (context.ts) so the answer is never late.
 *
 * The Web API client rejects a 429 instead of pausing every call: the
 * per-channel queue (channel-queue.ts) waits it out for that channel alone.
 *
 * Bolt's receiver reads fields of the parsed body without checking that it
 * is an object, outside any try: a signed body of `null` would end the
 * process. Signed bodies that are not objects are answered 400 before Bolt
 * sees them (refusal).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPModuleFunctions, HTTPReceiver, SocketModeReceiver, webApi, type Logger as BoltLogger } from '@slack/bolt';
import { describe } from '../../src/service/bot.js';
import { PlatformRejected } from '../platform.js';
import { StoreError } from '../../src/store/ports.js';
import type { Logger } from '../../src/service/logger.js';
import type { WebClient } from './context.js';
import type { SlackEnv } from './env.js';
import { asRecord } from './slack-message.js';

export const EVENTS_PATH = '/slack/events';

export interface BotIdentity {
  userId: string;
  botId?: string;
  teamId?: string;
}

export interface SlackTransport {
  app: App;
  client: WebClient;
  identity: BotIdentity;
  mode: SlackEnv['mode'];
  /** Listens (HTTP) or connects (Socket Mode). */
  start(): Promise<void>;
  stop(): Promise<void>;
  ready(): boolean;
  /** HTTP mode, once started: where the server listens. */
  address(): AddressInfo | undefined;
}

type WebClientOptions = NonNullable<ConstructorParameters<typeof webApi.WebClient>[1]>;

/** Web API options: Slack's URL (or a fake's), few quick retries for network errors, 429s handed to our queue. */
function clientOptions(env: SlackEnv, logger: BoltLogger): WebClientOptions {
  return {
    slackApiUrl: env.apiUrl,
    logger,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000 },
    timeout: 15_000,
  };
}

/** Slack's answers that mean the token itself is refused: trying again cannot help. */
const REJECTED_TOKEN_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'team_disabled',
  'user_removed_from_team',
  'missing_scope',
]);

/** The Slack error code when `err` is Slack refusing the token, else undefined. */
function rejectedToken(err: unknown): string | undefined {
  return err instanceof webApi.WebAPIPlatformError && REJECTED_TOKEN_ERRORS.has(err.data.error) ? err.data.error : undefined;
}

/**
 * Checks the bot token (auth.test) and learns who the bot is. A token Slack
 * refuses is a PlatformRejected; anything else (Slack unreachable, a 5xx,
 * Slack's own transient errors) is worth trying again.
 */
async function identify(env: SlackEnv, logger: BoltLogger): Promise<BotIdentity> {
  const client = new webApi.WebClient(env.botToken, clientOptions(env, logger));
  try {
    const result = await client.auth.test();
    if (!result.user_id) throw new Error('auth.test answered without the bot\'s user id');
    return { userId: result.user_id, ...(result.bot_id ? { botId: result.bot_id } : {}), ...(result.team_id ? { teamId: result.team_id } : {}) };
  } catch (err) {
    const refused = rejectedToken(err);
    if (refused) throw new PlatformRejected(`Slack rejected SLACK_BOT_TOKEN (auth.test: ${refused}). Check the token, and that the app is installed to the workspace.`, { cause: err });
    if (err instanceof webApi.WebAPIPlatformError) throw new Error(`Slack answered auth.test with ${err.data.error}`, { cause: err });
    throw new Error(`could not reach the Slack Web API at ${env.apiUrl} (auth.test): ${describe(err)}`, { cause: err });
  }
}

/** Why Socket Mode could not start: a refused app token stops the start, anything else is tried again. */
function socketStartError(err: unknown): Error {
  const refused = rejectedToken(err);
  if (refused) return new PlatformRejected(`Slack rejected SLACK_APP_TOKEN (apps.connections.open: ${refused}). Check that it is an app-level token with the connections:write scope.`, { cause: err });
  return new Error(`could not open a Socket Mode connection: ${describe(err)}`, { cause: err });
}

/** A server that already listens on the bot's port (health, metrics): Slack's endpoint is mounted on it. */
export interface SharedHttpServer {
  mount(prefix: string, listener: (req: IncomingMessage, res: ServerResponse) => void): void;
}

export async function buildTransport(env: SlackEnv, log: Logger, boltLog: BoltLogger, shared?: SharedHttpServer): Promise<SlackTransport> {
  const identity = await identify(env, boltLog);
  const options = clientOptions(env, boltLog);

  let connected = false;
  let stopping = false;
  let receiver: HTTPReceiver | SocketModeReceiver;
  if (env.mode === 'socket') {
    const socket = new SocketModeReceiver({
      appToken: env.appToken as string,
      logger: boltLog,
      // apps.connections.open goes to SLACK_API_URL too. The Socket Mode client reconnects by itself, and a
      // reconnection whose apps.connections.open gives up is an unhandled rejection that ends the process:
      // never give up on a network failure (1 s doubling to a minute, randomised). A refused app token still
      // fails at once — at start a clear PlatformRejected, in a reconnection the end of the process.
      installerOptions: { clientOptions: { ...options, retryConfig: { retries: 10, forever: true, factor: 2, minTimeout: 1_000, maxTimeout: 60_000, randomize: true } } },
    });
    // The client says `connected` on Slack's hello. A dropped socket says only `close` at once, and
    // `reconnecting` a few seconds later, when it tries again.
    let dropped = false;
    socket.client.on('connected', () => {
      connected = true;
      if (dropped) log.info({}, 'Slack: Socket Mode connected again');
      dropped = false;
    });
    for (const state of ['close', 'disconnected', 'reconnecting', 'disconnecting']) {
      socket.client.on(state, () => {
        if (connected && !stopping && state !== 'disconnecting') {
          dropped = true;
          log.warn({ state }, 'Slack: Socket Mode connection lost; the client reconnects by itself');
        }
        connected = false;
      });
    }
    receiver = socket;
  } else {
    receiver = new HTTPReceiver({
      signingSecret: env.signingSecret as string,
      endpoints: EVENTS_PATH,
      processBeforeResponse: true,
      logger: boltLog,
    });
  }

  const app = new App({
    token: env.botToken,
    receiver,
    botUserId: identity.userId,
    // Known ids spare Bolt its own auth.test; an empty bot id matches no message.
    botId: identity.botId ?? '',
    tokenVerificationEnabled: false,
    deferInitialization: true,
    clientOptions: options,
    logger: boltLog,
    ignoreSelf: true,
    convoStore: false,
  });
  await app.init();
  // A listener that fails is logged and the request still answered (Slack would only redeliver the same
  // failure) — unless the store could not take the event: that request is refused, so Slack redelivers it.
  app.error(async (error) => {
    const original = (error as { original?: unknown }).original ?? error;
    if (original instanceof StoreError) {
      log.warn({ err: describe(original) }, 'store unavailable: event refused, Slack will redeliver it');
      throw error;
    }
    log.error({ err: describe(error) }, 'Slack listener failed');
  });

  let server: Server | undefined;
  let mounted = false;
  return {
    app,
    client: app.client,
    identity,
    mode: env.mode,
    async start() {
      if (receiver instanceof SocketModeReceiver) {
        try {
          await receiver.start();
        } catch (err) {
          throw socketStartError(err);
        }
        return;
      }
      const http = receiver;
      const signingSecret = env.signingSecret as string;
      const serve = (req: IncomingMessage, res: ServerResponse) => void route(http, signingSecret, log, req, res);
      if (shared) {
        // Served on the bot's own HTTP server; answers 503 once stopped, so Slack retries elsewhere or later.
        mounted = true;
        shared.mount(EVENTS_PATH, (req, res) => (mounted ? serve(req, res) : res.writeHead(503).end()));
        return;
      }
      server = createServer(serve);
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject);
        server?.listen(env.port, env.host, () => {
          server?.off('error', reject);
          resolve();
        });
      });
    },
    async stop() {
      if (receiver instanceof SocketModeReceiver) {
        stopping = true;
        await receiver.stop();
        connected = false;
        return;
      }
      mounted = false;
      const closing = server;
      server = undefined;
      if (!closing) return;
      await new Promise<void>((resolve) => {
        closing.close(() => resolve());
        closing.closeIdleConnections();
        // Give requests in flight a moment, then drop what keeps the server open.
        setTimeout(() => closing.closeAllConnections(), 2_000).unref();
      });
    },
    ready() {
      return receiver instanceof SocketModeReceiver ? connected : mounted || Boolean(server?.listening);
    },
    address() {
      const address = server?.address();
      return address && typeof address === 'object' ? address : undefined;
    },
  };
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
