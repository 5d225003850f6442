/**
 * Discord's side of catching up (../common/reconcile.ts): at start-up, and
 * whenever the gateway starts a new session (the old one could not be
 * resumed, so its missed events are gone), the shared reconciler reads over
 * REST what was posted after each customer channel's cursor — in the channel
 * and in the threads of its live tickets — and feeds it to the bot in time
 * order, with the messages' own timestamps.
 *
 * Discord lists a channel's messages `after` an id, 100 at a time; a ticket
 * thread is a channel of its own.
 */
import { DiscordAPIError, MessageFlags, RESTJSONErrorCodes, Routes, type Client } from 'discord.js';
import type { HistoryPage, HistorySource, Located } from '../common/reconcile.js';
import type { IncomingMessage } from '../../src/service/desk-port.js';
import { describe, type Logger } from '../../src/service/logger.js';
import type { ChannelMap } from './channel-map.js';
import { asWireMessage, isConversation, isFromBot, toIncoming, type WireMessage } from './inbound.js';
import type { RoleDirectory } from './roles.js';
import { compareSnowflakes, DISCORD_ORDER } from './snowflake.js';

const PAGE_SIZE = 100;

export interface HistoryDeps {
  client: Client;
  channels: ChannelMap;
  roles: RoleDirectory;
  log: Logger;
}

export class DiscordHistory implements HistorySource<WireMessage> {
  readonly platform = 'discord' as const;
  readonly order = DISCORD_ORDER;

  constructor(private readonly deps: HistoryDeps) {}

  async newest(channelId: string): Promise<string | undefined> {
    const page = (await this.deps.client.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ limit: '1' }) })) as unknown[];
    return page.map(asWireMessage)[0]?.id;
  }

  channelPage(channelId: string, after: string, page?: string): Promise<HistoryPage<WireMessage>> {
    return this.list(channelId, page ?? after);
  }

  async threadPage(channelId: string, threadId: string, after: string, page?: string): Promise<HistoryPage<WireMessage>> {
    try {
      return await this.list(threadId, page ?? after);
    } catch (err) {
      // A thread deleted, or one the bot may no longer read, has nothing to catch up on.
      if (!(err instanceof DiscordAPIError) || (err.code !== RESTJSONErrorCodes.UnknownChannel && err.code !== RESTJSONErrorCodes.MissingAccess)) throw err;
      this.deps.log.warn({ channel: channelId, thread: threadId, code: err.code, err: describe(err) }, 'discord: a ticket thread cannot be read; skipping it');
      return { messages: [] };
    }
  }

  /** Messages after `after`, and where the next page starts: Discord answers newest first, 100 at most. */
  private async list(channelId: string, after: string): Promise<HistoryPage<WireMessage>> {
    const page = (await this.deps.client.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ after, limit: String(PAGE_SIZE) }) })) as unknown[];
    const messages = page.map(asWireMessage).filter((m): m is WireMessage => m !== undefined && compareSnowflakes(m.id, after) > 0);
    const last = messages.map((m) => m.id).sort(compareSnowflakes).at(-1);
    return { messages, ...(page.length >= PAGE_SIZE && last ? { next: last } : {}) };
  }

  locate(message: WireMessage): Located {
    // A thread started on a message has the message's id.
    const heads = ((message.flags ?? 0) & MessageFlags.HasThread) !== 0;
    return { id: message.id, position: message.id, ...(heads ? { thread: message.id } : {}) };
  }

  async incoming(channelId: string, message: WireMessage): Promise<IncomingMessage | undefined> {
    if (!isConversation(message)) return undefined;
    const { channels, client, roles } = this.deps;
    const inThread = message.channel_id !== channelId;
    if (inThread) channels.rememberThread(message.channel_id, channelId, true);
    const botUserId = client.user?.id;
    const groups = isFromBot(message, botUserId) ? [] : await roles.rolesOf(message);
    return toIncoming(message, { channelId, ...(inThread ? { threadId: message.channel_id } : {}), bound: true }, groups, botUserId);
  }
}
