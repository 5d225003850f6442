/**
 * The bot's voice on Discord (ChatPort). Thread posts go into the ticket's
 * thread, starting it on the opening message the first time; notifications
 * go to the staff channel with their pings; other posts to their channel.
 *
 * Every post carries a nonce with `enforce_nonce`, so Discord returns the
 * earlier message instead of posting twice when a request is repeated: by
 * discord.js retrying after a timeout or a 5xx (the body, nonce included, is
 * the same), or by a new process resending a notification a dead one may
 * have sent (the nonce is derived from the notification's idempotency key).
 * Discord remembers nonces for a few minutes; a resend also checks the
 * channel's recent history for the notification's key.
 *
 * All requests go through the client's REST manager, which queues them
 * within Discord's rate limits.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DiscordAPIError, RESTJSONErrorCodes, Routes, ThreadAutoArchiveDuration, type Client, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Config } from '../../src/config/schema.js';
import { platformIdOf } from '../../src/domain/people.js';
import { describe, type Logger } from '../../src/service/logger.js';
import type { Card, ChatPort, Outbound, SendOptions, SentRef } from '../../src/service/messages.js';
import { joinKeys } from '../../src/service/notification-key.js';
import { voiceIn } from '../../src/i18n/index.js';
import { personVoice } from '../../src/service/readers.js';
import type { ChannelMap } from './channel-map.js';
import { escapeText, truncate } from './escape.js';
import { asWireMessage } from './inbound.js';
import { CARDS_PER_MESSAGE, type DiscordRenderer, type RenderedMessage } from './render.js';

/** A nonce (Discord allows 25 characters) that is the same for the same key, in every process. */
export function nonceFor(key: string): string {
  return BigInt(`0x${createHash('sha256').update(`slawatch:${key}`).digest('hex').slice(0, 16)}`).toString();
}

function randomNonce(): string {
  return BigInt(`0x${randomBytes(8).toString('hex')}`).toString();
}

export interface PortDeps {
  client: Client;
  config: Config;
  channels: ChannelMap;
  renderer: DiscordRenderer;
  log: Logger;
}

type NotifyMessage = Extract<Outbound, { type: 'notify' }>;
type NoticeMessage = Extract<Outbound, { type: 'notice' }>;
type ThreadMessage = Extract<Outbound, { type: 'thread' }>;
/** Where a thread message goes: the thread, or the channel (as a reply) when no thread can be had. */
interface ThreadTarget {
  channelId: string;
  replyTo?: string;
}

export class DiscordPort implements ChatPort {
  readonly platform = 'discord' as const;

  constructor(private readonly deps: PortDeps) {}

  async send(message: Outbound, options: SendOptions = {}): Promise<SentRef | undefined> {
    switch (message.type) {
      case 'thread':
        return this.sendToThread(message, options);
      case 'notify':
        return this.sendNotification(message, options);
      case 'post':
        return this.post(message.channelId, this.deps.renderer.postMessage(message.card), randomNonce());
      case 'notice':
        // Notice cards carry no pings and no buttons; delivered (and deduplicated) like notifications.
        return this.sendNotification(message, options);
      case 'dm':
        return this.directMessage(message.person, message.card);
    }
  }

