/**
 * The ChatPort for Slack: how the bot's outbound messages become Web API
 * calls.
 *
 * - `thread`: into the ticket's thread (chat.postMessage with thread_ts).
 *   Customers read it, so it carries no buttons and no pings.
 * - `notify`: into the staff channel, with the people to ping, a permalink
 *   to the thread and the ticket buttons; optionally a DM to each person.
 *   Each post carries its idempotency key in Slack message metadata, so a
 *   resend after a crash first looks for it in the channel's history.
 * - `post`: announcements into any channel.
 * - `notice`: incident notices into a customer's channel: no pings, no
 *   buttons, the keys in metadata like a notification's.
 * - `dm`: a direct message to a person (the monthly statement line).
 *
 * Every call goes through the per-channel queue (channel-queue.ts).
 */
import type { Config } from '../../src/config/schema.js';
import { platformIdOf } from '../../src/domain/people.js';
import { describe, type Logger } from '../../src/service/logger.js';
import type { Card, ChatPort, Outbound, SendOptions, SentRef } from '../../src/service/messages.js';
import { joinKeys, splitKeys } from '../../src/service/notification-key.js';
import { personVoice } from '../../src/service/readers.js';
import type { ChannelQueues } from './channel-queue.js';
import type { WebClient } from './context.js';
import { permalinkKey, renderCards, type SlackMessage } from './render.js';
import { asRecord, stringField } from './slack-message.js';
import { escapeSlack, msToTs } from './text.js';

/** Slack message metadata that marks a notification post; its payload carries the idempotency key (keys joined by "|" when coalesced). */
export const NOTIFICATION_EVENT_TYPE = 'slawatch_notification';
/** The same for a thread post that has an idempotency key (a ticket's acknowledgement). */
export const THREAD_POST_EVENT_TYPE = 'slawatch_thread_post';

/** How far back a resend looks for an earlier attempt. */
const RESEND_LOOKBACK_MS = 2 * 24 * 3_600_000;
const PERMALINKS_KEPT = 2_000;

export interface SlackPortDeps {
  client: WebClient;
  queues: ChannelQueues;
  log: Logger;
  config: () => Config;
}

export class SlackPort implements ChatPort {
  readonly platform = 'slack' as const;
  private readonly permalinks = new Map<string, string>();

  constructor(private readonly deps: SlackPortDeps) {}

  async send(message: Outbound, options: SendOptions = {}): Promise<SentRef | undefined> {
    switch (message.type) {
      case 'thread':
        return this.postThread(message.channelId, message.threadId, message.card, options);
      case 'notify':
        return this.notify(message, options);
      case 'post':
        return this.postMessage(message.channelId, renderCards([message.card], { config: this.deps.config(), withActions: false, permalinks: await this.permalinksFor([message.card]) }));
      case 'notice':
        return this.notice(message, options);
      case 'dm':
        return this.directMessage(message.person, message.card);
    }
  }

  /**
   * Posts into a ticket's thread, where the customer reads: no buttons, no pings. A post with an
   * idempotency key carries it in its metadata; a resend first looks for it in the thread.
   */
  private async postThread(channelId: string, threadId: string, card: Card, options: SendOptions): Promise<SentRef | undefined> {
    const key = options.idempotencyKey;
    if (key && options.resend) {
      const earlier = await this.findInThread(channelId, threadId, key);
      if (earlier) {
        this.deps.log.info({ channel: channelId, thread: threadId, key }, 'thread message was already posted before a restart; not posting it again');
        return earlier;
      }
    }
    const { mentions: _none, actions: _staffOnly, link: _sameThread, ...visible } = card;
    const rendered = renderCards([visible], { config: this.deps.config(), withActions: false });
    return this.postMessage(channelId, rendered, { thread_ts: threadId, ...(key ? { metadata: { event_type: THREAD_POST_EVENT_TYPE, event_payload: { key } } } : {}) });
  }

