/**
 * Reaching the Feishu/Lark open platform: the credentials check, who the bot
 * is, the SDK's log, and the long connection.
 *
 * The long connection is the SDK's WSClient: it asks the platform for an
 * endpoint (POST /callback/ws/endpoint with the app's id and secret), opens
 * the WebSocket, pings, answers each event frame with the handler's result,
 * and reconnects by itself when the socket drops. Ready while the socket is
 * up. Should it give up (the platform's retry count ran out), it is started
 * again after a backoff.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import { describe } from '../../src/service/logger.js';
import type { Logger } from '../../src/service/logger.js';
import { backoffDelay, PlatformRejected } from '../platform.js';
import type { LarkEnv } from './env.js';
import { checked, LarkApiError, rateLimitedFor } from './http.js';
import type { BotIdentity } from './inbound.js';

const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';

/** Hides the secrets, and the query of any URL (the long connection's URL carries a ticket), in text a library wrote. */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  return (text) => {
    let out = text.replace(/(\b(?:wss?|https?):\/\/[^\s?"']+)\?[^\s"']*/g, '$1?[redacted]');
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
}

/** The SDK's log, into ours: its errors and warnings as warnings, its information as debug, nothing finer. */
export function sdkLogger(log: Logger, scrub: (text: string) => string): lark.Logger {
  // The SDK logs whatever it has at hand: strings, errors, response objects.
  const line = (args: unknown[]) => scrub(args.flat().map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : safeJson(a))).join(' '));
  const warn = (...args: unknown[]) => log.warn({ source: 'lark-sdk' }, line(args));
  return {
    error: warn,
    warn,
    info: (...args: unknown[]) => log.debug({ source: 'lark-sdk' }, line(args)),
    debug: () => undefined,
    trace: () => undefined,
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Asks for a tenant access token: a platform that refuses the app's id or
 * secret is a PlatformRejected; one that cannot be reached (or answers 5xx,
 * or rate limits) is worth trying again.
 */
export async function checkCredentials(settings: LarkEnv, http: lark.HttpInstance): Promise<void> {
  try {
    const body = checked(TOKEN_PATH, await http.post<Record<string, unknown>>(`${settings.domain}${TOKEN_PATH}`, { app_id: settings.appId, app_secret: settings.appSecret }));
    if (typeof body.tenant_access_token !== 'string') throw new Error('the token request was answered without a tenant_access_token');
  } catch (err) {
    if (err instanceof LarkApiError && rateLimitedFor(err) === undefined && (err.status === 200 || (err.status >= 400 && err.status < 500))) {
      const said = err.code !== undefined ? `code ${err.code}${err.apiMessage ? `: ${err.apiMessage}` : ''}` : `HTTP ${err.status}`;
      throw new PlatformRejected(`Feishu/Lark rejected LARK_APP_ID / LARK_APP_SECRET (${said}). Check both on the app's "Credentials & Basic Info" page, and LARK_DOMAIN (feishu or lark).`, { cause: err });
    }
    throw new Error(`could not reach the Feishu/Lark open platform at ${new URL(settings.domain).origin}: ${describe(err)}`, { cause: err });
  }
}

/** The bot's open id and name (bot/v3/info): how a mention of the bot is recognised. Undefined when the platform does not say. */
export async function botIdentity(client: lark.Client, log: Logger): Promise<BotIdentity | undefined> {
  try {
    const body = checked('bot/v3/info', await client.request<{ bot?: { open_id?: unknown; app_name?: unknown } }>({ method: 'GET', url: '/open-apis/bot/v3/info' }));
    const openId = body.bot?.open_id;
    if (typeof openId === 'string' && openId) return { openId, name: typeof body.bot?.app_name === 'string' && body.bot.app_name ? body.bot.app_name : 'slawatch' };
    log.warn({}, 'lark: bot/v3/info named no open id; commands (@slawatch …) are not recognised until a restart');
  } catch (err) {
    log.warn({ err: describe(err) }, 'lark: could not learn who the bot is (bot/v3/info; is the bot capability enabled?); commands (@slawatch …) are not recognised until a restart');
  }
  return undefined;
}

export interface LongConnectionOptions {
  settings: LarkEnv;
  dispatcher: lark.EventDispatcher;
  http: lark.HttpInstance;
  sdkLog: lark.Logger;
  log: Logger;
  /** After the connection was lost and made again (events of the gap may not come again). */
  onReconnected: () => void;
  /** How long the first connection may take (ms). */
  readyTimeoutMs?: number;
}

export class LongConnection {
  private readonly client: lark.WSClient;
  private connectedOnce = false;
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private first: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(private readonly options: LongConnectionOptions) {
    const { settings, http, sdkLog, log } = options;
    this.client = new lark.WSClient({
      appId: settings.appId,
      appSecret: settings.appSecret,
      domain: settings.domain,
      httpInstance: http,
      logger: sdkLog,
      loggerLevel: lark.LoggerLevel.info,
      autoReconnect: true,
      handshakeTimeoutMs: 10_000,
      onReady: () => {
        this.connectedOnce = true;
        this.restarts = 0;
        this.first?.resolve();
      },
      onError: (err) => this.failed(err),
      onReconnecting: () => {
        if (!this.stopping) log.warn({}, 'lark: long connection lost; the client reconnects by itself');
      },
      onReconnected: () => {
        this.restarts = 0;
        log.info({}, 'lark: long connection made again');
        options.onReconnected();
      },
    });
  }

  /** Connects; resolves once the first connection is up. A refused app is a PlatformRejected. */
  async start(): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.first = { resolve, reject };
        timer = setTimeout(() => reject(new Error(`the long connection did not open within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
        void this.client.start({ eventDispatcher: this.options.dispatcher });
      });
    } catch (err) {
      this.stop();
      throw err;
    } finally {
      clearTimeout(timer);
      this.first = undefined;
    }
  }

  ready(): boolean {
    return !this.stopping && this.client.getConnectionStatus().state === 'connected';
  }

  stop(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.client.close({ force: true });
  }

  /** The client gave up: before the first connection, the start fails; after it, it starts again after a backoff. */
  private failed(err: Error): void {
    if (this.first) {
      // The endpoint's refusals: 514 (authentication failed), 403 (the app may not use the long connection).
      const refused = /code=(403|514)\b/.test(err.message);
      this.first.reject(
        refused
          ? new PlatformRejected(`Feishu/Lark refused the long connection (${err.message}). Check LARK_APP_ID / LARK_APP_SECRET, and that the app subscribes to events "using long connection".`)
          : new Error(`could not open the long connection: ${err.message}`),
      );
      return;
    }
    if (this.stopping || !this.connectedOnce) return;
    const waitMs = backoffDelay(++this.restarts);
    this.options.log.error({ err: err.message, retryInMs: waitMs }, 'lark: the long connection gave up reconnecting; starting it again');
    this.restartTimer = setTimeout(() => {
      if (!this.stopping) void this.client.start({ eventDispatcher: this.options.dispatcher });
    }, waitMs);
    this.restartTimer.unref();
  }
}