  /** A direct message to a person with a Discord id (none: nothing to send, and the log says so). */
  private async directMessage(personId: string, card: Card): Promise<SentRef | undefined> {
    const userId = platformIdOf(this.deps.config, 'discord', personId);
    if (!userId) {
      this.deps.log.warn({ person: personId }, 'discord: no Discord id for this person; direct message not sent');
      return undefined;
    }
    const dm = (await this.deps.client.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
    return this.post(dm.id, this.deps.renderer.postMessage(card), randomNonce());
  }

  /** A post with an idempotency key (an acknowledgement) has the key's nonce; a resend first looks for it in the thread. */
  private async sendToThread(message: ThreadMessage, options: SendOptions): Promise<SentRef> {
    const rendered = this.deps.renderer.threadMessage(message.card);
    const target = await this.ensureThread(message);
    const nonce = options.idempotencyKey ? nonceFor(options.idempotencyKey) : randomNonce();
    const earlier = options.idempotencyKey && options.resend ? await this.findSent(target.channelId, nonce, []) : undefined;
    if (earlier) return earlier;
    try {
      return await this.post(target.channelId, rendered, nonce, target.replyTo);
    } catch (err) {
      // The thread was deleted (or never made): start it again on the opening message and post once more.
      if (!(err instanceof DiscordAPIError) || err.code !== RESTJSONErrorCodes.UnknownChannel || target.channelId !== message.threadId) throw err;
      const again = await this.startThread(message);
      return this.post(again.channelId, rendered, nonce, again.replyTo);
    }
  }

  /** Where to post a ticket's thread message: its thread, started on the opening message if need be. */
  private async ensureThread(message: ThreadMessage): Promise<ThreadTarget> {
    if (this.deps.channels.threadExists(message.threadId)) return { channelId: message.threadId };
    return this.startThread(message);
  }

  private async startThread(message: ThreadMessage): Promise<ThreadTarget> {
    const { client, channels, log } = this.deps;
    const customer = channels.customerName(message.channelId);
    // Named in the language of the customer, who reads the thread (the card's).
    const voice = voiceIn(message.card.locale);
    const ticket = `#${message.ticketId}`;
    const name = truncate(customer ? voice.t('discord.threadNameFor', { ticket, customer }) : voice.t('discord.threadName', { ticket }), 100);
    try {
      await client.rest.post(Routes.threads(message.channelId, message.threadId), {
        body: { name, auto_archive_duration: ThreadAutoArchiveDuration.OneWeek },
      });
      channels.rememberThread(message.threadId, message.channelId, true);
      return { channelId: message.threadId };
    } catch (err) {
      if (err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage) {
        channels.rememberThread(message.threadId, message.channelId, true);
        return { channelId: message.threadId };
      }
      // No thread to be had (the opening message was deleted, or the bot may not create threads there):
      // answer in the channel, as a reply to the opening message when it still exists.
      const gone = err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.UnknownMessage;
      log.warn({ channel: message.channelId, ticket: message.ticketId, err: describe(err) }, 'discord: could not start the ticket thread; answering in the channel');
      return { channelId: message.channelId, ...(gone ? {} : { replyTo: message.threadId }) };
    }
  }

  private async sendNotification(message: NotifyMessage | NoticeMessage, options: SendOptions): Promise<SentRef | undefined> {
    const parts = this.deps.renderer.notifyMessages(message.cards);
    const baseKey = options.idempotencyKey ?? joinKeys(message.keys);
    let first: SentRef | undefined;
    for (const [index, rendered] of parts.entries()) {
      const keys = message.keys.slice(index * CARDS_PER_MESSAGE, (index + 1) * CARDS_PER_MESSAGE);
      const nonce = nonceFor(parts.length > 1 ? `${baseKey}#${index}` : baseKey);
      const earlier = options.resend ? await this.findSent(message.channelId, nonce, keys) : undefined;
      const ref = earlier ?? (await this.post(message.channelId, rendered, nonce));
      first ??= ref;
    }
    if (message.type === 'notify' && message.dm?.length) await this.directMessages(message, baseKey);
    return first;
  }

  /** A message this bot already posted for these keys, among the channel's recent ones. */
  private async findSent(channelId: string, nonce: string, keys: readonly string[]): Promise<SentRef | undefined> {
    const { client, log } = this.deps;
    try {
      const recent = (await client.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ limit: '50' }) })) as unknown[];
      for (const raw of recent) {
        const message = asWireMessage(raw);
        if (!message || message.author?.id !== client.user?.id) continue;
        const record = raw as { nonce?: unknown; embeds?: { footer?: { text?: string } }[] };
        const footers = (record.embeds ?? []).map((e) => e.footer?.text ?? '');
        const carriesKeys = keys.length > 0 && keys.every((key) => footers.some((f) => f.includes(`key ${key}`)));
        if (record.nonce === nonce || carriesKeys) {
          log.info({ channel: channelId, message: message.id }, 'discord: notification was already posted; not posting it again');
          return { platform: 'discord', channelId, messageId: message.id };
        }
      }
    } catch (err) {
      log.warn({ channel: channelId, err: describe(err) }, 'discord: could not check history before resending; relying on the nonce');
    }
    return undefined;
  }

  /** With `staff.dm`, each pinged person also gets a direct message pointing at the staff channel. Best effort. */
  private async directMessages(message: NotifyMessage, baseKey: string): Promise<void> {
    const { client, config, log } = this.deps;
    for (const person of message.dm ?? []) {
      const userId = platformIdOf(config, 'discord', person);
      if (!userId) continue;
      try {
        const dm = (await client.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
        const titles = message.cards.map((card: Card) => escapeText(card.title)).join('\n');
        // The first line in the person's language; the channel mention is the only markup in it.
        const intro = escapeText(personVoice(config, person).t('dm.pinged', { channel: '\u0000' })).replace('\u0000', `<#${message.channelId}>`);
        await this.post(dm.id, { content: truncate(`${intro}\n${titles}`, 2000), embeds: [], components: [], allowedMentions: { parse: [], users: [], roles: [] } }, nonceFor(`${baseKey}@dm:${userId}`));
      } catch (err) {
        log.warn({ person, err: describe(err) }, 'discord: direct message not sent');
      }
    }
  }

  private async post(channelId: string, rendered: RenderedMessage, nonce: string, replyTo?: string): Promise<SentRef> {
    const body: RESTPostAPIChannelMessageJSONBody = {
      content: rendered.content,
      embeds: rendered.embeds,
      components: rendered.components,
      allowed_mentions: rendered.allowedMentions,
      nonce,
      enforce_nonce: true,
      ...(replyTo ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } } : {}),
    };
    const sent = asWireMessage(await this.deps.client.rest.post(Routes.channelMessages(channelId), { body }));
    if (!sent) throw new Error(`Discord accepted a message in ${channelId} but returned no message id`);
    return { platform: 'discord', channelId, messageId: sent.id };
  }
}
