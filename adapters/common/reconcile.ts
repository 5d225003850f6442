/**
 * Catching up after time away, for every platform. Events that arrive while
 * the bot is down (or while a gateway session is lost) are not delivered
 * again, so each bound customer channel is read from its cursor on: its
 * top-level messages, and the replies in every live ticket's thread and in
 * every thread that started meanwhile. Everything read is merged into one
 * time order — whether a message joins a ticket depends on what came before
 * it — and fed through the same door as a live message, with its own
 * timestamp; the desk's dedup by message id makes a second look harmless.
 * The cursor moves past each message once it is handled, so a pass that
 * fails half-way resumes there next time.
 *
 * A channel read for the first time has no cursor: it starts at the newest
 * message (or now, when the channel is empty), and older history is not
 * turned into tickets.
 *
 * A platform takes part by implementing HistorySource: list a channel's
 * messages and a thread's replies after a position, in pages, and say what
 * a message is.
 */
import type { Platform } from '../../src/domain/ticket.js';
import type { IncomingMessage, SupportDesk } from '../../src/service/desk-port.js';
import { describe, type Logger } from '../../src/service/logger.js';
import type { CursorBook, CursorOrder } from './cursors.js';

export interface HistoryPage<M> {
  messages: readonly M[];
  /** Where the next page starts, when there may be one (opaque to the driver). */
  next?: string;
}

/** What the driver needs to know of a message it read. */
export interface Located {
  /** The platform's message id. */
  id: string;
  /** Its place in the channel's order: the cursor value once it is handled. */
  position: string;
  /** The thread this message heads, when replies may be there. */
  thread?: string;
}

/** A platform's message history, read over its API. `M` is the platform's message. */
export interface HistorySource<M> {
  readonly platform: Platform;
  readonly order: CursorOrder;
  /** The position of the channel's newest message; undefined when the channel is empty. */
  newest(channelId: string): Promise<string | undefined>;
  /** A page of the channel's top-level messages after `after` (exclusive), in any order. `page` is a previous page's `next`. */
  channelPage(channelId: string, after: string, page?: string): Promise<HistoryPage<M>>;
  /** A page of the replies in thread `threadId` after `after` (exclusive), without the thread's first message. */
  threadPage(channelId: string, threadId: string, after: string, page?: string): Promise<HistoryPage<M>>;
  /** Where a message is; undefined for one the driver cannot place (it is skipped). */
  locate(message: M): Located | undefined;
  /** The message as the desk reads it; undefined for what is not a person's message (joins, bots), which is only passed over. */
  incoming(channelId: string, message: M): Promise<IncomingMessage | undefined>;
  /** The message's current text and when it was last edited, if it was. */
  edited?(message: M): { text: string; at: number } | undefined;
}

/** The part of the desk reconciliation uses. */
export type ReconcileDesk = Pick<SupportDesk, 'receiveMessage' | 'messageEdited' | 'activeTickets'>;

export interface ReconcileOptions {
  /**
   * Read this much before the cursor too (ms): a message whose event was
   * taken but not handled when a later one moved the cursor is still found.
   * Re-reading is harmless. Default 0.
   */
  overlapMs?: number;
}

export interface ReconcilerDeps<M> extends ReconcileOptions {
  desk: ReconcileDesk;
  source: HistorySource<M>;
  cursors: CursorBook;
  /** The bound customer channels of the platform. */
  channels: () => readonly string[];
  now: () => number;
  log: Logger;
  /** Pages read at most per listing (a channel's, a thread's); default no bound. */
  maxPages?: number;
  /** Runs one message's handling in the channel's lane, so it never races the same channel's live events. */
  lane?: <T>(channelId: string, work: () => Promise<T>) => Promise<T>;
  /** Said in the warning when a channel cannot be read (what to check). */
  unreadableHint?: string;
}

export interface ReconcileReport {
  channels: number;
  /** Messages (top-level and replies) fed to the desk. */
  messages: number;
  /** Channels that could not be read (logged); the next pass tries them again from their cursor. */
  failed: string[];
}

export class Reconciler<M> {
  private running: Promise<ReconcileReport> | undefined;
  private again = false;

  constructor(private readonly deps: ReconcilerDeps<M>) {}

