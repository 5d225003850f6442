/**
 * Feishu/Lark's side of catching up (../common/reconcile.ts): a group's
 * messages after a position (im/v1/messages with container_id_type=chat),
 * and the replies in a ticket's thread (container_id_type=thread, whose id,
 * omt_…, the thread's first message names). Listed oldest first, 50 a page,
 * from the second of the position on; what is not after the position is
 * dropped here. Reads run in their own lane per chat, so a rate limit on
 * history is waited out without holding up posts.
 */
import type * as lark from '@larksuiteoapi/node-sdk';
import { describe } from '../../src/service/logger.js';
import type { IncomingMessage } from '../../src/service/desk-port.js';
import type { Logger } from '../../src/service/logger.js';
import type { ChannelQueues } from '../common/channel-queue.js';
import type { HistoryPage, HistorySource, Located } from '../common/reconcile.js';
import { checked } from './http.js';
import { fromListItem, readMessage, toIncoming, type BotIdentity, type ReadMessage, type WireMessage } from './inbound.js';
import { LARK_ORDER, positionOf } from './text.js';
import type { Threads } from './threads.js';

const PAGE_SIZE = 50;
/** A bound on one listing per chat or thread in a catch-up (pages of 50). */
export const MAX_PAGES = 100;

/** A listed message, with its text read. */
export type Listed = WireMessage & { read: ReadMessage };

export interface LarkHistoryDeps {
  client: lark.Client;
  queues: ChannelQueues;
  log: Logger;
  identity: () => BotIdentity | undefined;
  threads: Threads;
  /** Whether a message is a command to the bot (commands are answered live, never caught up on). */
  isCommand: (message: WireMessage, text: string, mentionedBot: boolean) => boolean;
}

export class LarkHistory implements HistorySource<Listed> {
  readonly platform = 'lark' as const;
  readonly order = LARK_ORDER;

  constructor(private readonly deps: LarkHistoryDeps) {}

  async newest(chatId: string): Promise<string | undefined> {
    const page = await this.list(chatId, { container_id_type: 'chat', container_id: chatId, sort_type: 'ByCreateTimeDesc', page_size: 1 });
    const message = page.messages[0];
    return message ? positionOf(message.createTime, message.messageId) : undefined;
  }

  channelPage(chatId: string, after: string, page?: string): Promise<HistoryPage<Listed>> {
    return this.after(chatId, { container_id_type: 'chat', container_id: chatId }, after, page);
  }

  async threadPage(chatId: string, rootId: string, after: string, page?: string): Promise<HistoryPage<Listed>> {
    const threadId = await this.threadOf(chatId, rootId);
    if (!threadId) return { messages: [] };
    const listed = await this.after(chatId, { container_id_type: 'thread', container_id: threadId }, after, page);
    return { ...listed, messages: listed.messages.filter((m) => m.messageId !== rootId) };
  }

  locate(message: Listed): Located {
    const heads = message.threadId !== undefined && message.rootId === undefined;
    return { id: message.messageId, position: positionOf(message.createTime, message.messageId), ...(heads ? { thread: message.messageId } : {}) };
  }

  async incoming(_chatId: string, message: Listed): Promise<IncomingMessage | undefined> {
    if (message.deleted || !message.sender.isPerson || message.messageType === 'system') return undefined;
    if (this.deps.isCommand(message, message.read.text, message.read.mentionedBot)) return undefined;
    return toIncoming(message, message.read.text);
  }

  /** History says whether and when a message was edited (Feishu sends no event for an edit). */
  edited(message: Listed): { text: string; at: number } | undefined {
    if (!message.updated || message.updateTime === undefined || message.updateTime <= message.createTime || !message.sender.isPerson) return undefined;
    return { text: message.read.text, at: message.updateTime };
  }

  /** The thread of a first message: known, or read from the message. */
  private async threadOf(chatId: string, rootId: string): Promise<string | undefined> {
    const known = this.deps.threads.threadOf(rootId);
    if (known) return known;
    const { client, queues, log } = this.deps;
    try {
      const result = await queues.run(`read:${chatId}`, async () => checked('im/v1/messages.get', await client.im.v1.message.get({ path: { message_id: rootId } })));
      const item = result.data?.items?.[0];
      const message = item ? fromListItem(item, chatId) : undefined;
      if (message) this.deps.threads.note(message);
      return message?.threadId;
    } catch (err) {
      log.warn({ chat: chatId, message: rootId, err: describe(err) }, 'lark: could not read a ticket\'s first message; its thread is not caught up on');
      return undefined;
    }
  }

  private async after(chatId: string, container: { container_id_type: string; container_id: string }, after: string, page?: string): Promise<HistoryPage<Listed>> {
    const start = Math.floor(LARK_ORDER.timeOf(after) / 1000);
    const listed = await this.list(chatId, { ...container, sort_type: 'ByCreateTimeAsc', page_size: PAGE_SIZE, start_time: String(start), ...(page ? { page_token: page } : {}) });
    return { ...listed, messages: listed.messages.filter((m) => LARK_ORDER.compare(positionOf(m.createTime, m.messageId), after) > 0) };
  }

  private async list(chatId: string, params: Record<string, string | number>): Promise<HistoryPage<Listed>> {
    const { client, queues } = this.deps;
    const result = await queues.run(`read:${chatId}`, async () =>
      checked('im/v1/messages.list', await client.im.v1.message.list({ params: params as { container_id_type: string; container_id: string } })),
    );
    const messages: Listed[] = [];
    for (const item of result.data?.items ?? []) {
      const message = fromListItem(item, chatId);
      if (!message) continue;
      this.deps.threads.note(message);
      messages.push({ ...message, read: await readMessage(message, this.deps.identity()) });
    }
    const next = result.data?.has_more && result.data.page_token ? result.data.page_token : undefined;
    return { messages, ...(next ? { next } : {}) };
  }
}