  private async notify(message: Extract<Outbound, { type: 'notify' }>, options: SendOptions): Promise<SentRef | undefined> {
    const config = this.deps.config();
    const unposted = await this.unposted(message, options);
    if ('earlier' in unposted) return unposted.earlier;
    const { cards, keys } = unposted;
    const key = keys === message.keys ? (options.idempotencyKey ?? joinKeys(keys)) : joinKeys(keys);
    const permalinks = await this.permalinksFor(cards);
    const rendered = renderCards(cards, { config, withActions: true, permalinks });
    const ref = await this.postMessage(message.channelId, rendered, {
      metadata: { event_type: NOTIFICATION_EVENT_TYPE, event_payload: { key } },
    });
    if (message.dm?.length) await this.sendDms(message.dm, message.channelId, cards, permalinks);
    return ref;
  }

  /**
   * On a resend, the cards no earlier attempt posted (keys are matched one by one: a resend may be
   * coalesced differently), or the earlier post when all of them were.
   */
  private async unposted(
    message: { channelId: string; cards: Card[]; keys: string[] },
    options: SendOptions,
  ): Promise<{ cards: Card[]; keys: string[] } | { earlier: SentRef | undefined }> {
    const { cards, keys } = message;
    if (!options.resend || cards.length !== keys.length) return { cards, keys };
    const posted = await this.postedKeys(message.channelId);
    const already = keys.filter((key) => posted.has(key));
    if (already.length === 0) return { cards, keys };
    this.deps.log.info({ channel: message.channelId, keys: already }, 'notification was already posted before a restart; not posting it again');
    if (already.length === keys.length) return { earlier: posted.get(keys[0] as string) };
    return { cards: cards.filter((_, i) => !posted.has(keys[i] as string)), keys: keys.filter((key) => !posted.has(key)) };
  }

  /** Incident notices into a customer's channel: customers read it, so no pings and no buttons. */
  private async notice(message: Extract<Outbound, { type: 'notice' }>, options: SendOptions): Promise<SentRef | undefined> {
    const unposted = await this.unposted(message, options);
    if ('earlier' in unposted) return unposted.earlier;
    const visible = unposted.cards.map(({ mentions: _none, actions: _staffOnly, ...card }) => card);
    const rendered = renderCards(visible, { config: this.deps.config(), withActions: false });
    return this.postMessage(message.channelId, rendered, { metadata: { event_type: NOTIFICATION_EVENT_TYPE, event_payload: { key: joinKeys(unposted.keys) } } });
  }

  /** A direct message to a person with a Slack id (none: nothing to send, and the log says so). */
  private async directMessage(personId: string, card: Card): Promise<SentRef | undefined> {
    const userId = platformIdOf(this.deps.config(), 'slack', personId);
    if (!userId) {
      this.deps.log.warn({ person: personId }, 'no Slack id for this person; direct message not sent');
      return undefined;
    }
    return this.postMessage(userId, renderCards([card], { config: this.deps.config(), withActions: false }), {}, `dm:${userId}`);
  }

