/**
 * The ChatPort for Feishu/Lark: how the bot's outbound messages become Open
 * API calls. Everything is an interactive card (render.ts).
 *
 * - `thread`: a reply to the ticket's first message with `reply_in_thread`,
 *   so it lands in (or starts) the message's thread. Customers read it: no
 *   buttons, no pings.
 * - `notify`: into the staff group, with the pings and the ticket buttons
 *   (several cards per message when a storm is coalesced); with `staff.dm`,
 *   also to each pinged person directly.
 * - `post`: announcements into any group.
 * - `notice`: incident notices into a customer's group: no pings, no buttons.
 * - `dm`: to a person by their open id.
 *
 * Every send with an idempotency key carries the API's `uuid`, derived from
 * the key (text.ts): Feishu posts a message once per uuid within an hour, so
 * a send retried after a time-out, or by a replica that took over, never
 * posts twice. An acknowledgement resent after a longer while first looks for
 * the bot's message in the thread. Every call goes through the per-chat
 * queue (../common/channel-queue.ts).
 */
import type * as lark from '@larksuiteoapi/node-sdk';
import type { Config } from '../../src/config/schema.js';
import { platformIdOf } from '../../src/domain/people.js';
import { describe } from '../../src/service/logger.js';
import { customerForChannel } from '../../src/service/context.js';
import type { Logger } from '../../src/service/logger.js';
import type { Card, ChatPort, Outbound, SendOptions, SentRef } from '../../src/service/messages.js';
import type { ChannelQueues } from '../common/channel-queue.js';
import { checked } from './http.js';
import { fromListItem } from './inbound.js';
import { CARDS_PER_MESSAGE, renderCards, type LarkCard } from './render.js';
import { uuidFor } from './text.js';
import type { Threads } from './threads.js';

/** Posted notification messages whose cards are kept, so a button updates its own ticket's part of the message. */
const POSTS_REMEMBERED = 1_000;

export interface LarkPortDeps {
  client: lark.Client;
  queues: ChannelQueues;
  log: Logger;
  config: () => Config;
  /** This app's id: its messages in a history carry it as the sender. */
  appId: string;
  /** Learns the thread each reply in a thread lands in. */
  threads: Threads;
}

type Receiver = 'chat_id' | 'open_id';

export class LarkPort implements ChatPort {
  readonly platform = 'lark' as const;
  private readonly posts = new Map<string, Card[]>();

  constructor(private readonly deps: LarkPortDeps) {}

  async send(message: Outbound, options: SendOptions = {}): Promise<SentRef | undefined> {
    switch (message.type) {
      case 'thread':
        return this.postThread(message.channelId, message.threadId, message.card, options);
      case 'notify':
        return this.notify(message, options);
      case 'post':
        return this.create('chat_id', message.channelId, renderCards([message.card], { config: this.deps.config(), withActions: false }));
      case 'notice':
        return this.postCards(message.channelId, message.cards.map(quiet), message.keys, options.idempotencyKey, false);
      case 'dm':
        return this.directMessage(message.person, message.card);
    }
  }

  /** The cards a notification message was posted with (this process's recent posts). */
  cardsOf(messageId: string): Card[] | undefined {
    return this.posts.get(messageId);
  }

  /** Replaces a card the bot posted (a staff ping after one of its buttons was used). */
  async patch(chatId: string, messageId: string, card: LarkCard, cards?: Card[]): Promise<void> {
    await this.deps.queues.run(chatId, async () =>
      checked('im/v1/messages.patch', await this.deps.client.im.v1.message.patch({ path: { message_id: messageId }, data: { content: JSON.stringify(card) } })),
    );
    if (cards) this.remember(messageId, cards);
  }

  /** A card only `openId` sees, in the chat (Feishu's ephemeral cards, groups only). */
  async ephemeral(chatId: string, openId: string, card: LarkCard): Promise<void> {
    await this.deps.queues.run(chatId, async () =>
      checked('ephemeral/v1/send', await this.deps.client.request({ method: 'POST', url: '/open-apis/ephemeral/v1/send', data: { chat_id: chatId, open_id: openId, msg_type: 'interactive', card } })),
    );
  }

  /** A reply to `messageId`, in its thread when `inThread`. */
  async reply(chatId: string, messageId: string, card: LarkCard, inThread: boolean, key?: string): Promise<SentRef | undefined> {
    const result = await this.deps.queues.run(chatId, async () =>
      checked(
        'im/v1/messages.reply',
        await this.deps.client.im.v1.message.reply({
          path: { message_id: messageId },
          data: { msg_type: 'interactive', content: JSON.stringify(card), reply_in_thread: inThread, ...(key ? { uuid: uuidFor(key) } : {}) },
        }),
      ),
    );
    const { message_id: id, root_id: rootId, thread_id: threadId } = result.data ?? {};
    if (id && threadId) this.deps.threads.note({ messageId: id, rootId: rootId ?? messageId, threadId });
    return this.sent(chatId, id);
  }

  /** A new message to a chat or a person. */
  async create(receiver: Receiver, id: string, card: LarkCard, key?: string): Promise<SentRef | undefined> {
    const lane = receiver === 'open_id' ? `dm:${id}` : id;
    const result = await this.deps.queues.run(lane, async () =>
      checked(
        'im/v1/messages.create',
        await this.deps.client.im.v1.message.create({
          params: { receive_id_type: receiver },
          data: { receive_id: id, msg_type: 'interactive', content: JSON.stringify(card), ...(key ? { uuid: uuidFor(key) } : {}) },
        }),
      ),
    );
    return this.sent(result.data?.chat_id ?? id, result.data?.message_id);
  }

