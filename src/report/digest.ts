/**
 * The figures of the weekly digest for the staff channel: compliance per
 * tier this week against last week, the breaches of the week, the oldest
 * open tickets, and who was on call. The service composes them into a card
 * (src/service/digest-card.ts) that every platform renders.
 *
 * "This week" is the seven full days before the day of `now`, in the
 * digest's time zone: run on a Monday (the default cron, "0 9 * * 1") that is
 * exactly Monday to Sunday of the week just ended, and consecutive digests
 * neither overlap nor leave a gap. "Last week" is the seven days before that.
 * Compliance follows the report's definitions (report.ts): tickets opened in
 * the week, clocks met or breached as of `now`. "Breaches this week" are the
 * clocks whose breach happened in the week, whenever the ticket was opened.
 *
 * Pure: time and tickets come in as arguments.
 */
import { DateTime } from 'luxon';
import type { ClockKind, Config } from '../config/schema.js';
import { isOpenState, type Ticket } from '../domain/ticket.js';
import type { PolicyContext } from '../escalation/timeline.js';
import { shiftsBetween, type Shift } from '../oncall/schedule.js';
import { policyContextOf, summarizeTicket, Tally, type GroupFigures, type TicketSummary } from './report.js';

export interface Week {
  from: number;
  to: number;
}

/** How many of each list the card shows (chat messages have length limits). */
export const DIGEST_LIMITS = { breaches: 10, oldestOpen: 5, shifts: 8 } as const;

/** This week (the seven full days before today in `timezone`) and the week before it. */
export function digestWeeks(now: number, timezone: string): { thisWeek: Week; lastWeek: Week } {
  const today = DateTime.fromMillis(now, { zone: timezone }).startOf('day');
  const start = today.minus({ days: 7 });
  const before = start.minus({ days: 7 });
  return { thisWeek: { from: start.toMillis(), to: today.toMillis() }, lastWeek: { from: before.toMillis(), to: start.toMillis() } };
}

export interface WeekBreach {
  ticket: number;
  customer: string;
  clock: ClockKind;
  at: number;
}

/** What the digest says, as figures; names and times are the card's to write. */
export interface DigestFigures {
  /** As of when, and the zone of the weeks' days. */
  now: number;
  timezone: string;
  weeks: { thisWeek: Week; lastWeek: Week };
  /** Tiers with tickets opened in either week (the config's order, then any others), with each week's figures. */
  tiers: { tier: string; thisWeek: GroupFigures | undefined; lastWeek: GroupFigures | undefined }[];
  /** The clocks breached this week, in time order (then by ticket), and how many of each kind. */
  breaches: WeekBreach[];
  breachCounts: Record<ClockKind, number>;
  /** The oldest open tickets, oldest first, at most DIGEST_LIMITS.oldestOpen. */
  oldestOpen: TicketSummary[];
  /** Every schedule's shifts this week, in the config's order. */
  onCall: { schedule: string; name: string; shifts: Shift[] }[];
}

/** Feed tickets one at a time (`add`), then ask for the `figures`. */
export class WeeklyDigest {
  private readonly ctx: PolicyContext;
  readonly weeks: { thisWeek: Week; lastWeek: Week };
  private readonly thisWeek = new Map<string, Tally>();
  private readonly lastWeek = new Map<string, Tally>();
  private readonly breaches: WeekBreach[] = [];
  private readonly breachCounts: Record<ClockKind, number> = { firstResponse: 0, nextResponse: 0, resolution: 0 };
  /** The oldest open tickets so far, oldest first, at most DIGEST_LIMITS.oldestOpen. */
  private readonly oldest: TicketSummary[] = [];

  constructor(
    private readonly config: Config,
    private readonly now: number,
    private readonly timezone: string,
  ) {
    this.ctx = policyContextOf(config);
    this.weeks = digestWeeks(now, timezone);
  }

  add(ticket: Ticket): void {
    const opened = ticket.events[0];
    if (!opened || opened.at > this.now) return;
    const summary = summarizeTicket(ticket, this.ctx, this.now);
    const { thisWeek, lastWeek } = this.weeks;
    const tallies = within(summary.openedAt, thisWeek) ? this.thisWeek : within(summary.openedAt, lastWeek) ? this.lastWeek : undefined;
    if (tallies) {
      let tally = tallies.get(summary.tier);
      if (!tally) tallies.set(summary.tier, (tally = new Tally(false)));
      tally.add(summary);
    }
    for (const breach of summary.breaches) {
      if (!within(breach.at, thisWeek)) continue;
      this.breachCounts[breach.clock] += 1;
      this.breaches.push({ ticket: summary.id, customer: summary.customer, clock: breach.clock, at: breach.at });
    }
    if (isOpenState(summary.state)) this.keepIfOldest(summary);
  }

  figures(): DigestFigures {
    const { thisWeek } = this.weeks;
    return {
      now: this.now,
      timezone: this.timezone,
      weeks: this.weeks,
      tiers: this.tiersSeen().map((tier) => ({ tier, thisWeek: this.thisWeek.get(tier)?.figures(), lastWeek: this.lastWeek.get(tier)?.figures() })),
      breaches: [...this.breaches].sort((a, b) => a.at - b.at || a.ticket - b.ticket),
      breachCounts: { ...this.breachCounts },
      oldestOpen: [...this.oldest],
      onCall: Object.entries(this.config.schedules).map(([id, schedule]) => ({ schedule: id, name: schedule.name ?? id, shifts: shiftsBetween(schedule, thisWeek.from, thisWeek.to) })),
    };
  }

  private keepIfOldest(summary: TicketSummary): void {
    const older = (a: TicketSummary, b: TicketSummary) => a.openedAt - b.openedAt || a.id - b.id;
    const list = this.oldest;
    if (list.length === DIGEST_LIMITS.oldestOpen && older(summary, list[list.length - 1] as TicketSummary) >= 0) return;
    list.push(summary);
    list.sort(older);
    if (list.length > DIGEST_LIMITS.oldestOpen) list.pop();
  }

  /** Tiers with tickets in either week: the config's order, then any others. */
  private tiersSeen(): string[] {
    const seen = new Set([...this.thisWeek.keys(), ...this.lastWeek.keys()]);
    const known = Object.keys(this.config.tiers).filter((t) => seen.has(t));
    return [...known, ...[...seen].filter((t) => !known.includes(t)).sort()];
  }
}

function within(ms: number, week: Week): boolean {
  return ms >= week.from && ms < week.to;
}

/** The digest's figures for `tickets` as of `now`; `timezone` sets the weeks' days. */
export function weeklyFigures(config: Config, tickets: Iterable<Ticket>, now: number, timezone: string): DigestFigures {
  const digest = new WeeklyDigest(config, now, timezone);
  for (const ticket of tickets) digest.add(ticket);
  return digest.figures();
}

/** The same over a store's listing (`store.listAll()`), one ticket at a time. */
export async function weeklyFiguresOf(config: Config, tickets: AsyncIterable<Ticket>, now: number, timezone: string): Promise<DigestFigures> {
  const digest = new WeeklyDigest(config, now, timezone);
  for await (const ticket of tickets) digest.add(ticket);
  return digest.figures();
}
