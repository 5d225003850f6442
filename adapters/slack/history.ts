/**
 * Reading a channel: one message by ts (for a :ticket: reaction), and
 * everything after a cursor (reconciliation). Reads run in their own lane
 * per channel, so a 429 on history is waited out without holding up posts.
 */
import type { ChannelQueues } from './channel-queue.js';
import type { WebClient } from './context.js';
import { asRecord, stringField, type Json } from './slack-message.js';
import { compareTs } from './text.js';

export interface Reader {
  client: WebClient;
  queues: ChannelQueues;
}

const lane = (channelId: string) => `read:${channelId}`;
const PAGE = 200;
/** A bound on one reconciliation per channel (pages of 200). */
const MAX_PAGES = 50;

function messagesOf(result: { messages?: unknown[] }): Json[] {
  return (result.messages ?? []).map(asRecord).filter((m): m is Json => m !== undefined);
}

/** One message of a channel, top-level or in a thread; undefined when Slack does not return it. */
export async function fetchMessage(reader: Reader, channelId: string, ts: string): Promise<Json | undefined> {
  const top = await reader.queues.run(lane(channelId), () =>
    reader.client.conversations.history({ channel: channelId, latest: ts, oldest: ts, inclusive: true, limit: 1 }),
  );
  const found = messagesOf(top).find((m) => stringField(m, 'ts') === ts);
  if (found) return found;
  // A thread reply is not in the channel's history; replies() accepts any message of a thread.
  const thread = await reader.queues.run(lane(channelId), () => reader.client.conversations.replies({ channel: channelId, ts, limit: PAGE }));
  return messagesOf(thread).find((m) => stringField(m, 'ts') === ts);
}

/** Top-level messages after `oldest` (exclusive), oldest first. */
export async function historySince(reader: Reader, channelId: string, oldest: string): Promise<Json[]> {
  const all: Json[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await reader.queues.run(lane(channelId), () =>
      reader.client.conversations.history({ channel: channelId, oldest, limit: PAGE, ...(cursor ? { cursor } : {}) }),
    );
    all.push(...messagesOf(result));
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor || !result.has_more) break;
  }
  return sortByTs(all);
}

/** The replies of one thread after `oldest` (exclusive), oldest first, without the thread's root. */
export async function repliesSince(reader: Reader, channelId: string, threadTs: string, oldest: string): Promise<Json[]> {
  const all: Json[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await reader.queues.run(lane(channelId), () =>
      reader.client.conversations.replies({ channel: channelId, ts: threadTs, oldest, limit: PAGE, ...(cursor ? { cursor } : {}) }),
    );
    all.push(...messagesOf(result));
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor || !result.has_more) break;
  }
  return sortByTs(all.filter((m) => stringField(m, 'ts') !== threadTs));
}

/** The newest message of a channel (its ts), to start a cursor from. */
export async function newestTs(reader: Reader, channelId: string): Promise<string | undefined> {
  const result = await reader.queues.run(lane(channelId), () => reader.client.conversations.history({ channel: channelId, limit: 1 }));
  return stringField(messagesOf(result)[0], 'ts');
}

function sortByTs(messages: Json[]): Json[] {
  const seen = new Set<string>();
  const unique = messages.filter((m) => {
    const ts = stringField(m, 'ts');
    if (!ts || seen.has(ts)) return false;
    seen.add(ts);
    return true;
  });
  return unique.sort((a, b) => compareTs(stringField(a, 'ts') as string, stringField(b, 'ts') as string));
}
