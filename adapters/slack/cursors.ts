/**
 * Reconciliation cursors: per bound channel, the newest message ts the bot
 * has handled, kept in the store (bot.getCursor / setCursor) so that after
 * downtime reconcile.ts reads the channel's history from there. A cursor
 * only moves forward.
 */
import type { Bot } from '../../src/service/bot.js';
import { compareTs } from './text.js';

export class CursorBook {
  private readonly known = new Map<string, string | undefined>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly bot: Pick<Bot, 'getCursor' | 'setCursor'>) {}

  async get(channelId: string): Promise<string | undefined> {
    if (!this.known.has(channelId)) this.known.set(channelId, await this.bot.getCursor('slack', channelId));
    return this.known.get(channelId);
  }

  /** Moves the channel's cursor to `ts` if that is newer. Calls for one channel run one after another. */
  advance(channelId: string, ts: string): Promise<void> {
    const previous = this.chains.get(channelId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const current = await this.get(channelId);
      if (current !== undefined && compareTs(ts, current) <= 0) return;
      await this.bot.setCursor('slack', channelId, ts);
      this.known.set(channelId, ts);
    });
    const settled = next.catch(() => undefined);
    this.chains.set(channelId, settled);
    void settled.then(() => {
      if (this.chains.get(channelId) === settled) this.chains.delete(channelId);
    });
    return next;
  }
}