  /**
   * A DM to each pinged person who has a Slack id, its first line in their language (the cards are the
   * staff channel's); a failed DM is logged, the channel post stands.
   */
  private async sendDms(people: string[], channelId: string, cards: Card[], permalinks: ReadonlyMap<string, string>): Promise<void> {
    const config = this.deps.config();
    const quiet = cards.map(({ mentions: _pingedAlready, ...card }) => card);
    const rendered = renderCards(quiet, { config, withActions: true, permalinks });
    for (const personId of new Set(people)) {
      const userId = platformIdOf(config, 'slack', personId);
      if (!userId) continue;
      // The channel mention is the only markup; the sentence around it is escaped.
      const intro = escapeSlack(personVoice(config, personId).t('dm.pinged', { channel: '\u0000' })).replace('\u0000', `<#${channelId}>`);
      const dm: SlackMessage = {
        text: `${intro}\n${rendered.text}`,
        blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: intro } }, ...rendered.blocks].slice(0, 50),
      };
      try {
        await this.postMessage(userId, dm, {}, `dm:${userId}`);
      } catch (err) {
        this.deps.log.warn({ person: personId, err: describe(err) }, 'could not send the notification DM');
      }
    }
  }

  private async postMessage(channel: string, message: SlackMessage, extra: Record<string, unknown> = {}, lane = channel): Promise<SentRef | undefined> {
    const result = await this.deps.queues.run(lane, () =>
      this.deps.client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...extra,
      }),
    );
    // Posted either way; without a ts there is just nothing to refer to later.
    if (!result.ts) {
      this.deps.log.warn({ channel }, 'chat.postMessage answered without a message ts');
      return undefined;
    }
    return { platform: 'slack', channelId: result.channel ?? channel, messageId: result.ts };
  }

  /** Looks up (and remembers) the permalink of each Slack thread the cards link to. A failed lookup only drops the link. */
  async permalinksFor(cards: readonly Card[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const card of cards) {
      if (!card.link || card.link.platform !== 'slack') continue;
      const key = permalinkKey(card.link.channelId, card.link.threadId);
      if (found.has(key)) continue;
      let url = this.permalinks.get(key);
      if (!url) {
        try {
          const result = await this.deps.client.chat.getPermalink({ channel: card.link.channelId, message_ts: card.link.threadId });
          url = result.permalink;
        } catch (err) {
          this.deps.log.warn({ channel: card.link.channelId, thread: card.link.threadId, err: describe(err) }, 'could not get the thread permalink');
        }
        if (url) {
          if (this.permalinks.size >= PERMALINKS_KEPT) this.permalinks.delete(this.permalinks.keys().next().value as string);
          this.permalinks.set(key, url);
        }
      }
      if (url) found.set(key, url);
    }
    return found;
  }

  /**
   * The notification keys that recent posts in `channelId` already carry, with the post of each
   * (sends that went through before a crash). A post carries several keys when it was coalesced,
   * and a resend may be coalesced differently, so keys are matched one by one.
   */
  private async postedKeys(channelId: string): Promise<Map<string, SentRef>> {
    const posted = new Map<string, SentRef>();
    try {
      const history = await this.deps.queues.run(channelId, () =>
        this.deps.client.conversations.history({ channel: channelId, limit: 200, include_all_metadata: true, oldest: msToTs(Date.now() - RESEND_LOOKBACK_MS) }),
      );
      for (const raw of history.messages ?? []) {
        const message = asRecord(raw);
        const ts = stringField(message, 'ts');
        if (!ts) continue;
        for (const key of metadataKeys(message, NOTIFICATION_EVENT_TYPE)) posted.set(key, { platform: 'slack', channelId, messageId: ts });
      }
    } catch (err) {
      // Better a possible repeat than a lost ping.
      this.deps.log.warn({ channel: channelId, err: describe(err) }, 'could not check the channel history before resending; sending');
    }
    return posted;
  }

  /** A reply in a thread that already carries this idempotency key. */
  private async findInThread(channelId: string, threadId: string, key: string): Promise<SentRef | undefined> {
    try {
      const replies = await this.deps.queues.run(channelId, () =>
        this.deps.client.conversations.replies({ channel: channelId, ts: threadId, limit: 200, include_all_metadata: true }),
      );
      for (const raw of replies.messages ?? []) {
        const message = asRecord(raw);
        const ts = stringField(message, 'ts');
        if (ts && metadataKeys(message, THREAD_POST_EVENT_TYPE).includes(key)) return { platform: 'slack', channelId, messageId: ts };
      }
    } catch (err) {
      this.deps.log.warn({ channel: channelId, thread: threadId, err: describe(err) }, 'could not check the thread before resending; sending');
    }
    return undefined;
  }

  /** Replaces a message the bot posted (a staff-channel ping after a button was used). */
  async update(channelId: string, ts: string, message: SlackMessage): Promise<void> {
    await this.deps.queues.run(channelId, () => this.deps.client.chat.update({ channel: channelId, ts, text: message.text, blocks: message.blocks }));
  }
}

/** The idempotency keys a message's Slack metadata of `eventType` carries (none for other messages). */
function metadataKeys(message: Record<string, unknown> | undefined, eventType: string): string[] {
  const metadata = asRecord(message?.metadata);
  if (stringField(metadata, 'event_type') !== eventType) return [];
  const joined = stringField(asRecord(metadata?.event_payload), 'key');
  return joined === undefined ? [] : splitKeys(joined);
}
