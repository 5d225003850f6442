/**
 * Slack message objects (from events, conversations.history/replies and
 * shortcuts) → the core's IncomingMessage. Payloads are read defensively: a
 * field of the wrong shape makes the message unreadable (undefined), never
 * a crash.
 */
import type { Author } from '../../src/domain/people.js';
import type { IncomingMessage } from '../../src/service/desk-port.js';
import { isSlackTs, slackToPlain, tsToMs } from './text.js';

export type Json = Record<string, unknown>;

export function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function stringField(record: Json | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Subtypes that are still a person's message; every other subtype (bot_message, channel_join …) is not. */
const PERSON_SUBTYPES = new Set(['thread_broadcast', 'file_share', 'me_message']);

/** Who is asking, as the adapter knows them: the bot's own ids and the staff directory. */
export interface AuthorFacts {
  botUserId?: string;
  botId?: string;
  groupsOf(userId: string): string[];
  teamOf(userId: string): string | undefined;
  noteTeam(userId: string, team: string | undefined): void;
  /** The author, marked as a guest of the workspace when they are one (guests are never staff). */
  markGuest(author: Author): Promise<Author>;
}

/** Whether a message object was written by a bot (this one or any other). */
export function isBotMessage(message: Json, facts: Pick<AuthorFacts, 'botUserId' | 'botId'>): boolean {
  const user = stringField(message, 'user');
  return (
    stringField(message, 'subtype') === 'bot_message' ||
    stringField(message, 'bot_id') !== undefined ||
    message.bot_profile !== undefined ||
    (user !== undefined && user === facts.botUserId)
  );
}

/** Whether a message object is something a person said (not a join, topic change, edit or deletion). */
export function isPersonMessage(message: Json): boolean {
  const subtype = stringField(message, 'subtype');
  return subtype === undefined || PERSON_SUBTYPES.has(subtype);
}

/** A person as far as the adapter knows them when no message of theirs is at hand (commands, buttons, reactions). */
export async function personAuthor(facts: AuthorFacts, userId: string, team?: string): Promise<Author> {
  const known = team ?? facts.teamOf(userId);
  return facts.markGuest({ userId, groups: facts.groupsOf(userId), ...(known ? { team: known } : {}) });
}

/** The author of a message object; undefined when it names nobody. */
export function authorOf(message: Json, facts: AuthorFacts): Author | undefined {
  const isBot = isBotMessage(message, facts);
  const userId = stringField(message, 'user') ?? stringField(message, 'bot_id');
  if (!userId) return undefined;
  // In a Slack Connect channel the customer posts from their own workspace.
  const team = stringField(message, 'user_team') ?? stringField(message, 'team');
  if (!isBot) facts.noteTeam(userId, team);
  const profile = asRecord(message.user_profile);
  const name = stringField(profile, 'real_name') ?? stringField(profile, 'display_name');
  return {
    userId,
    ...(name ? { name } : {}),
    ...(isBot ? { isBot: true } : { groups: facts.groupsOf(userId) }),
    ...(team ? { team } : {}),
  };
}

/**
 * A message object as the core's IncomingMessage: id = ts, `at` = ts in
 * epoch ms, a reply's thread = its thread_ts. Undefined when unreadable.
 */
export async function toIncoming(channelId: string, message: Json, facts: AuthorFacts): Promise<IncomingMessage | undefined> {
  const ts = stringField(message, 'ts');
  if (!isSlackTs(ts)) return undefined;
  const named = authorOf(message, facts);
  if (!named) return undefined;
  const author = await facts.markGuest(named);
  const threadTs = stringField(message, 'thread_ts');
  const text = typeof message.text === 'string' ? slackToPlain(message.text) : '';
  return {
    platform: 'slack',
    channelId,
    messageId: ts,
    ...(threadTs && threadTs !== ts && isSlackTs(threadTs) ? { threadId: threadTs } : {}),
    author,
    text,
    at: tsToMs(ts),
  };
}
