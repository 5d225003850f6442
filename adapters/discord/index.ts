/**
 * `connectDiscord`: slawatch as a Discord bot. Reads and checks the
 * environment, builds the client, attaches the port to its host (so the desk can post),
 * listens for messages and interactions, logs in, and catches up on what
 * was posted while the bot was away. A login Discord refuses (the token, the
 * intents) fails with PlatformRejected; any other failure is one attempt
 * that `slawatch start` makes again. Reconnection of a live session is
 * discord.js's job; when a session could not be resumed, the adapter
 * reconciles again.
 */
import { DiscordAPIError, DiscordjsError, DiscordjsErrorCodes, Events, RESTEvents, type Client } from 'discord.js';
import { PlatformRejected, type Connector, type PlatformConnection, type PlatformHost } from '../platform.js';
import { Background } from '../common/background.js';
import { CursorBook } from '../common/cursors.js';
import { Reconciler } from '../common/reconcile.js';
import { describe, redactSecrets, type Logger } from '../../src/service/logger.js';
import { ChannelMap } from './channel-map.js';
import { createDiscordClient } from './client.js';
import { readDiscordEnv } from './env.js';
import { MessageIntake } from './events.js';
import { Interactions } from './interactions.js';
import { DiscordPort } from './port.js';
import { DiscordHistory } from './reconcile.js';
import { ThreadArchiver } from './archive.js';
import { auditTickets } from './tickets-audit.js';
import { DiscordRenderer } from './render.js';
import { RoleDirectory } from './roles.js';
import { KeyedSerial } from '../common/serial.js';
import { DISCORD_ORDER } from './snowflake.js';

export interface DiscordOptions {
  /** How long a command may take before its answer is deferred (ms). */
  quickReplyMs?: number;
  /** How long to wait for the gateway at start-up (ms). */
  readyTimeoutMs?: number;
  /** How long after a ticket closes its thread is archived (ms; default 2 s). */
  archiveDelayMs?: number;
}

export interface DiscordConnection extends PlatformConnection {
  readonly client: Client;
  /** Resolves once no reconciliation, message, slow command answer or post of the adapter is in progress (tests, shutdown). */
  settled(): Promise<void>;
}

export const connectDiscord: Connector = (host, env, logger) => startDiscord(host, env, logger);

