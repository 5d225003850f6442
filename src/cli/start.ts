/**
 * `slawatch start`: the composition root. Loads the config, opens the store,
 * builds the bot, connects the adapters whose tokens are set — or, with none,
 * the shell adapter on the SQLite file — and runs until stopped.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { connectDiscord } from '../../adapters/discord/index.js';
import { ALERTMANAGER_PATH, mountAlertmanagerHook } from '../../adapters/http/alertmanager.js';
import { mountQueuePage } from '../../adapters/http/queue-page.js';
import { HttpServer } from '../../adapters/http/server.js';
import type { PlatformConnection } from '../../adapters/platform.js';
import { ShellAdapter } from '../../adapters/shell/shell-adapter.js';
import { createSlackConnection } from '../../adapters/slack/index.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { PrometheusMetrics } from '../observability/prometheus.js';
import { meteredStore } from '../store/metered.js';
import { Bot } from '../service/bot.js';
import { createLogger, type Logger } from '../service/logger.js';
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

/** The config to run on: the one given, else ./slawatch.yaml, else the bundled example. */
export function resolveConfigPath(given: string | undefined): { path: string; bundled: boolean } {
  if (given) return { path: given, bundled: false };
  if (existsSync('slawatch.yaml')) return { path: 'slawatch.yaml', bundled: false };
  return { path: EXAMPLE_CONFIG_PATH, bundled: true };
}

export async function startBot(options: StartOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { path, bundled } = resolveConfigPath(options.configPath);
  const config = await loadConfigFile(path);
  if (options.storePath) config.store = { ...config.store, backend: 'sqlite', path: options.storePath };
  const platforms = { slack: Boolean(env.SLACK_BOT_TOKEN), discord: Boolean(env.DISCORD_TOKEN) };
  if (platforms.slack || platforms.discord) return startPlatforms(config, platforms, env);
  return startShell(config, options, io, bundled ? path : undefined, env);
}

/** Slack and/or Discord, with health, readiness and metrics on the HTTP port. */
async function startPlatforms(config: Config, platforms: { slack: boolean; discord: boolean }, env: NodeJS.ProcessEnv): Promise<void> {
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'info' });
  const holder: { bot?: Bot } = {};
  const metrics = new PrometheusMetrics(() => holder.bot?.stateSnapshot() ?? { openTicketsByTier: {}, runningClocks: {} });
  const store = meteredStore(await openStore(config.store), metrics);
  // Replicas share a Redis store: they elect a leader and tell each other of ticket changes.
  const coordinator = config.store.backend === 'redis' ? await RedisCoordinator.connect({ url: config.store.url, prefix: config.store.prefix }) : undefined;
  const bot = new Bot({ config, store, logger, ...(coordinator ? { coordinator } : {}) });
  holder.bot = bot;
  bot.useMetrics(metrics);
  const connections: PlatformConnection[] = [];
  const http = new HttpServer({
    port: Number(env.PORT ?? 3000),
    ...(env.HOST ? { host: env.HOST } : {}),
    readiness: [
      { name: 'store', check: () => store.ping() },
      // A replica that does not lead holds no Discord connection; it is ready when what it holds is connected.
      { name: 'platforms', check: async () => connections.every((c) => c.ready()) && (connections.length > 0 || !platforms.slack) },
    ],
    metrics: () => metrics.render(),
  });
  mountQueuePage(http, bot, env, logger);
  mountAlertmanagerHook(http, bot, env, logger);
  if (platforms.discord) {
    // One gateway connection for all replicas: the leader holds it (alone, a process always leads).
    bot.onLeadership(async (leading) => {
      const current = connections.find((c) => c.name === 'discord');
      if (leading && !current) {
        connections.push(await connectDiscord(bot, env, logger));
        await bot.resync(); // Discord's pings can be delivered here now
      } else if (!leading && current) {
        connections.splice(connections.indexOf(current), 1);
        bot.detach('discord');
        await current.stop();
      }
    });
  }
  try {
    // Slack attaches its port before the scheduler starts, so what came due while down finds it.
    if (platforms.slack) connections.push(await createSlackConnection(bot, env, logger, { http }));
    const port = await http.listen();
    logger.info({ port, platforms: Object.keys(platforms).filter((p) => platforms[p as keyof typeof platforms]) }, 'HTTP server listening');
    await bot.start();
  } catch (err) {
    await shutdown(connections, bot, http, store, logger, coordinator);
    throw err;
  }
  await untilSignal(() => shutdown(connections, bot, http, store, logger, coordinator));
}

async function shutdown(connections: PlatformConnection[], bot: Bot, http: HttpServer | undefined, store: TicketStore, logger: Logger, coordinator?: Coordinator): Promise<void> {
  for (const connection of [...connections]) {
    await connection.stop().catch((err: unknown) => logger.warn({ platform: connection.name, err: String(err) }, 'adapter did not stop cleanly'));
  }
  await bot.stop();
  await http?.close();
  await coordinator?.close();
  await store.close();
}

/** Resolves never; on SIGINT/SIGTERM runs `stop` and exits 0. */
function untilSignal(stop: () => Promise<void>): Promise<void> {
  let stopping: Promise<void> | undefined;
  const onSignal = () => {
    stopping ??= stop().then(
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
  // The shell owns stdout for the conversation; logs go to stderr, quiet unless asked.
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'warn' });
  const store = await openStore(config.store);
  const bot = new Bot({ config, store, logger });
  const shell = new ShellAdapter(bot, {
    input: process.stdin,
    output: process.stdout,
    prompt: Boolean(process.stdin.isTTY),
    ...(options.shellAs ? { as: options.shellAs } : {}),
    ...(options.shellChannel ? { channel: options.shellChannel } : {}),
  });
  bot.attach(shell);
  // With PORT set, the HTTP server runs too (health, the queue page), on this machine only unless HOST says otherwise.
  const http = env.PORT ? new HttpServer({ port: Number(env.PORT), host: env.HOST ?? '127.0.0.1', readiness: [{ name: 'store', check: () => store.ping() }] }) : undefined;
  const queuePage = http ? mountQueuePage(http, bot, env, logger) : undefined;
  const hook = http ? mountAlertmanagerHook(http, bot, env, logger) : undefined;

  if (bundledPath) io.out(`(no config file given: running on the bundled example, ${relative(process.cwd(), bundledPath) || bundledPath})`);
  if (config.store.backend === 'sqlite') io.out(`(tickets are kept in ${config.store.path})`);
  if (http) {
    const where = `http://${env.HOST ?? '127.0.0.1'}:${await http.listen()}`;
    io.out(queuePage?.page ? `(queue page: ${where}/queue — sign in with SLAWATCH_QUEUE_TOKEN)` : `(HTTP server on ${where}; queue page off: ${queuePage?.disabled})`);
    if (hook?.enabled) io.out(`(Alertmanager hook: ${where}${ALERTMANAGER_PATH})`);
  }
  shell.greet();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      shell.close();
      await bot.stop();
      await http?.close();
      await store.close();
    })();
    return stopping;
  };
  const onSignal = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  await bot.start();
  await shell.run();
  if (options.keepRunning && !stopping) {
    // Input is over but the clocks are not: keep firing until a signal stops us.
    setInterval(() => undefined, 1 << 30);
    await new Promise<void>(() => undefined);
  }
  await bot.idle();
  await stop();
}
