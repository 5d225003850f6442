/**
 * The Slack adapter's entry: `connectSlack` (a Connector, adapters/platform.ts)
 * reads and checks the environment, builds the Bolt app, attaches the Slack
 * port to its host, starts receiving, and catches up on what happened while
 * the bot was down (from the cursors taken before receiving started; the
 * connection's `caughtUp` says when it is done). A token Slack refuses fails with PlatformRejected;
 * any other failure is one attempt that `slawatch start` makes again.
 *
 * Call it before the app starts, or have the app resync once it is
 * connected, so notifications that came due while the bot was down find the port.
 */
import { PlatformRejected, type Connector, type PlatformConnection, type PlatformHost } from '../platform.js';
import { describe, type Logger } from '../../src/service/logger.js';
import { registerActions } from './actions.js';
import { buildSlackApp } from './app.js';
import { boltLogger, libraryLogLevel } from './bolt-logger.js';
import { Background } from '../common/background.js';
import { CursorBook } from '../common/cursors.js';
import { MethodRates } from '../common/method-rates.js';
import { Reconciler, type ReconcileOptions, type ReconcileReport } from '../common/reconcile.js';
import { ChannelQueues, rateLimitedFor } from './channel-queue.js';
import { registerCommands } from './commands.js';
import type { SlackContext } from './context.js';
import { describeSlackEnv, readSlackEnv } from './env.js';
import { registerEvents } from './events.js';
import { MAX_PAGES, SLACK_READ_TIERS, SlackHistory } from './history.js';
import { registerHome } from './home.js';
import type { SharedHttpServer } from './http-transport.js';
import { SlackPort } from './port.js';
import type { AuthorFacts } from './slack-message.js';
import { StaffDirectory } from './staff.js';
import { SLACK_ORDER } from './text.js';
import type { SlackTransport } from './transport.js';

export { SlackEnvError } from './env.js';

/** A message acknowledged but not handled when a later one moved the cursor is found again by reading this much before it. */
const CATCH_UP_OVERLAP_MS = 5 * 60_000;

export interface SlackConnection extends PlatformConnection {
  readonly transport: SlackTransport;
  readonly context: SlackContext;
  /** What the start-up catch-up found (once `caughtUp` has resolved). */
  readonly reconciled: ReconcileReport;
  /** Resolves when the start-up catch-up, which runs while events are already received, has ended. */
  readonly caughtUp: Promise<ReconcileReport>;
  /** Catches up on every bound channel now (the app also runs it when the store is back and on its interval). */
  catchUp(reason: string, options?: { since?: number }): Promise<ReconcileReport>;
  /** Read calls made and 429s received, by method. */
  readonly rates: MethodRates;
}

export interface SlackConnectOptions {
  /** Serve Slack's endpoint on this server instead of a server of the adapter's own. */
  http?: SharedHttpServer;
  /** How often staff user groups are re-read (ms; default 5 min). */
  staffRefreshMs?: number;
  reconcile?: ReconcileOptions & {
    /** Channels read side by side (default 4); the method tiers still pace the calls. */
    concurrency?: number;
  };
  /** Slack's rate tiers as the adapter keeps them: the "minute" (ms; default 60 000) and limits other than SLACK_READ_TIERS — benches shrink the minute along with the fake Slack's. */
  rateTiers?: { windowMs?: number; marginMs?: number; limits?: Record<string, number> };
}

