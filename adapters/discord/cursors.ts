/**
 * The last message id seen per Discord channel (a customer channel or a
 * ticket thread), kept in the store through the bot, so reconciliation after
 * downtime starts where the bot stopped reading. Cursors only move forward.
 */
import type { Bot } from '../../src/service/bot.js';
import { compareSnowflakes } from './snowflake.js';

export class Cursors {
  private readonly known = new Map<string, string>();

  constructor(private readonly bot: Bot) {}

  async get(channelId: string): Promise<string | undefined> {
    const cached = this.known.get(channelId);
    if (cached) return cached;
    const stored = await this.bot.getCursor('discord', channelId);
    if (stored) this.known.set(channelId, stored);
    return stored;
  }

  async advance(channelId: string, messageId: string): Promise<void> {
    const current = await this.get(channelId);
    if (current && compareSnowflakes(messageId, current) <= 0) return;
    this.known.set(channelId, messageId);
    await this.bot.setCursor('discord', channelId, messageId);
  }
}
