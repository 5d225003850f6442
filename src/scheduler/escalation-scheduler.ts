/**
 * Durable deadlines. Nothing is scheduled that cannot be derived again: the
 * pending instants come from the stored open tickets (their events and the
 * record of notifications already handled). At start-up every open ticket is
 * re-derived; what came due while the bot was down fires at once, late.
 * While running, each ticket change re-derives that ticket's instants.
 *
 * What a ticket's instants are, and what firing one does, is the service's
 * (its notifier, src/service/notify.ts): this keeps the time.
 */
import { isOpenState, viewTicket, type Ticket } from '../domain/ticket.js';
import { DeadlineQueue, type DeadlineEntry } from './deadline-queue.js';
import { DeadlineTimer, realTimers, type TimerHost } from './deadline-timer.js';

/** What the scheduler keeps the time for. */
export interface DeadlineSource {
  now(): number;
  /** Every ticket that is not closed. */
  activeTickets(): AsyncIterable<Ticket>;
  /** The instants a ticket next needs attention, each keyed `<ticket id>:<what>` (a clock, a resend). */
  deadlinesOf(ticket: Ticket, now: number): DeadlineEntry[];
  /** Handles what is due for one ticket now; returns the ticket as stored. */
  fireDue(ticketId: number): Promise<{ ticket: Ticket }>;
}

/** Due tickets handled at once. */
const FIRE_CONCURRENCY = 16;

export interface SchedulerOptions {
  host?: TimerHost;
  /**
   * Wait before retrying a ticket the store failed on (ms): the first retry
   * after this, each next one twice as long, up to `retryMaxMs`.
   */
  retryAfterMs?: number;
  retryMaxMs?: number;
  onError?: (error: unknown, context: string) => void;
}

export class EscalationScheduler {
  readonly queue = new DeadlineQueue();
  private readonly timer: DeadlineTimer;
  /** Queue keys per ticket, so a re-derivation can drop the ones that no longer apply. */
  private readonly keysByTicket = new Map<number, string[]>();
  /** Tier of every open (not resolved, not closed) ticket. */
  private readonly openTiers = new Map<number, string>();
  /** Workers handling due tickets, the tickets waiting for one, and their ids. */
  private firing = 0;
  private readonly work: number[] = [];
  private readonly waiting = new Set<number>();
  /** Store failures in a row per ticket, for the retry's back-off. */
  private readonly failures = new Map<number, number>();

  constructor(
    private readonly source: DeadlineSource,
    private readonly options: SchedulerOptions = {},
  ) {
    this.timer = new DeadlineTimer(this.queue, (due) => this.fire(due), options.host ?? realTimers, (err) => this.options.onError?.(err, 'deadline timer'));
  }

  /** Re-derives every open ticket's deadlines from the store and arms the timer. */
  async start(): Promise<{ tickets: number; deadlines: number }> {
    let tickets = 0;
    const now = this.source.now();
    for await (const ticket of this.source.activeTickets()) {
      this.track(ticket, now);
      tickets++;
    }
    this.timer.start();
    return { tickets, deadlines: this.queue.size };
  }

  stop(): void {
    this.timer.stop();
  }

  /**
   * Re-derives every open ticket from the store and forgets tickets that are
   * no longer open — for a replica that may have missed news of changes.
   */
  async resync(): Promise<void> {
    const now = this.source.now();
    const seen = new Set<number>();
    for await (const ticket of this.source.activeTickets()) {
      seen.add(ticket.id);
      this.track(ticket, now);
    }
    for (const [id, keys] of this.keysByTicket) {
      if (seen.has(id)) continue;
      for (const key of keys) this.queue.delete(key);
      this.keysByTicket.delete(id);
      this.openTiers.delete(id);
      this.failures.delete(id);
    }
    this.timer.arm();
  }

  /** True while due tickets are being handled. */
  get busy(): boolean {
    return this.firing > 0 || this.work.length > 0;
  }

  /** Re-derives one ticket's deadlines (after any change to it). */
  refresh(ticket: Ticket): void {
    this.track(ticket, this.source.now());
    this.timer.arm();
  }

  /** Open tickets by tier and clocks with a deadline ahead, for metrics. */
  snapshot(): { openTicketsByTier: Record<string, number>; runningClocks: Record<string, number> } {
    const openTicketsByTier: Record<string, number> = {};
    for (const tier of this.openTiers.values()) openTicketsByTier[tier] = (openTicketsByTier[tier] ?? 0) + 1;
    const runningClocks: Record<string, number> = {};
    for (const keys of this.keysByTicket.values()) {
      for (const key of keys) {
        const clock = key.slice(key.indexOf(':') + 1);
        if (clock === 'firstResponse' || clock === 'nextResponse' || clock === 'resolution') runningClocks[clock] = (runningClocks[clock] ?? 0) + 1;
      }
    }
    return { openTicketsByTier, runningClocks };
  }

  private track(ticket: Ticket, now: number): void {
    const previous = this.keysByTicket.get(ticket.id) ?? [];
    const view = viewTicket(ticket);
    if (isOpenState(view.state)) this.openTiers.set(ticket.id, view.tier);
    else this.openTiers.delete(ticket.id);
    const deadlines = this.source.deadlinesOf(ticket, now);
    const keys = deadlines.map((d) => d.key);
    for (const key of previous) if (!keys.includes(key)) this.queue.delete(key);
    for (const d of deadlines) this.queue.set(d.key, d.at);
    if (keys.length) this.keysByTicket.set(ticket.id, keys);
    else this.keysByTicket.delete(ticket.id);
  }

  /**
   * Hands due tickets to a small pool of workers and returns at once, so the
   * timer re-arms for the next instant while a burst is still being handled.
   * A ticket already in hand is not taken twice; it is re-derived afterwards.
   */
  private fire(due: DeadlineEntry[]): void {
    for (const entry of due) {
      const id = Number(entry.key.slice(0, entry.key.indexOf(':')));
      if (!this.waiting.has(id)) {
        this.waiting.add(id);
        this.work.push(id);
      }
    }
    while (this.firing < FIRE_CONCURRENCY && this.work.length > 0) {
      this.firing++;
      void this.drainWork().finally(() => this.firing--);
    }
  }

  private async drainWork(): Promise<void> {
    for (let id = this.work.shift(); id !== undefined; id = this.work.shift()) {
      this.waiting.delete(id);
      try {
        const { ticket } = await this.source.fireDue(id);
        this.failures.delete(id);
        this.track(ticket, this.source.now());
      } catch (err) {
        // The store failed (not the platform): try this ticket again soon, then less often while it stays down.
        this.options.onError?.(err, `ticket ${id}`);
        const failures = (this.failures.get(id) ?? 0) + 1;
        this.failures.set(id, failures);
        const wait = Math.min(this.options.retryMaxMs ?? 15_000, (this.options.retryAfterMs ?? 1_000) * 2 ** (failures - 1));
        this.queue.set(`${id}:retry`, this.source.now() + wait);
        this.keysByTicket.set(id, [...(this.keysByTicket.get(id) ?? []), `${id}:retry`]);
      }
      this.timer.arm();
    }
  }
}
