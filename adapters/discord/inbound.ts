/**
 * One translation for every message the bot reads, whether it arrives on the
 * gateway (MESSAGE_CREATE) or is fetched over REST while reconciling: the
 * wire JSON becomes the core's IncomingMessage. Working from the JSON rather
 * than discord.js's cached objects means a message in a thread the client has
 * not cached (after a restart, say) is read all the same.
 */
import { MessageType } from 'discord.js';
import type { Author } from '../../src/domain/people.js';
import type { IncomingMessage } from '../../src/service/desk-port.js';
import type { Place } from './channel-map.js';
import { isSnowflake, timeOfSnowflake } from './snowflake.js';

/** The fields of a Discord message object the adapter reads. */
export interface WireMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  type?: number;
  author?: { id: string; username?: string; global_name?: string | null; bot?: boolean; system?: boolean };
  /** Present on gateway messages in guilds; REST history leaves it out. */
  member?: { roles?: string[]; nick?: string | null };
  webhook_id?: string;
  content?: string;
  timestamp?: string;
  edited_timestamp?: string | null;
  attachments?: { filename?: string }[];
  /** Message flags; HAS_THREAD marks a message a thread was started on. */
  flags?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Checks the shape of gateway or REST JSON (typed `any` by discord.js) before anything reads it. */
export function asWireMessage(data: unknown): WireMessage | undefined {
  if (!isRecord(data) || typeof data.id !== 'string' || typeof data.channel_id !== 'string') return undefined;
  const author = isRecord(data.author) && typeof data.author.id === 'string' ? (data.author as WireMessage['author']) : undefined;
  const member = isRecord(data.member) ? (data.member as WireMessage['member']) : undefined;
  return {
    id: data.id,
    channel_id: data.channel_id,
    ...(typeof data.guild_id === 'string' ? { guild_id: data.guild_id } : {}),
    ...(typeof data.type === 'number' ? { type: data.type } : {}),
    ...(author ? { author } : {}),
    ...(member && (member.roles === undefined || Array.isArray(member.roles)) ? { member } : {}),
    ...(typeof data.webhook_id === 'string' ? { webhook_id: data.webhook_id } : {}),
    ...(typeof data.content === 'string' ? { content: data.content } : {}),
    ...(typeof data.timestamp === 'string' ? { timestamp: data.timestamp } : {}),
    ...(typeof data.edited_timestamp === 'string' ? { edited_timestamp: data.edited_timestamp } : {}),
    ...(Array.isArray(data.attachments) ? { attachments: data.attachments.filter(isRecord) as WireMessage['attachments'] } : {}),
    ...(typeof data.flags === 'number' ? { flags: data.flags } : {}),
  };
}

/** People talking: default messages and replies. Joins, pins, thread starters and command echoes are not. */
export function isConversation(message: WireMessage): boolean {
  return message.type === undefined || message.type === MessageType.Default || message.type === MessageType.Reply;
}

/** Bots (this one included), webhooks and Discord's system messages are never staff nor customers. */
export function isFromBot(message: WireMessage, botUserId: string | undefined): boolean {
  return Boolean(message.author?.bot || message.author?.system || message.webhook_id || (botUserId && message.author?.id === botUserId));
}

/** The platform time of a message: its timestamp, else the time in its id. */
export function sentAt(message: WireMessage): number {
  const parsed = message.timestamp ? Date.parse(message.timestamp) : NaN;
  if (Number.isFinite(parsed)) return parsed;
  return isSnowflake(message.id) ? timeOfSnowflake(message.id) : Date.now();
}

/** The text a ticket keeps: the content, or the names of the files when only files were sent. */
export function textOf(message: WireMessage): string {
  const content = message.content ?? '';
  if (content.trim()) return content;
  const files = (message.attachments ?? []).map((a) => a.filename).filter((f): f is string => Boolean(f));
  return files.length ? `[attached: ${files.join(', ')}]` : content;
}

export function toIncoming(message: WireMessage, place: Place, roles: readonly string[], botUserId: string | undefined): IncomingMessage {
  const user = message.author;
  const author: Author = {
    userId: user?.id ?? 'unknown',
    name: message.member?.nick ?? user?.global_name ?? user?.username ?? user?.id ?? 'unknown',
    isBot: isFromBot(message, botUserId),
    groups: roles,
  };
  return {
    platform: 'discord',
    channelId: place.channelId,
    messageId: message.id,
    ...(place.threadId ? { threadId: place.threadId } : {}),
    author,
    text: textOf(message),
    at: sentAt(message),
  };
}
