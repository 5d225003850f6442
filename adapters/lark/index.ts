/**
 * The Feishu/Lark adapter's entry: `connectLark` (a Connector,
 * adapters/platform.ts) reads and checks the environment, checks the app's
 * credentials, learns who the bot is, attaches the port, catches up on what
 * the bound groups said while the bot was away, and then starts receiving —
 * over the long connection, or on /lark/events in webhook mode. Credentials
 * the platform refuses fail with PlatformRejected; any other failure is one
 * attempt that `slawatch start` makes again.
 */
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { describe } from '../../src/service/logger.js';
import { customerForChannel } from '../../src/service/context.js';
import type { Logger } from '../../src/service/logger.js';
import { Background } from '../common/background.js';
import { ChannelQueues } from '../common/channel-queue.js';
import { CursorBook } from '../common/cursors.js';
import { Reconciler, type ReconcileOptions, type ReconcileReport } from '../common/reconcile.js';
import { KeyedSerial } from '../common/serial.js';
import type { PlatformConnection } from '../platform.js';
import { botIdentity, checkCredentials, LongConnection, scrubber, sdkLogger } from './connection.js';
import type { LarkHost } from './desk.js';
import type { PlatformHost } from '../platform.js';
import { describeLarkEnv, readLarkEnv, secretsOf } from './env.js';
import { eventHandlers, isCommand, type LarkContext } from './events.js';
import { MAX_PAGES, LarkHistory } from './history.js';
import { fetchHttp, rateLimitedFor } from './http.js';
import { LarkPort } from './port.js';
import { LARK_ORDER } from './text.js';
import { Threads } from './threads.js';
import { WebhookReceiver, type SharedHttpServer } from './webhook.js';

/** A message taken but not handled when a later one moved the cursor is found again by reading this much before it. */
const CATCH_UP_OVERLAP_MS = 5 * 60_000;
/** Feishu: 5 messages a second per group, shared by its bots; 50 calls a second per app — kept below both. */
const CHAT_GAP_MS = 220;
const APP_CALLS_PER_SECOND = 40;

export interface LarkConnectOptions {
  /** Webhook mode: serve /lark/events on this server instead of one of the adapter's own. */
  http?: SharedHttpServer;
  reconcile?: ReconcileOptions;
  /** How long the first long connection may take (ms). */
  readyTimeoutMs?: number;
}

export interface LarkConnection extends PlatformConnection {
  readonly port: LarkPort;
  /** What the start-up catch-up found. */
  readonly reconciled: ReconcileReport;
  /** Webhook mode, on a server of its own: where it listens. */
  address(): AddressInfo | undefined;
  /** Resolves once no catch-up, event or answer is in progress (tests, shutdown). */
  settled(): Promise<void>;
}