  /**
   * Catches up on every bound channel. A call while a pass runs asks for one
   * more pass after it (never two at once) and resolves with that pass's report.
   */
  run(reason: string): Promise<ReconcileReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const running = (async () => {
      try {
        let report: ReconcileReport;
        do {
          this.again = false;
          report = await this.pass(reason);
        } while (this.again);
        return report;
      } finally {
        this.running = undefined;
      }
    })();
    this.running = running;
    return running;
  }

  /** Resolves when no pass is running. */
  async settled(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  private async pass(reason: string): Promise<ReconcileReport> {
    const { source, log } = this.deps;
    const started = Date.now();
    const channels = [...new Set(this.deps.channels())];
    const report: ReconcileReport = { channels: channels.length, messages: 0, failed: [] };
    // Live tickets first, then the reading: reading changes tickets, and a listing is best not walked while it changes.
    const threads = new Map<string, Set<string>>();
    for await (const ticket of this.deps.desk.activeTickets(source.platform)) {
      const set = threads.get(ticket.channelId) ?? new Set<string>();
      set.add(ticket.threadId);
      threads.set(ticket.channelId, set);
    }
    for (const channelId of channels) {
      try {
        report.messages += await this.catchUp(channelId, threads.get(channelId) ?? new Set());
      } catch (err) {
        report.failed.push(channelId);
        const hint = this.deps.unreadableHint ? ` (${this.deps.unreadableHint})` : '';
        log.warn({ channel: channelId, err: describe(err) }, `${source.platform}: could not catch up on the channel${hint}`);
      }
    }
    log.info({ reason, ...report, ms: Date.now() - started }, `${source.platform}: caught up on the customer channels`);
    return report;
  }

  /** Feeds what the channel holds after its cursor, in time order; returns how many messages went to the desk. */
  private async catchUp(channelId: string, threads: Set<string>): Promise<number> {
    const { source, cursors, log } = this.deps;
    const { cursor, after } = await this.startOf(channelId);

    const read = new Map<string, { message: M; at: Located }>();
    const keep = (message: M) => {
      const at = source.locate(message);
      if (at && !read.has(at.id)) read.set(at.id, { message, at });
      return at;
    };
    for (const message of await this.all((page) => source.channelPage(channelId, after, page))) {
      const thread = keep(message)?.thread;
      if (thread) threads.add(thread);
    }
    for (const thread of threads) {
      for (const message of await this.all((page) => source.threadPage(channelId, thread, after, page))) keep(message);
    }

    const ordered = [...read.values()].sort((a, b) => source.order.compare(a.at.position, b.at.position));
    const lane = this.deps.lane ?? ((_channel, work) => work());
    let fed = 0;
    for (const { message, at } of ordered) {
      fed += await lane(channelId, async () => {
        const incoming = await source.incoming(channelId, message);
        if (incoming) {
          const outcome = await this.deps.desk.receiveMessage(incoming);
          if (outcome.kind !== 'duplicate' && outcome.kind !== 'ignored') {
            log.info({ channel: channelId, message: at.id, outcome: outcome.kind }, `${source.platform}: caught up on a message missed while disconnected`);
          }
          await this.catchUpEdit(channelId, message, at, cursor);
        }
        await cursors.advance(channelId, at.position);
        return incoming ? 1 : 0;
      });
    }
    return fed;
  }

  /**
   * The channel's cursor, and where reading starts: a little before the
   * cursor (the overlap), or — the first time — at the newest message, of
   * which only what came after is read.
   */
  private async startOf(channelId: string): Promise<{ cursor: string; after: string }> {
    const { source, cursors, log } = this.deps;
    const cursor = await cursors.get(channelId);
    if (cursor !== undefined) {
      const overlapMs = this.deps.overlapMs ?? 0;
      return { cursor, after: overlapMs > 0 ? source.order.at(Math.max(0, source.order.timeOf(cursor) - overlapMs)) : cursor };
    }
    const now = this.deps.now();
    const start = (await source.newest(channelId)) ?? source.order.at(now);
    await cursors.advance(channelId, start);
    log.info({ channel: channelId }, `${source.platform}: first start in this channel: tickets open from new messages on`);
    return { cursor: start, after: start };
  }

  /** A message read again (it is before the cursor) that was edited after the cursor: its ticket gets the new text. */
  private async catchUpEdit(channelId: string, message: M, at: Located, cursor: string): Promise<void> {
    const { source } = this.deps;
    // A message after the cursor was just opened or recorded with its current text.
    if (source.order.compare(at.position, cursor) > 0) return;
    const edit = source.edited?.(message);
    if (!edit || edit.at <= source.order.timeOf(cursor)) return;
    await this.deps.desk.messageEdited(source.platform, channelId, at.id, edit.text, edit.at);
  }

  /** Every page of a listing (up to maxPages). */
  private async all(read: (page?: string) => Promise<HistoryPage<M>>): Promise<M[]> {
    const messages: M[] = [];
    let page: string | undefined;
    for (let pages = 0; pages < (this.deps.maxPages ?? Infinity); pages++) {
      const result = await read(page);
      messages.push(...result.messages);
      page = result.next;
      if (page === undefined) break;
    }
    return messages;
  }
}