export async function createSlackConnection(host: PlatformHost, env: NodeJS.ProcessEnv, logger: Logger, options: SlackConnectOptions = {}): Promise<SlackConnection> {
  const { desk } = host;
  const settings = readSlackEnv(env);
  logger.info(describeSlackEnv(settings), 'connecting to Slack');
  const { app, client, identity, transport } = await buildSlackApp(settings, logger, boltLogger(logger, libraryLogLevel(env.SLACK_LOG_LEVEL)), options.http);

  const staff = new StaffDirectory(client, desk.config.staff.slackGroups, logger, options.staffRefreshMs);
  await staff.start();
  const facts: AuthorFacts = {
    botUserId: identity.userId,
    ...(identity.botId ? { botId: identity.botId } : {}),
    groupsOf: (userId) => staff.groupsOf(userId),
    teamOf: (userId) => staff.teamOf(userId),
    noteTeam: (userId, team) => staff.noteTeam(userId, team),
    markGuest: (author) => staff.markGuest(author, desk.config),
  };
  const queues = new ChannelQueues({
    onRateLimited: (lane, seconds) => logger.warn({ lane, retryAfterSec: seconds }, 'Slack rate limit: waiting before the next call in this channel'),
  });
  const rates = new MethodRates({
    limits: { ...SLACK_READ_TIERS, ...options.rateTiers?.limits },
    ...(options.rateTiers?.windowMs !== undefined ? { windowMs: options.rateTiers.windowMs } : {}),
    ...(options.rateTiers?.marginMs !== undefined ? { marginMs: options.rateTiers.marginMs } : {}),
    rateLimitedFor,
    onRateLimited: (method, seconds) => logger.warn({ method, retryAfterSec: seconds }, 'Slack rate limit: waiting before the next call of this method'),
  });
  const port = new SlackPort({ client, queues, log: logger, config: () => desk.config });
  const context: SlackContext = {
    desk,
    client,
    log: logger,
    staff,
    queues,
    rates,
    facts,
    cursors: new CursorBook(desk, 'slack', SLACK_ORDER),
    background: new Background((err) => logger.error({ err: describe(err) }, 'Slack handler failed')),
    port,
  };
  host.attach(port);
  registerEvents(app, context);
  registerCommands(app, context);
  registerActions(app, context);
  registerHome(app, context);

  // Bolt acknowledges an event before it is handled, and Slack stops redelivering after a few minutes: catch up from history.
  const reconciler = new Reconciler({
    desk,
    source: new SlackHistory({ client, queues, rates, facts, log: logger }),
    cursors: context.cursors,
    channels: () => desk.config.customers.flatMap((c) => c.channels.slack),
    now: () => desk.now(),
    log: logger,
    overlapMs: options.reconcile?.overlapMs ?? CATCH_UP_OVERLAP_MS,
    maxPages: MAX_PAGES,
    unreadableHint: 'is the bot a member, with the history scopes?',
    concurrency: options.reconcile?.concurrency ?? 4,
  });
  let from: ReadonlyMap<string, string> | undefined;
  const runner = {
    platform: 'slack' as const,
    run: (reason: string, pass: { since?: number } = {}) => {
      // The start-up pass reads from the cursors as they were before events were received.
      const first = from;
      from = undefined;
      return reconciler.run(reason, { ...pass, ...(first ? { from: first } : {}) });
    },
    progress: () => reconciler.progress(),
  };
  let reconciled: ReconcileReport = { channels: 0, messages: 0, failed: [] };
  let caughtUp: Promise<ReconcileReport>;
  try {
    // Receiving starts first (a pass over thousands of channels takes many minutes within Slack's rate tiers, and
    // events meanwhile must not wait); the pass reads from the cursors taken before, so no live event moves one
    // past what it has yet to read. The host runs it again when the store is back after an outage, and on its interval.
    from = await reconciler.cursorsNow();
    await transport.start();
    caughtUp = (host.catchUp ? host.catchUp.attach(runner) : runner.run('start-up')).then((report) => (reconciled = report));
    caughtUp.catch((err: unknown) => logger.error({ err: describe(err) }, 'Slack: catching up on the channels at start-up failed; the next pass tries again'));
  } catch (err) {
    staff.stop();
    host.catchUp?.detach('slack');
    host.detach('slack');
    if (err instanceof PlatformRejected) throw err;
    throw new Error(`could not start receiving from Slack: ${describe(err)}`, { cause: err });
  }
  const where = transport.address();
  logger.info({ mode: transport.mode, ...(where ? { port: where.port } : {}), bot: identity.userId }, 'Slack connected');

  let stopping: Promise<void> | undefined;
  return {
    name: 'slack',
    transport,
    context,
    get reconciled() {
      return reconciled;
    },
    caughtUp: caughtUp.catch(() => reconciled),
    rates,
    catchUp: (reason, pass) => reconciler.run(reason, pass),
    ready: () => transport.ready(),
    stop() {
      stopping ??= (async () => {
        host.catchUp?.detach('slack');
        rates.stop(); // a catch-up pass waiting on a rate window ends now, not a minute later
        await reconciler.stop();
        await transport.stop().catch((err: unknown) => logger.warn({ err: describe(err) }, 'Slack receiver did not stop cleanly'));
        await context.background.drain();
        staff.stop();
      })();
      return stopping;
    },
  };
}

/** The Connector `slawatch start` calls when SLACK_BOT_TOKEN is set. */
export const connectSlack: Connector = (host, env, logger) => createSlackConnection(host, env, logger);
