/**
 * `slawatch start`: the composition root. Loads the config, opens the store,
 * builds the app, connects the adapters whose tokens are set — or, with none,
 * the shell adapter on the SQLite file — and runs until stopped.
 */
import { relative } from 'node:path';
import { connectDiscord } from '../../adapters/discord/index.js';
import { ALERTMANAGER_PATH, mountAlertmanagerHook } from '../../adapters/http/alertmanager.js';
import { mountQueuePage } from '../../adapters/http/queue-page.js';
import { HttpServer } from '../../adapters/http/server.js';
import { PlatformLink, type PlatformRejected } from '../../adapters/platform.js';
import { ShellAdapter } from '../../adapters/shell/shell-adapter.js';
import { createSlackConnection } from '../../adapters/slack/index.js';
import { readSlackEnv, type SlackEnv } from '../../adapters/slack/env.js';
import { readDiscordEnv, type DiscordEnv } from '../../adapters/discord/env.js';
import { connectLark } from '../../adapters/lark/index.js';
import { readLarkEnv, type LarkEnv } from '../../adapters/lark/env.js';
import { EVENTS_PATH as LARK_EVENTS_PATH } from '../../adapters/lark/webhook.js';
import { readOutbound, type Outbound } from '../../adapters/outbound/index.js';
import { checkLinkOptions, type LinkOptions } from '../report/links.js';
import { loadConfigFile, resolveConfigPath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { PrometheusMetrics } from '../observability/prometheus.js';
import { meteredStore } from '../store/metered.js';
import { App } from '../app/app.js';
import { createLogger, describe, type Logger } from '../service/logger.js';
import type { Coordinator } from '../store/coordination.js';
import { openStore } from '../store/open.js';
import { RedisCoordinator } from '../store/redis-coordination.js';
import type { TicketStore } from '../store/ports.js';

export interface StartOptions {
  configPath?: string;
  storePath?: string;
  shellAs?: string;
  shellChannel?: string;
  /** Shell: keep running after the input ends (so timers keep firing). */
  keepRunning?: boolean;
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function startBot(options: StartOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { path, bundled } = resolveConfigPath(options.configPath);
  const config = await loadConfigFile(path);
  if (options.storePath) config.store = { ...config.store, backend: 'sqlite', path: options.storePath };
  const platforms = readPlatforms(env);
  if (platforms.slack || platforms.discord || platforms.lark) return startPlatforms(config, platforms, env);
  return startShell(config, options, io, bundled ? path : undefined, env);
}

/** The chat platforms whose tokens are set, with their settings. */
interface Platforms {
  slack?: SlackEnv;
  discord?: DiscordEnv;
  lark?: LarkEnv;
}

/** Reads and checks every set platform's variables: any problem stops the start before anything runs. */
function readPlatforms(env: NodeJS.ProcessEnv): Platforms {
  const platforms: Platforms = {};
  const problems: string[] = [];
  const read = <T>(variable: string, check: (env: NodeJS.ProcessEnv) => T): T | undefined => {
    if (!env[variable]?.trim()) return undefined;
    try {
      return check(env);
    } catch (err) {
      problems.push(describe(err));
      return undefined;
    }
  };
  const slack = read('SLACK_BOT_TOKEN', readSlackEnv);
  if (slack) platforms.slack = slack;
  const discord = read('DISCORD_TOKEN', readDiscordEnv);
  if (discord) platforms.discord = discord;
  const lark = read('LARK_APP_ID', readLarkEnv);
  if (lark) platforms.lark = lark;
  if (problems.length) throw new Error(problems.join('\n'));
  return platforms;
}

/** One line per platform, said at start: on and how, or off and why. */
function platformLines(platforms: Platforms, replicated: boolean): { platform: string; on: boolean; line: string }[] {
  const { slack, discord, lark } = platforms;
  const chat = Boolean(slack || discord || lark);
  return [
    slack
      ? { platform: 'slack', on: true, line: `Slack: on (${slack.mode === 'socket' ? 'Socket Mode' : `HTTP mode on port ${slack.port}`})` }
      : { platform: 'slack', on: false, line: 'Slack: off — SLACK_BOT_TOKEN not set' },
    discord
      ? { platform: 'discord', on: true, line: `Discord: on${replicated ? ' (the leading replica holds the gateway connection)' : ''}` }
      : { platform: 'discord', on: false, line: 'Discord: off — DISCORD_TOKEN not set' },
    lark
      ? { platform: 'lark', on: true, line: `Feishu/Lark: on (${lark.mode === 'webhook' ? `webhook mode: ${LARK_EVENTS_PATH} on port ${lark.port}` : 'long connection'})` }
      : { platform: 'lark', on: false, line: 'Feishu/Lark: off — LARK_APP_ID not set' },
    chat ? { platform: 'shell', on: false, line: 'shell: off — a chat token is set' } : { platform: 'shell', on: true, line: 'shell: on (no chat token set)' },
  ];
}

/** Ticket links in e-mails, webhook bodies and pager events: the same variables as the queue page's (a bad value is left out). */
function linkOptions(env: NodeJS.ProcessEnv): LinkOptions {
  const links: LinkOptions = {};
  if (env.SLAWATCH_SLACK_WORKSPACE) links.slackWorkspace = env.SLAWATCH_SLACK_WORKSPACE;
  const guild = env.SLAWATCH_DISCORD_GUILD ?? env.DISCORD_GUILD_ID;
  if (guild) links.discordGuild = guild;
  return checkLinkOptions(links) ? {} : links;
}

/** How long the scheduler waits at most for the first attempt of Slack and Feishu/Lark to connect. */
const HEAD_START_MS = 15_000;

/** Slack, Discord and/or Feishu/Lark, with health, readiness and metrics on the HTTP port. */
async function startPlatforms(config: Config, platforms: Platforms, env: NodeJS.ProcessEnv): Promise<void> {
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'info' });
  logUnhandledRejections(logger);
  const replicated = config.store.backend === 'redis';
  for (const { platform, on, line } of platformLines(platforms, replicated)) logger.info({ platform, on }, line);
  const outbound = readOutbound(config, env);
  for (const line of outbound.lines) logger.info({}, line);
  for (const warning of outbound.warnings) logger.warn({}, warning);
  const holder: { app?: App } = {};
  const metrics = new PrometheusMetrics(() => holder.app?.stateSnapshot() ?? { openTicketsByTier: {}, runningClocks: {} });
  const store = meteredStore(await openStore(config.store), metrics);
  // Replicas share a Redis store: they elect a leader and tell each other of ticket changes.
  const coordinator = replicated ? await RedisCoordinator.connect({ url: config.store.url, prefix: config.store.prefix }) : undefined;
  const app = new App({ config, store, logger, links: linkOptions(env), ...(coordinator ? { coordinator } : {}) });
  holder.app = app;
  app.useMetrics(metrics);
  for (const port of outbound.ports) app.attachOutbound(port);

  // A platform that rejects the credentials stops the process; one that cannot be reached is tried again.
  let rejected!: (err: PlatformRejected) => void;
  const failed = new Promise<never>((_, reject) => (rejected = reject));
  failed.catch(() => undefined); // handled where the start waits on it
  // From the moment the scheduler starts deriving deadlines, a platform that connects has them derived again.
  let scheduling = false;
  let started = false;
  const http: HttpServer = new HttpServer({
    port: Number(env.PORT ?? 3000),
    ...(env.HOST ? { host: env.HOST } : {}),
    readiness: [
      // Once the store's own probe has seen it go, say so at once rather than wait out a ping to a hung server.
      { name: 'store', check: async () => (holder.app?.storeHealth.isUp ?? true) && (await store.ping(), true) },
      ...(platforms.slack ? [{ name: 'slack', check: async () => slack?.ready() ?? false }] : []),
      ...(platforms.lark ? [{ name: 'lark', check: async () => lark?.ready() ?? false }] : []),
      // One gateway connection for all replicas: the leader holds it; a replica that does not lead is not waiting for it.
      ...(platforms.discord ? [{ name: 'discord', check: async () => started && (!app.isLeader || (discord?.ready() ?? false)) }] : []),
    ],
    metrics: () => metrics.render(),
  });
  const slack: PlatformLink | undefined = platforms.slack
    ? new PlatformLink('Slack', {
        connect: () => createSlackConnection(app, env, logger, { http }),
        log: logger,
        // Connected after the scheduler started: what came due meanwhile can go out now.
        onConnected: async () => {
          if (scheduling) await app.resync();
        },
        onRejected: rejected,
      })
    : undefined;
  const discord: PlatformLink | undefined = platforms.discord
    ? new PlatformLink('Discord', { connect: () => connectDiscord(app, env, logger), log: logger, onConnected: () => app.resync(), onRejected: rejected })
    : undefined;
  // Every replica holds its own long connection; the platform delivers each event to one of them.
  const lark: PlatformLink | undefined = platforms.lark
    ? new PlatformLink('Feishu/Lark', {
        connect: () => connectLark(app, env, logger, { http }),
        log: logger,
        onConnected: async () => {
          if (scheduling) await app.resync();
        },
        onRejected: rejected,
      })
    : undefined;
  const links = [slack, discord, lark].filter((link) => link !== undefined);
  mountQueuePage(http, app.desk, env, logger);
  mountAlertmanagerHook(http, app.desk, env, logger);
  if (discord) {
    app.onLeadership(async (leading) => {
      if (leading) {
        void discord.start();
        return;
      }
      app.detach('discord');
      await discord.stop();
      app.detach('discord'); // an attempt under way when leadership went may have attached it again
    });
  }
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= shutdown(links, app, http, store, logger, coordinator, outbound));
  try {
    const port = await http.listen();
    logger.info({ port, platforms: Object.keys(platforms) }, 'HTTP server listening');
    // Slack and Feishu/Lark connected before the scheduler starts spares deriving every deadline twice; one
    // that takes longer (still trying, or a connection that waits) does not hold the rest back.
    const early = [slack, lark].filter((link) => link !== undefined);
    if (early.length) await Promise.race([Promise.all(early.map((link) => link.start())), failed, new Promise((resolve) => setTimeout(resolve, HEAD_START_MS).unref())]);
    scheduling = true;
    await Promise.race([app.start(), failed]);
    started = true;
    await Promise.race([untilSignal(stop), failed]);
  } catch (err) {
    await stop();
    throw err;
  }
}

