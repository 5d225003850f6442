/**
 * A ticket's thread follows the ticket: archived when the ticket closes (it
 * leaves the channel's list of active threads), unarchived when a resolved
 * ticket is reopened (a thread Discord archived after a quiet week comes
 * back with it). The archive waits a moment, so the bot's own last words in
 * the thread (posted after the change, and a post unarchives a thread) go
 * first. Each ticket change is looked at once (by its number of events).
 */
import { Routes, type Client } from 'discord.js';
import { viewTicket, type Ticket } from '../../src/domain/ticket.js';
import { describe, type Logger } from '../../src/service/logger.js';

export interface ThreadArchiverOptions {
  client: Client;
  log: Logger;
  /** How long after the close the thread is archived (ms; default 2 s). */
  archiveDelayMs?: number;
}

export class ThreadArchiver {
  private readonly seen = new Map<number, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: ThreadArchiverOptions) {}

  /** A ticket changed (here or on another replica). */
  changed(ticket: Ticket): void {
    if (ticket.platform !== 'discord') return;
    const length = ticket.events.length;
    const before = this.seen.get(ticket.id) ?? 0;
    if (before >= length) return;
    this.seen.set(ticket.id, length);
    // A change may append several events (a reopen, then the customer's message).
    const added = ticket.events.slice(before === 0 ? Math.max(0, length - 2) : before);
    if (viewTicket(ticket).state === 'closed' && added.some((e) => e.type === 'closed')) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.track(this.set(ticket, true));
      }, this.options.archiveDelayMs ?? 2_000);
      this.timers.add(timer);
    } else if (viewTicket(ticket).state !== 'closed' && added.some((e) => e.type === 'reopened')) {
      this.track(this.set(ticket, false));
    }
  }

  /** Resolves when no archive change is waiting or under way. */
  async settled(): Promise<void> {
    while (this.timers.size || this.pending.size) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async set(ticket: Ticket, archived: boolean): Promise<void> {
    try {
      await this.options.client.rest.patch(Routes.channel(ticket.threadId), { body: { archived } });
      this.options.log.info({ ticket: ticket.id, thread: ticket.threadId, archived }, archived ? 'discord: archived the thread of a closed ticket' : 'discord: unarchived the thread of a reopened ticket');
    } catch (err) {
      this.options.log.warn({ ticket: ticket.id, thread: ticket.threadId, archived, err: describe(err) }, 'discord: could not change whether a ticket\'s thread is archived');
    }
  }
}
