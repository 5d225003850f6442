/**
 * One translation for every message the bot reads, whether it arrives as an
 * event (im.message.receive_v1) or is listed from a chat's history while
 * catching up (im/v1/messages): both become a WireMessage, whose content the
 * SDK's own `normalize` turns into text (mention placeholders resolved, the
 * bot's own mention taken out), and then the desk's IncomingMessage.
 *
 * Ids: a message belongs to its chat (`oc_…`); a reply in a thread (or a
 * quoted reply) names its thread's first message in `root_id`, which is the
 * ticket's thread for the desk.
 */
import { normalize, type RawMessageEvent } from '@larksuiteoapi/node-sdk';
import type { Author } from '../../src/domain/people.js';
import type { IncomingMessage } from '../../src/service/desk-port.js';

export interface WireMessage {
  messageId: string;
  chatId: string;
  chatType?: string;
  /** The first message of the thread this one is in (absent for a top-level message). */
  rootId?: string;
  /** The thread (omt_…) this message is in or heads, when there is one. */
  threadId?: string;
  /** Epoch ms. */
  createTime: number;
  /** Epoch ms of the last edit, when edited. */
  updateTime?: number;
  updated?: boolean;
  /** Recalled. */
  deleted?: boolean;
  messageType: string;
  content: string;
  mentions: RawMention[];
  sender: {
    /** The person's open id; for an app, its app id. */
    id: string;
    /** A person (not an app or the system). */
    isPerson: boolean;
    tenantKey?: string;
    name?: string;
  };
}

export interface BotIdentity {
  openId: string;
  name: string;
}

type RawMention = NonNullable<RawMessageEvent['message']['mentions']>[number];
type Json = Record<string, unknown>;
const record = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const millis = (value: unknown): number | undefined => {
  const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

function mentionsOf(value: unknown): RawMention[] {
  if (!Array.isArray(value)) return [];
  const mentions: RawMention[] = [];
  for (const raw of value) {
    const m = record(raw);
    const key = text(m?.key);
    if (!m || !key) continue;
    // Events give the ids as an object; history gives the open id as a string.
    const ids = record(m.id);
    const id = ids ? { ...(text(ids.open_id) ? { open_id: text(ids.open_id) } : {}), ...(text(ids.user_id) ? { user_id: text(ids.user_id) } : {}) } : text(m.id) ? { open_id: text(m.id) } : {};
    mentions.push({ key, id, ...(text(m.name) ? { name: text(m.name) } : {}), ...(text(m.tenant_key) ? { tenant_key: text(m.tenant_key) } : {}) });
  }
  return mentions;
}

/** The `message` and `sender` of an im.message.receive_v1 event; undefined when malformed. */
export function fromEvent(event: unknown): WireMessage | undefined {
  const data = record(event);
  const message = record(data?.message);
  const sender = record(data?.sender);
  const messageId = text(message?.message_id);
  const chatId = text(message?.chat_id);
  const createTime = millis(message?.create_time);
  if (!message || !sender || !messageId || !chatId || createTime === undefined) return undefined;
  const ids = record(sender.sender_id);
  const rootId = text(message.root_id);
  return {
    messageId,
    chatId,
    ...(text(message.chat_type) ? { chatType: text(message.chat_type) } : {}),
    ...(rootId && rootId !== messageId ? { rootId } : {}),
    ...(text(message.thread_id) ? { threadId: text(message.thread_id) } : {}),
    createTime,
    messageType: text(message.message_type) ?? 'unknown',
    content: typeof message.content === 'string' ? message.content : '',
    mentions: mentionsOf(message.mentions),
    sender: {
      id: text(ids?.open_id) ?? text(ids?.user_id) ?? 'unknown',
      isPerson: sender.sender_type === 'user',
      ...(text(sender.tenant_key) ? { tenantKey: text(sender.tenant_key) } : {}),
    },
  };
}

/** An item of im/v1/messages (history); undefined when malformed. */
export function fromListItem(item: unknown, chatId: string): WireMessage | undefined {
  const message = record(item);
  const messageId = text(message?.message_id);
  const createTime = millis(message?.create_time);
  if (!message || !messageId || createTime === undefined) return undefined;
  const sender = record(message.sender);
  const rootId = text(message.root_id);
  const updateTime = millis(message.update_time);
  return {
    messageId,
    chatId: text(message.chat_id) ?? chatId,
    ...(rootId && rootId !== messageId ? { rootId } : {}),
    ...(text(message.thread_id) ? { threadId: text(message.thread_id) } : {}),
    createTime,
    ...(updateTime !== undefined ? { updateTime } : {}),
    ...(message.updated === true ? { updated: true } : {}),
    ...(message.deleted === true ? { deleted: true } : {}),
    messageType: text(message.msg_type) ?? 'unknown',
    content: text(record(message.body)?.content) ?? '',
    mentions: mentionsOf(message.mentions),
    sender: {
      id: text(sender?.id) ?? 'unknown',
      isPerson: sender?.sender_type === 'user',
      ...(text(sender?.tenant_key) ? { tenantKey: text(sender?.tenant_key) } : {}),
      ...(text(sender?.sender_name) ? { name: text(sender?.sender_name) } : {}),
    },
  };
}

export interface ReadMessage {
  /** The text, mention placeholders as names, the bot's own mention taken out. */
  text: string;
  mentionedBot: boolean;
}

/** The message's text, read by the SDK (text, rich text, files, cards …). */
export async function readMessage(wire: WireMessage, identity: BotIdentity | undefined): Promise<ReadMessage> {
  const normalized = await normalize(
    {
      sender: { sender_id: { open_id: wire.sender.id }, sender_type: wire.sender.isPerson ? 'user' : 'app' },
      message: {
        message_id: wire.messageId,
        chat_id: wire.chatId,
        chat_type: wire.chatType === 'p2p' ? 'p2p' : 'group',
        message_type: wire.messageType,
        content: wire.content,
        mentions: wire.mentions,
        create_time: String(wire.createTime),
      },
    },
    { botIdentity: identity ?? { openId: '', name: '' }, stripBotMentions: true },
  );
  return { text: normalized.content, mentionedBot: normalized.mentionedBot };
}

export function authorOf(wire: WireMessage): Author {
  return {
    userId: wire.sender.id,
    ...(wire.sender.name ? { name: wire.sender.name } : {}),
    ...(wire.sender.isPerson ? {} : { isBot: true }),
    ...(wire.sender.tenantKey ? { team: wire.sender.tenantKey } : {}),
  };
}

export function toIncoming(wire: WireMessage, messageText: string): IncomingMessage {
  return {
    platform: 'lark',
    channelId: wire.chatId,
    messageId: wire.messageId,
    ...(wire.rootId ? { threadId: wire.rootId } : {}),
    author: authorOf(wire),
    text: messageText,
    at: wire.createTime,
  };
}
