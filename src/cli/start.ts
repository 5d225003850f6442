/**
 * `slawatch start`: the composition root. Loads the config, opens the store,
 * builds the bot, connects the adapters whose tokens are set — or, with none,
 * the shell adapter on the SQLite file — and runs until stopped.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { ShellAdapter } from '../../adapters/shell/shell-adapter.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../config/load.js';
import { Bot } from '../service/bot.js';
import { createLogger } from '../service/logger.js';
import { openStore } from '../store/open.js';

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

export async function startBot(options: StartOptions, io: Io): Promise<void> {
  const { path, bundled } = resolveConfigPath(options.configPath);
  const config = await loadConfigFile(path);
  if (options.storePath) config.store = { ...config.store, backend: 'sqlite', path: options.storePath };

  const platformTokens = ['SLACK_BOT_TOKEN', 'DISCORD_TOKEN'].filter((name) => process.env[name]);
  if (platformTokens.length > 0) {
    throw new Error(`${platformTokens.join(' and ')} ${platformTokens.length > 1 ? 'are' : 'is'} set, but this build runs the shell adapter only; unset ${platformTokens.length > 1 ? 'them' : 'it'} to use the shell`);
  }

  // The shell owns stdout for the conversation; logs go to stderr, quiet unless asked.
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
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

  if (bundled) io.out(`(no config file given: running on the bundled example, ${relative(process.cwd(), path) || path})`);
  if (config.store.backend === 'sqlite') io.out(`(tickets are kept in ${config.store.path})`);
  shell.greet();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      shell.close();
      await bot.stop();
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
