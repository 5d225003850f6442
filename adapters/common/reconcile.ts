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
 *
 * The cost of a pass follows the channels, not the open tickets: a platform
 * whose listing says where each thread's newest reply is (Slack's
 * `latest_reply`) has the channel listed from its oldest live ticket on, and
 * only the threads whose newest reply is after the cursor and newer than
 * what the ticket records are read. Channels with live tickets go first.
 * A pass may be given a floor (`since`): every channel is read from there at
 * least — after a store outage, events refused meanwhile are before cursors
 * that live events moved since.
 */
import type { Platform, Ticket } from '../../src/domain/ticket.js';
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
  /**
   * For a thread's first message: the position of the thread's newest reply,
   * as the channel's listing shows it. A platform that says it has only the
   * threads that moved read (see the file comment); one that does not has
   * every live ticket's thread read.
   */
  latestReply?(message: M): string | undefined;
}

/** How far a pass has come, for the metrics. */
export interface ReconcileProgress {
  /** Bound channels the running pass has not finished yet (0 between passes). */
  channelsBehind: number;
  /** The instant (epoch ms) of the oldest cursor among them; undefined when none is behind. */
  oldestCursorAt?: number;
  /** When the last pass ended (epoch ms). */
  lastPassAt?: number;
}

export interface PassOptions {
  /** Read every channel from this instant (epoch ms) on at least, whatever its cursor says. */
  since?: number;
  /**
   * The cursors to read from, taken before live events were received
   * (cursorsNow): a live event moves a cursor past what the pass has yet to
   * read in that channel. A channel not in it reads from its cursor.
   */
  from?: ReadonlyMap<string, string>;
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
  /** Channels read side by side (default 1); the platform's rate limits still pace the calls. */
  concurrency?: number;
}

export interface ReconcileReport {
  channels: number;
  /** Messages (top-level and replies) fed to the desk. */
  messages: number;
  /** Channels that could not be read (logged); the next pass tries them again from their cursor. */
  failed: string[];
}

/** What the live tickets of a channel tell a pass. */
interface ChannelTickets {
  /** Thread → the positions the ticket records (its messages, its acknowledgement). */
  threads: Map<string, ReadonlySet<string>>;
  /** The position of the oldest live ticket's thread. */
  oldest?: string;
}

export class Reconciler<M> {
  private running: Promise<ReconcileReport> | undefined;
  private again = false;
  private againSince: number | undefined;
  /** Channels of the running pass not finished yet. */
  private readonly behind = new Set<string>();
  private lastPassAt: number | undefined;
  private stopped = false;

  constructor(private readonly deps: ReconcilerDeps<M>) {}

