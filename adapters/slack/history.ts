/**
 * Reading a channel: one message by ts (for a :ticket: reaction), and
 * Slack's side of reconciliation (../common/reconcile.ts): a channel's
 * history and a thread's replies after a ts, in pages of 200. Reads run in
 * their own lane per channel, so a 429 on history is waited out without
 * holding up posts.
 */
import type { HistoryPage, HistorySource, Located } from '../common/reconcile.js';
import type { IncomingMessage } from '../../src/service/desk-port.js';
import type { Logger } from '../../src/service/logger.js';
import type { MethodRates } from '../common/method-rates.js';
import type { ChannelQueues } from './channel-queue.js';
import type { WebClient } from './context.js';
import { asRecord, isBotMessage, isPersonMessage, stringField, toIncoming, type AuthorFacts, type Json } from './slack-message.js';
import { isSlackTs, SLACK_ORDER, slackToPlain, tsToMs } from './text.js';

export interface Reader {
  client: WebClient;
  queues: ChannelQueues;
  /** Keeps each reading method within its rate tier (absent: only 429s pace them). */
  rates?: MethodRates;
}

/** Slack's rate tiers (calls a minute per app and workspace) of the methods the adapter reads with. */
export const SLACK_READ_TIERS: Readonly<Record<string, number>> = {
  'conversations.history': 50, // Tier 3
  'conversations.replies': 50, // Tier 3
};

/** A read call in the channel's reading lane, within its method's tier. */
function read<T>(reader: Reader, channelId: string, method: keyof typeof SLACK_READ_TIERS & string, call: () => Promise<T>): Promise<T> {
  return reader.queues.run(lane(channelId), () => (reader.rates ? reader.rates.run(method, call) : call()));
}

const lane = (channelId: string) => `read:${channelId}`;
const PAGE = 200;
/** A bound on one listing per channel or thread in a reconciliation (pages of 200). */
export const MAX_PAGES = 50;

function messagesOf(result: { messages?: unknown[] }): Json[] {
  return (result.messages ?? []).map(asRecord).filter((m): m is Json => m !== undefined);
}

function nextPage(result: { has_more?: boolean; response_metadata?: { next_cursor?: string } }): string | undefined {
  return (result.has_more && result.response_metadata?.next_cursor) || undefined;
}

/** One message of a channel, top-level or in a thread; undefined when Slack does not return it. */
export async function fetchMessage(reader: Reader, channelId: string, ts: string): Promise<Json | undefined> {
  const top = await read(reader, channelId, 'conversations.history', () =>
    reader.client.conversations.history({ channel: channelId, latest: ts, oldest: ts, inclusive: true, limit: 1 }),
  );
  const found = messagesOf(top).find((m) => stringField(m, 'ts') === ts);
  if (found) return found;
  // A thread reply is not in the channel's history; replies() accepts any message of a thread.
  const thread = await read(reader, channelId, 'conversations.replies', () => reader.client.conversations.replies({ channel: channelId, ts, limit: PAGE }));
  return messagesOf(thread).find((m) => stringField(m, 'ts') === ts);
}

export class SlackHistory implements HistorySource<Json> {
  readonly platform = 'slack' as const;
  readonly order = SLACK_ORDER;

  constructor(private readonly deps: Reader & { facts: AuthorFacts; log: Logger }) {}

  async newest(channelId: string): Promise<string | undefined> {
    const { client } = this.deps;
    const result = await read(this.deps, channelId, 'conversations.history', () => client.conversations.history({ channel: channelId, limit: 1 }));
    return stringField(messagesOf(result)[0], 'ts');
  }

  async channelPage(channelId: string, after: string, page?: string): Promise<HistoryPage<Json>> {
    const { client } = this.deps;
    const result = await read(this.deps, channelId, 'conversations.history', () =>
      client.conversations.history({ channel: channelId, oldest: after, limit: PAGE, ...(page ? { cursor: page } : {}) }),
    );
    const next = nextPage(result);
    return { messages: messagesOf(result), ...(next ? { next } : {}) };
  }

  async threadPage(channelId: string, threadId: string, after: string, page?: string): Promise<HistoryPage<Json>> {
    const { client } = this.deps;
    const result = await read(this.deps, channelId, 'conversations.replies', () =>
      client.conversations.replies({ channel: channelId, ts: threadId, oldest: after, limit: PAGE, ...(page ? { cursor: page } : {}) }),
    );
    const next = nextPage(result);
    // Slack returns the thread's first message on every page.
    return { messages: messagesOf(result).filter((m) => stringField(m, 'ts') !== threadId), ...(next ? { next } : {}) };
  }

  locate(message: Json): Located | undefined {
    const ts = stringField(message, 'ts');
    if (!isSlackTs(ts)) return undefined;
    const heads = typeof message.reply_count === 'number' ? message.reply_count > 0 : stringField(message, 'thread_ts') === ts;
    return { id: ts, position: ts, ...(heads ? { thread: ts } : {}) };
  }

  /** Slack lists a thread's first message with the ts of its newest reply. */
  latestReply(message: Json): string | undefined {
    const latest = stringField(message, 'latest_reply');
    return isSlackTs(latest) ? latest : undefined;
  }

  async incoming(channelId: string, message: Json): Promise<IncomingMessage | undefined> {
    if (!isPersonMessage(message)) return undefined;
    const incoming = await toIncoming(channelId, message, this.deps.facts);
    if (!incoming) this.deps.log.warn({ channel: channelId, ts: stringField(message, 'ts') }, 'skipped a malformed message');
    return incoming;
  }

  edited(message: Json): { text: string; at: number } | undefined {
    const editedTs = stringField(asRecord(message.edited), 'ts');
    if (!isSlackTs(editedTs) || isBotMessage(message, this.deps.facts)) return undefined;
    return { text: slackToPlain(typeof message.text === 'string' ? message.text : ''), at: tsToMs(editedTs) };
  }
}