async function shutdown(
  links: PlatformLink[],
  app: App,
  http: HttpServer | undefined,
  store: TicketStore,
  logger: Logger,
  coordinator: Coordinator | undefined,
  outbound: Outbound,
): Promise<void> {
  for (const link of links) {
    await link.stop().catch((err: unknown) => logger.warn({ platform: link.name, err: String(err) }, 'adapter did not stop cleanly'));
  }
  await app.stop();
  outbound.close();
  await http?.close();
  await coordinator?.close();
  await store.close();
}

/**
 * A promise a library let fall (Bolt's receiver handles each request in a
 * promise nobody awaits) is logged; it does not end the process, so no
 * request, whatever its body, can stop the bot.
 */
function logUnhandledRejections(logger: Logger): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: describe(reason) }, 'unhandled rejection (the bot keeps running)'));
}

/** Resolves never; on SIGINT/SIGTERM runs `stop` and exits 0. */
function untilSignal(stop: () => Promise<void>): Promise<void> {
  const onSignal = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return new Promise<void>(() => undefined);
}

/** No chat tokens: the terminal chat on the SQLite store. */
async function startShell(config: Config, options: StartOptions, io: Io, bundledPath: string | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  // The shell owns stdout for the conversation; logs go to stderr as plain sentences, quiet unless asked.
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'warn', format: 'text' });
  const outbound = readOutbound(config, env);
  for (const warning of outbound.warnings) logger.warn({}, warning);
  const store = await openStore(config.store);
  const app = new App({ config, store, logger, links: linkOptions(env) });
  for (const port of outbound.ports) app.attachOutbound(port);
  const shell = new ShellAdapter(app.desk, {
    input: process.stdin,
    output: process.stdout,
    prompt: Boolean(process.stdin.isTTY),
    ...(options.shellAs ? { as: options.shellAs } : {}),
    ...(options.shellChannel ? { channel: options.shellChannel } : {}),
  });
  app.attach(shell);
  // With PORT set, the HTTP server runs too (health, the queue page), on this machine only unless HOST says otherwise.
  const http = env.PORT ? new HttpServer({ port: Number(env.PORT), host: env.HOST ?? '127.0.0.1', readiness: [{ name: 'store', check: () => store.ping() }] }) : undefined;
  const queuePage = http ? mountQueuePage(http, app.desk, env, logger) : undefined;
  const hook = http ? mountAlertmanagerHook(http, app.desk, env, logger) : undefined;

  if (bundledPath) io.out(`(no config file given: running on the bundled example, ${relative(process.cwd(), bundledPath) || bundledPath})`);
  if (config.store.backend === 'sqlite') io.out(`(tickets are kept in ${config.store.path})`);
  if (http) {
    const where = `http://${env.HOST ?? '127.0.0.1'}:${await http.listen()}`;
    io.out(queuePage?.page ? `(queue page: ${where}/queue — sign in with SLAWATCH_QUEUE_TOKEN)` : `(HTTP server on ${where}; queue page off: ${queuePage?.disabled})`);
    if (hook?.enabled) io.out(`(Alertmanager hook: ${where}${ALERTMANAGER_PATH})`);
  }
  for (const { line } of platformLines({}, false)) io.out(line);
  for (const line of outbound.lines) io.out(line);
  shell.greet();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      shell.close();
      await app.stop();
      outbound.close();
      await http?.close();
      await store.close();
    })();
    return stopping;
  };
  const onSignal = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  await app.start();
  await shell.run();
  if (options.keepRunning && !stopping) {
    // Input is over but the clocks are not: keep firing until a signal stops us.
    setInterval(() => undefined, 1 << 30);
    await new Promise<void>(() => undefined);
  }
  await app.idle();
  await stop();
}