  /** No more channels are started, and no more passes (the connection is stopping); resolves when the running one has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.settled();
  }

  /**
   * Catches up on every bound channel. A call while a pass runs asks for one
   * more pass after it (never two at once) and resolves with that pass's report.
   */
  run(reason: string, options: PassOptions = {}): Promise<ReconcileReport> {
    if (this.running) {
      this.again = true;
      if (options.since !== undefined) this.againSince = Math.min(this.againSince ?? Infinity, options.since);
      return this.running;
    }
    const running = (async () => {
      try {
        let report: ReconcileReport;
        let since = options.since;
        let from = options.from;
        if (this.stopped) throw new Error(`${this.deps.source.platform}: catch-up stopped`);
        do {
          this.again = false;
          report = await this.pass(reason, since, from);
          from = undefined;
          since = this.againSince;
          this.againSince = undefined;
        } while (this.again && !this.stopped);
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

  /** Every bound channel's cursor now (channels never read are left out), for a pass that starts while live events already move them. */
  async cursorsNow(): Promise<Map<string, string>> {
    const cursors = new Map<string, string>();
    for (const channel of new Set(this.deps.channels())) {
      const cursor = await this.deps.cursors.get(channel);
      if (cursor !== undefined) cursors.set(channel, cursor);
    }
    return cursors;
  }

  /** How far the running pass has come. */
  progress(): ReconcileProgress {
    const { source, cursors } = this.deps;
    let oldest: number | undefined;
    for (const channel of this.behind) {
      const cursor = cursors.peek(channel);
      if (cursor === undefined) continue;
      const at = source.order.timeOf(cursor);
      if (oldest === undefined || at < oldest) oldest = at;
    }
    return { channelsBehind: this.behind.size, ...(oldest !== undefined ? { oldestCursorAt: oldest } : {}), ...(this.lastPassAt !== undefined ? { lastPassAt: this.lastPassAt } : {}) };
  }

  private async pass(reason: string, since: number | undefined, from: ReadonlyMap<string, string> | undefined): Promise<ReconcileReport> {
    const { source, log } = this.deps;
    const started = Date.now();
    const bound = [...new Set(this.deps.channels())];
    const report: ReconcileReport = { channels: bound.length, messages: 0, failed: [] };
    // Live tickets first, then the reading: reading changes tickets, and a listing is best not walked while it changes.
    const tickets = new Map<string, ChannelTickets>();
    for await (const ticket of this.deps.desk.activeTickets(source.platform)) {
      const entry = tickets.get(ticket.channelId) ?? { threads: new Map<string, ReadonlySet<string>>() };
      // Only a platform whose thread ids are positions (Slack) lists from the oldest thread and compares what is known.
      if (source.latestReply) {
        entry.threads.set(ticket.threadId, known(ticket));
        if (entry.oldest === undefined || source.order.compare(ticket.threadId, entry.oldest) < 0) entry.oldest = ticket.threadId;
      } else {
        entry.threads.set(ticket.threadId, new Set());
      }
      tickets.set(ticket.channelId, entry);
    }
    // Channels with live tickets first: a customer waiting on an answer matters more than a quiet channel.
    const channels = [...bound.filter((c) => tickets.has(c)), ...bound.filter((c) => !tickets.has(c))];
    for (const channel of channels) {
      this.behind.add(channel);
      await this.deps.cursors.get(channel).catch(() => undefined); // for progress(); a failure shows up when the channel is read
    }
    let next = 0;
    const worker = async () => {
      while (next < channels.length && !this.stopped) {
        const channelId = channels[next++]!;
        try {
          const fed = await this.catchUp(channelId, tickets.get(channelId) ?? { threads: new Map() }, since, from?.get(channelId));
          report.messages += fed; // after the await: workers run side by side
        } catch (err) {
          report.failed.push(channelId);
          if (this.stopped) continue; // a shutdown cut the read short: its cursor stays where it was, for the next start
          const hint = this.deps.unreadableHint ? ` (${this.deps.unreadableHint})` : '';
          log.warn({ channel: channelId, err: describe(err) }, `${source.platform}: could not catch up on the channel${hint}`);
        } finally {
          this.behind.delete(channelId);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(this.deps.concurrency ?? 1, channels.length)) }, worker));
    } finally {
      this.behind.clear();
      this.lastPassAt = Date.now();
    }
    log.info({ reason, ...report, ms: Date.now() - started }, `${source.platform}: caught up on the customer channels`);
    return report;
  }

  /** Feeds what the channel holds after its cursor, in time order; returns how many messages went to the desk. */
  private async catchUp(channelId: string, live: ChannelTickets, since: number | undefined, from: string | undefined): Promise<number> {
    const { source, cursors, log } = this.deps;
    const { order } = source;
    const { cursor, after } = await this.startOf(channelId, since, from);
    const selective = source.latestReply !== undefined;
    // Listing from the oldest live ticket's thread on shows where each of those threads stands.
    const listFrom = selective && live.oldest !== undefined && order.compare(live.oldest, after) <= 0 ? order.at(order.timeOf(live.oldest) - 1) : after;

    const read = new Map<string, { message: M; at: Located }>();
    const keep = (message: M, at: Located) => {
      if (!read.has(at.id)) read.set(at.id, { message, at });
    };
    /** Top-level messages from before `after`: not fed again, only looked at for an edit. */
    const earlier: { message: M; at: Located }[] = [];
    const threads = new Set<string>();
    const listed = new Set<string>();
    for (const message of await this.all((page) => source.channelPage(channelId, listFrom, page))) {
      const at = source.locate(message);
      if (!at) continue;
      if (order.compare(at.position, after) > 0) keep(message, at);
      else earlier.push({ message, at });
      listed.add(at.id);
      if (!at.thread) continue;
      if (!selective || this.moved(source.latestReply!(message), after, live.threads.get(at.thread))) threads.add(at.thread);
    }
    // Every live ticket's thread, for a platform that does not say where its threads stand; else one whose first
    // message the listing did not show (deleted, or past the pages read), to be sure.
    for (const thread of live.threads.keys()) if (!selective || !listed.has(thread)) threads.add(thread);
    for (const thread of threads) {
      for (const message of await this.all((page) => source.threadPage(channelId, thread, after, page))) {
        const at = source.locate(message);
        if (at) keep(message, at);
      }
    }

    const ordered = [...read.values()].sort((a, b) => order.compare(a.at.position, b.at.position));
    const lane = this.deps.lane ?? ((_channel, work) => work());
    for (const { message, at } of earlier) {
      // Most have no edit since the cursor: spare them the look-up of who wrote them.
      const edit = source.edited?.(message);
      if (!edit || edit.at <= order.timeOf(cursor)) continue;
      await lane(channelId, async () => {
        if (await source.incoming(channelId, message)) await this.catchUpEdit(channelId, message, at, cursor);
      });
    }
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

  /** Whether a thread has a reply to read: its newest one is after `after`, and its ticket (if any) does not record it. */
  private moved(latest: string | undefined, after: string, known: ReadonlySet<string> | undefined): boolean {
    // A first message that does not say where its thread stands is read, to be sure.
    if (latest === undefined) return true;
    if (this.deps.source.order.compare(latest, after) <= 0) return false;
    return !known?.has(latest);
  }

  /**
   * The channel's cursor, and where reading starts: a little before the
   * cursor (the overlap) or the pass's floor, whichever is earlier, or — the
   * first time — at the newest message, of which only what came after is read.
   */
  private async startOf(channelId: string, since: number | undefined, from: string | undefined): Promise<{ cursor: string; after: string }> {
    const { source, cursors, log } = this.deps;
    const cursor = from ?? (await cursors.get(channelId));
    if (cursor !== undefined && since !== undefined && (await cursors.lostInStore(channelId))) {
      // The store came back without its data: what is before the cursor was handled, and its tickets are gone with
      // the data; reading it again would open them anew and acknowledge them twice. What came after is read.
      log.warn({ channel: channelId }, `${source.platform}: the store lost this channel's cursor (it came back empty?); reading from the cursor known here`);
      return { cursor, after: cursor };
    }
    if (cursor !== undefined) {
      const overlapMs = this.deps.overlapMs ?? 0;
      let after = overlapMs > 0 ? source.order.at(Math.max(0, source.order.timeOf(cursor) - overlapMs)) : cursor;
      if (since !== undefined && since < source.order.timeOf(after)) after = source.order.at(Math.max(0, since));
      return { cursor, after };
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

/** The message positions a ticket records: its messages and its acknowledgement. */
function known(ticket: Ticket): ReadonlySet<string> {
  const positions = new Set<string>();
  for (const event of ticket.events) if (event.messageId !== undefined) positions.add(event.messageId);
  if (ticket.ack?.ref !== undefined) positions.add(ticket.ack.ref);
  return positions;
}
