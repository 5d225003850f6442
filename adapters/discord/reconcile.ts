/**
 * Catching up after time away. At start-up, and whenever the gateway starts
 * a new session (the old one could not be resumed, so its missed events are
 * gone), the bot reads over REST what was posted since the last message it
 * saw: in every bound customer channel and in the thread of every ticket
 * still active. Each message goes through the same intake as a live one,
 * with its own timestamp; message-id dedup makes a second sight harmless.
 */
import { DiscordAPIError, Routes, type Client } from 'discord.js';
import type { Bot } from '../../src/service/bot.js';
import { describe } from '../../src/service/bot.js';
import type { Logger } from '../../src/service/logger.js';
import type { CursorBook } from '../common/cursors.js';
import type { ChannelMap } from './channel-map.js';
import type { MessageIntake } from './events.js';
import { asWireMessage, type WireMessage } from './inbound.js';
import { compareSnowflakes, snowflakeAt } from './snowflake.js';

const PAGE_SIZE = 100;

export interface ReconcileDeps {
  bot: Bot;
  client: Client;
  channels: ChannelMap;
  intake: MessageIntake;
  cursors: CursorBook;
  log: Logger;
}

export class Reconciler {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: ReconcileDeps) {}

  /**
   * A customer channel the bot has never read starts after its newest
   * message (or from its beginning when it is empty): its history from
   * before the bot was installed is not turned into tickets.
   */
  async startCursors(now: number): Promise<void> {
    const { client, cursors, log } = this.deps;
    for (const channelId of this.deps.channels.boundChannels) {
      if (await cursors.get(channelId)) continue;
      let start: string;
      try {
        const newest = ((await client.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ limit: '1' }) })) as unknown[]).map(asWireMessage)[0];
        start = newest?.id ?? '0';
      } catch (err) {
        log.warn({ channel: channelId, err: describe(err) }, 'discord: could not read the newest message; reading from now on');
        start = snowflakeAt(now);
      }
      await cursors.advance(channelId, start);
    }
  }

  /** Runs a pass; a request during a pass runs one more pass after it, never two at once. */
  run(reason: string): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass(reason);
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when no pass is running. */
  async settled(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  private async pass(reason: string): Promise<void> {
    const { bot, channels, log } = this.deps;
    const started = Date.now();
    let read = 0;
    for (const channelId of channels.boundChannels) read += await this.catchUp(channelId);
    // The list first, then the reading: reading changes tickets, and a listing is best not walked while it changes.
    const threads: { threadId: string; channelId: string }[] = [];
    for await (const ticket of bot.activeTickets('discord')) threads.push({ threadId: ticket.threadId, channelId: ticket.channelId });
    for (const { threadId, channelId } of threads) {
      channels.rememberThread(threadId, channelId, channels.threadExists(threadId));
      read += await this.catchUp(threadId, threadId);
    }
    log.info({ reason, messages: read, ms: Date.now() - started }, 'discord: reconciled channels and ticket threads');
  }

  /** Feeds one channel's messages after its cursor (or after `floor`) to the intake, oldest first. */
  private async catchUp(channelId: string, floor?: string): Promise<number> {
    const { client, cursors, intake, log } = this.deps;
    let after = (await cursors.get(channelId)) ?? floor;
    if (!after) return 0;
    let read = 0;
    try {
      for (;;) {
        const page = (await client.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ after, limit: String(PAGE_SIZE) }) })) as unknown[];
        // Discord lists newest first; a ticket is opened by its oldest message, so feed them oldest first.
        const messages = page
          .map(asWireMessage)
          .filter((m): m is WireMessage => m !== undefined && compareSnowflakes(m.id, after as string) > 0)
          .sort((a, b) => compareSnowflakes(a.id, b.id));
        for (const message of messages) await intake.created({ ...message, channel_id: channelId }, 'reconcile');
        read += messages.length;
        const last = messages[messages.length - 1];
        if (page.length < PAGE_SIZE || !last) return read;
        after = last.id;
      }
    } catch (err) {
      // A deleted thread or a channel the bot cannot read: note it, go on with the others.
      const code = err instanceof DiscordAPIError ? err.code : undefined;
      log.warn({ channel: channelId, code, err: describe(err) }, 'discord: could not read channel history');
      return read;
    }
  }
}