export async function createLarkConnection(host: LarkHost, env: NodeJS.ProcessEnv, log: Logger, options: LarkConnectOptions = {}): Promise<LarkConnection> {
  const settings = readLarkEnv(env);
  const { desk } = host;
  const scrub = scrubber(secretsOf(settings));
  log.info(describeLarkEnv(settings), 'connecting to Feishu/Lark');
  const http = fetchHttp();
  await checkCredentials(settings, http);
  const sdkLog = sdkLogger(log, scrub);
  const client = new lark.Client({
    appId: settings.appId,
    appSecret: settings.appSecret,
    domain: settings.domain,
    httpInstance: http,
    // A token cache of its own: the SDK's shared one would hand this app's token to another platform URL in the same process.
    cache: new lark.DefaultCache(),
    logger: sdkLog,
    loggerLevel: lark.LoggerLevel.info,
  });
  const identity = await botIdentity(client, log);
  const config = () => desk.config;
  const bound = (chatId: string) => customerForChannel(config(), 'lark', chatId) !== undefined;
  const queues = new ChannelQueues({
    rateLimitedFor,
    minGapMs: CHAT_GAP_MS,
    perSecond: APP_CALLS_PER_SECOND,
    onRateLimited: (lane, seconds) => log.warn({ lane, retryAfterSec: seconds }, 'lark: rate limited; waiting before the next call in this chat'),
  });
  const threads = new Threads();
  const port = new LarkPort({ client, queues, log, config, appId: settings.appId, threads });
  const history = new LarkHistory({ client, queues, log, threads, identity: () => identity, isCommand: (message, words, mentioned) => isCommand(message, words, mentioned, bound(message.chatId)) });
  const serial = new KeyedSerial();
  const background = new Background((err) => log.error({ err: scrub(describe(err)) }, 'lark: handling an event failed'));
  const ctx: LarkContext = { desk, port, log, cursors: new CursorBook(desk, 'lark', LARK_ORDER), serial, background, threads, identity: () => identity };
  const dispatcher = new lark.EventDispatcher({ logger: sdkLog, loggerLevel: lark.LoggerLevel.info }).register(eventHandlers(ctx));

  const chats = () => [...new Set(config().customers.flatMap((c) => c.channels.lark))];
  if (!config().staff.channels.lark) log.warn({}, 'lark: no staff group configured (staff.channels.lark); pings for Feishu/Lark tickets go elsewhere or nowhere');
  if (chats().length === 0) log.warn({}, 'lark: no customer has a Feishu/Lark group (customers[].channels.lark); no ticket will open');

  host.attach(port);
  const reconciler = new Reconciler({
    desk,
    source: history,
    cursors: ctx.cursors,
    channels: chats,
    now: () => desk.now(),
    log,
    overlapMs: options.reconcile?.overlapMs ?? CATCH_UP_OVERLAP_MS,
    maxPages: MAX_PAGES,
    lane: (chatId, work) => serial.run(chatId, work),
    unreadableHint: 'is the bot in the group, with the permission to read all its messages?',
  });
  const catchUp = (reason: string) => void reconciler.run(reason).catch((err: unknown) => log.error({ err: scrub(describe(err)) }, 'lark: catching up failed'));
  let reconciled: ReconcileReport;
  let transport: LongConnection | WebhookReceiver;
  try {
    // Events of the downtime are not all delivered again: catch up on the bound groups first.
    // The host runs it again when the store is back after an outage, and on its interval.
    const runner = { platform: 'lark' as const, run: (reason: string, pass?: { since?: number }) => reconciler.run(reason, pass), progress: () => reconciler.progress() };
    reconciled = host.catchUp ? await host.catchUp.attach(runner) : await reconciler.run('start-up');
    if (settings.mode === 'webhook') {
      transport = new WebhookReceiver({ ...settings, encryptKey: settings.encryptKey as string, verificationToken: settings.verificationToken as string }, dispatcher, log, options.http);
      await transport.start();
    } else {
      transport = new LongConnection({ settings, dispatcher, http, sdkLog, log, onReconnected: () => catchUp('long connection made again'), ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}) });
      await transport.start();
    }
  } catch (err) {
    host.catchUp?.detach('lark');
    host.detach('lark');
    throw err;
  }
  log.info({ mode: settings.mode, bot: identity?.openId, groups: chats().length }, 'Feishu/Lark connected');

  const settled = async () => {
    await reconciler.settled();
    await serial.idle();
    await background.drain();
  };
  let stopping: Promise<void> | undefined;
  return {
    name: 'lark',
    port,
    reconciled,
    address: () => (transport instanceof WebhookReceiver ? transport.address() : undefined),
    ready: () => transport.ready(),
    settled,
    stop() {
      stopping ??= (async () => {
        host.catchUp?.detach('lark');
        await reconciler.stop();
        if (transport instanceof WebhookReceiver) await transport.stop();
        else transport.stop();
        await settled();
      })();
      return stopping;
    },
  };
}

/** The Connector `slawatch start` calls when LARK_APP_ID is set. */
export const connectLark = (host: PlatformHost, env: NodeJS.ProcessEnv, log: Logger, options?: LarkConnectOptions): Promise<LarkConnection> => createLarkConnection(host, env, log, options);