  private sent(chatId: string, messageId: string | undefined): SentRef | undefined {
    // Posted either way; without its id there is just nothing to refer to later.
    if (!messageId) {
      this.deps.log.warn({ chat: chatId }, 'lark: a message was accepted without its message_id');
      return undefined;
    }
    return { platform: 'lark', channelId: chatId, messageId };
  }

  /** Into a ticket's thread, where the customer reads. An acknowledgement resent after a crash first looks for an earlier one. */
  private async postThread(chatId: string, threadId: string, card: Card, options: SendOptions): Promise<SentRef | undefined> {
    const key = options.idempotencyKey;
    if (key && options.resend) {
      const earlier = await this.findInThread(chatId, threadId);
      if (earlier) {
        this.deps.log.info({ chat: chatId, thread: threadId, key }, 'lark: the thread already has the bot\'s message from before a restart; not posting it again');
        return earlier;
      }
    }
    const { mentions: _none, actions: _staffOnly, link: _sameThread, ...visible } = card;
    return this.reply(chatId, threadId, renderCards([visible], { config: this.deps.config(), withActions: false }), true, key);
  }

  private async notify(message: Extract<Outbound, { type: 'notify' }>, options: SendOptions): Promise<SentRef | undefined> {
    // Pings belong to the staff: never into a customer's group, whatever a policy says.
    if (customerForChannel(this.deps.config(), 'lark', message.channelId)) {
      this.deps.log.error({ chat: message.channelId, keys: message.keys }, 'lark: refusing to post a staff notification into a customer group; check the escalation policy\'s channel: targets');
      return undefined;
    }
    const baseKey = options.idempotencyKey ?? message.keys.join('|');
    const first = await this.postCards(message.channelId, message.cards, message.keys, baseKey, true);
    if (message.dm?.length) await this.directMessages(message.dm, message.cards, baseKey);
    return first;
  }

  /** Cards in messages of CARDS_PER_MESSAGE, each with the uuid of its part of the key. */
  private async postCards(chatId: string, cards: Card[], keys: string[], baseKey: string | undefined, withActions: boolean): Promise<SentRef | undefined> {
    const key = baseKey ?? keys.join('|');
    const parts = Math.ceil(cards.length / CARDS_PER_MESSAGE);
    let first: SentRef | undefined;
    for (let part = 0; part < parts; part++) {
      const some = cards.slice(part * CARDS_PER_MESSAGE, (part + 1) * CARDS_PER_MESSAGE);
      const ref = await this.create('chat_id', chatId, renderCards(some, { config: this.deps.config(), withActions }), parts > 1 ? `${key}#${part}` : key);
      if (withActions && ref) this.remember(ref.messageId, some);
      first ??= ref;
    }
    return first;
  }

  /** With `staff.dm`, each pinged person with an open id gets the cards directly too. Best effort: the group post stands. */
  private async directMessages(people: string[], cards: Card[], baseKey: string): Promise<void> {
    const config = this.deps.config();
    const card = renderCards(cards.map(({ mentions: _pingedAlready, ...rest }) => rest), { config, withActions: true });
    for (const person of new Set(people)) {
      const openId = platformIdOf(config, 'lark', person);
      if (!openId) continue;
      try {
        await this.create('open_id', openId, card, `${baseKey}@dm:${openId}`);
      } catch (err) {
        this.deps.log.warn({ person, err: describe(err) }, 'lark: could not send the notification directly');
      }
    }
  }

  private async directMessage(person: string, card: Card): Promise<SentRef | undefined> {
    const openId = platformIdOf(this.deps.config(), 'lark', person);
    if (!openId) {
      this.deps.log.warn({ person }, 'lark: no Feishu/Lark open id for this person; direct message not sent');
      return undefined;
    }
    return this.create('open_id', openId, renderCards([card], { config: this.deps.config(), withActions: false }));
  }

  private remember(messageId: string, cards: Card[]): void {
    this.posts.delete(messageId);
    if (this.posts.size >= POSTS_REMEMBERED) this.posts.delete(this.posts.keys().next().value as string);
    this.posts.set(messageId, cards);
  }

  /** A message of this app in the thread of `rootId` (a thread only exists once someone replied in it). */
  private async findInThread(chatId: string, rootId: string): Promise<SentRef | undefined> {
    const { client, queues, appId, log } = this.deps;
    try {
      const root = await queues.run(`read:${chatId}`, async () => checked('im/v1/messages.get', await client.im.v1.message.get({ path: { message_id: rootId } })));
      const threadId = root.data?.items?.[0]?.thread_id;
      if (!threadId) return undefined;
      const page = await queues.run(`read:${chatId}`, async () =>
        checked('im/v1/messages.list', await client.im.v1.message.list({ params: { container_id_type: 'thread', container_id: threadId, page_size: 50, sort_type: 'ByCreateTimeAsc' } })),
      );
      for (const item of page.data?.items ?? []) {
        const message = fromListItem(item, chatId);
        if (message && !message.sender.isPerson && message.sender.id === appId) return { platform: 'lark', channelId: chatId, messageId: message.messageId };
      }
    } catch (err) {
      // Better a possible repeat than a lost acknowledgement (and within the hour the uuid prevents it).
      log.warn({ chat: chatId, thread: rootId, err: describe(err) }, 'lark: could not check the thread before resending; sending');
    }
    return undefined;
  }
}

/** A card without pings and buttons (customers read it). */
function quiet({ mentions: _none, actions: _staffOnly, ...card }: Card): Card {
  return card;
}
