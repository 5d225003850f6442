/**
 * What `slawatch start` needs from a chat platform adapter: connect it to
 * the bot, report whether it is connected, and stop it.
 */
import type { Bot } from '../src/service/bot.js';
import type { Logger } from '../src/service/logger.js';

export interface PlatformConnection {
  readonly name: string;
  /** True while the platform connection is up (readiness checks). */
  ready(): boolean;
  stop(): Promise<void>;
}

export type Connector = (bot: Bot, env: NodeJS.ProcessEnv, logger: Logger) => Promise<PlatformConnection>;