export async function startDiscord(host: PlatformHost, env: NodeJS.ProcessEnv, log: Logger, options: DiscordOptions = {}): Promise<DiscordConnection> {
  const { desk } = host;
  const settings = readDiscordEnv(env);
  const hide = (text: string) => redactSecrets(text.split(settings.token).join('[redacted]'));
  const client = createDiscordClient(settings);
  const channels = new ChannelMap(desk.config, client, settings.guildId);
  const renderer = new DiscordRenderer(desk.config, channels);
  const roles = new RoleDirectory(client, channels, log);
  const cursors = new CursorBook(desk, 'discord', DISCORD_ORDER);
  const serial = new KeyedSerial();
  const intake = new MessageIntake({ desk, client, channels, roles, cursors, serial, log });
  const reconciler = new Reconciler({
    desk,
    source: new DiscordHistory({ client, channels, roles, log }),
    cursors,
    channels: () => channels.boundChannels,
    now: () => desk.now(),
    log,
    lane: (channelId, work) => serial.run(channelId, work),
  });
  const background = new Background((err) => log.error({ err: hide(describe(err)) }, 'discord: interaction failed'));
  const archiver = new ThreadArchiver({ client, log, ...(options.archiveDelayMs !== undefined ? { archiveDelayMs: options.archiveDelayMs } : {}) });
  const unsubscribe = desk.onTicketChanged((ticket) => archiver.changed(ticket));
  /**
   * A pass over the channels, then the live tickets' messages compared with Discord's (edits and deletions made
   * while away) — not after a periodic pass: the gateway delivered those live, and the comparison costs REST calls
   * per open ticket.
   */
  const catchUpAll = async (reason: string, pass: { since?: number; periodic?: boolean } = {}) => {
    const report = await reconciler.run(reason, pass.since !== undefined ? { since: pass.since } : {});
    if (!pass.periodic) await auditTickets({ desk, client, serial, log });
    return report;
  };
  const interactions = new Interactions({ desk, channels, renderer, roles, log, background, ...(options.quickReplyMs !== undefined ? { quickReplyMs: options.quickReplyMs } : {}) });

  if (!desk.config.staff.channels.discord) log.warn({}, 'discord: no staff channel configured (staff.channels.discord); pings for Discord tickets go elsewhere or nowhere');
  if (channels.boundChannels.length === 0) log.warn({}, 'discord: no customer has a Discord channel (customers[].channels.discord); no ticket will open');

  host.attach(new DiscordPort({ client, config: desk.config, channels, renderer, log }));
  intake.listen();
  interactions.listen(client);
  for await (const ticket of desk.activeTickets('discord')) channels.rememberThread(ticket.threadId, ticket.channelId, false);

  let connected = false;
  let sessions = 0;
  let stopping = false;
  const catchUp = (reason: string) => void catchUpAll(reason).catch((err: unknown) => log.error({ err: hide(describe(err)) }, 'discord: reconciliation failed'));
  client.on(Events.ShardReady, (shard) => {
    connected = true;
    log.info({ shard }, 'discord: gateway session ready');
    // A session after the first one replaces a session that could not be resumed: its missed events
    // were not replayed, so read them over REST. (The first one is caught up on after login.)
    if (++sessions > 1) catchUp('new gateway session');
  });
  client.on(Events.ShardResume, (shard, replayed) => {
    connected = true;
    log.info({ shard, replayed }, 'discord: gateway session resumed');
  });
  client.on(Events.ShardReconnecting, (shard) => {
    connected = false;
    if (!stopping) log.warn({ shard }, 'discord: gateway disconnected; reconnecting');
  });
  client.on(Events.ShardDisconnect, (event, shard) => {
    connected = false;
    log.error({ shard, code: event.code }, 'discord: gateway closed for good (check the token and the enabled intents)');
  });
  client.on(Events.ShardError, (err, shard) => log.warn({ shard, err: hide(describe(err)) }, 'discord: gateway error'));
  client.on(Events.Error, (err) => log.error({ err: hide(describe(err)) }, 'discord: client error'));
  client.on(Events.Warn, (message) => log.warn({ detail: hide(message) }, 'discord: warning'));
  client.rest.on(RESTEvents.RateLimited, (info) => log.warn({ route: info.route, retryAfterMs: info.retryAfter, global: info.global }, 'discord: rate limited; requests wait in the queue'));

  try {
    await withTimeout(client.login(settings.token), options.readyTimeoutMs ?? 120_000, 'the Discord gateway did not become ready');
    // The host runs it again when the store is back after an outage, and on its interval.
    const runner = { platform: 'discord' as const, run: catchUpAll, progress: () => reconciler.progress() };
    if (host.catchUp) await host.catchUp.attach(runner);
    else await catchUpAll('start-up');
  } catch (err) {
    stopping = true;
    unsubscribe();
    archiver.stop();
    host.catchUp?.detach('discord');
    host.detach('discord');
    await client.destroy().catch(() => undefined);
    throw loginError(err, hide);
  }
  log.info({ user: client.user?.id, application: settings.applicationId, channels: channels.boundChannels.length }, 'discord: connected');

  const settled = async () => {
    await reconciler.settled();
    await serial.idle();
    await background.drain();
    await archiver.settled();
  };
  return {
    name: 'discord',
    client,
    ready: () => connected && client.isReady(),
    settled,
    async stop() {
      host.catchUp?.detach('discord');
      unsubscribe();
      archiver.stop();
      await reconciler.stop();
      await settled();
      // Deliver what is queued while REST still has its token (destroying the client clears it).
      await host.flush().catch((err: unknown) => log.warn({ err: hide(describe(err)) }, 'discord: could not deliver queued messages before stopping'));
      stopping = true;
      connected = false;
      await client.destroy();
    },
  };
}

/**
 * A token Discord refuses (401 on REST, or the gateway's "Authentication
 * failed") or intents it does not allow stop the start: trying again cannot
 * help. Anything else (Discord unreachable, a 5xx, a gateway that never
 * became ready) is worth trying again.
 */
function loginError(err: unknown, hide: (text: string) => string): Error {
  const rejectedToken =
    (err instanceof DiscordjsError && err.code === DiscordjsErrorCodes.TokenInvalid) ||
    (err instanceof DiscordAPIError && err.status === 401) ||
    (err instanceof Error && err.message === 'Authentication failed');
  if (rejectedToken) {
    return new PlatformRejected('Discord rejected DISCORD_TOKEN (401 Unauthorized). Copy the bot token again from the Developer Portal (Bot → Reset Token).', { cause: err });
  }
  if (err instanceof Error && /disallowed intents/i.test(err.message)) {
    return new PlatformRejected('Discord refused the Message Content intent. Turn it on in the Developer Portal (Bot → Privileged Gateway Intents).', { cause: err });
  }
  return new Error(`Discord login failed: ${hide(describe(err))}`);
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${Math.round(ms / 1000)} s`)), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
