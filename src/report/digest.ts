/**
 * The weekly digest for the staff channel: compliance per tier this week
 * against last week, the breaches of the week, the oldest open tickets, and
 * who was on call. One Card; every platform renders it with its card renderer.
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
import { CLOCK_KINDS, type ClockKind, type Config } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import { displayName } from '../domain/people.js';
import { describeState, isOpenState, type Ticket } from '../domain/ticket.js';
import type { PolicyContext } from '../escalation/timeline.js';
import { shiftsBetween } from '../oncall/schedule.js';
import { CLOCK_LABEL, formatInstant } from '../service/cards.js';
import type { Card } from '../service/messages.js';
import { customerName, policyContextOf, summarizeTicket, Tally, type ClockCompliance, type GroupFigures, type TicketSummary } from './report.js';

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

interface WeekBreach {
  ticket: number;
  customer: string;
  clock: ClockKind;
  at: number;
}

/** Feed tickets one at a time (`add`), then ask for the `card`. */
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

  card(): Card {
    const { thisWeek } = this.weeks;
    const total = this.breaches.length;
    const fields: Card['fields'] = [];
    for (const tier of this.tiersSeen()) fields.push({ label: tier, value: this.tierLine(tier) });
    const counts = CLOCK_KINDS.filter((k) => this.breachCounts[k] > 0).map((k) => `${CLOCK_LABEL[k]} ${this.breachCounts[k]}`);
    fields.push({ label: 'Breaches this week', value: total === 0 ? 'none' : `${total} (${counts.join(', ')})` });
    for (const [id, schedule] of Object.entries(this.config.schedules)) {
      fields.push({ label: `On call: ${schedule.name ?? id}`, value: this.onCallLine(id) });
    }

    const body: string[] = [];
    if (total > 0) {
      body.push('Breached this week:');
      const shown = [...this.breaches].sort((a, b) => a.at - b.at || a.ticket - b.ticket).slice(0, DIGEST_LIMITS.breaches);
      for (const b of shown) body.push(`#${b.ticket} ${customerName(this.config, b.customer)} — ${CLOCK_LABEL[b.clock]}, breached ${this.when(b.at)}`);
      if (total > shown.length) body.push(`… and ${total - shown.length} more (slawatch report lists them all)`);
    }
    if (this.oldest.length > 0) {
      body.push('Oldest open tickets:');
      for (const t of this.oldest) {
        const waiting = t.state === 'waiting_on_customer' ? `, ${describeState(t.state)}` : '';
        const who = t.assignee ? `assigned to ${displayName(this.config, t.assignee)}` : 'unassigned';
        body.push(`#${t.id} ${customerName(this.config, t.customer)} (${t.tier}, ${t.severity}) — opened ${formatDuration(this.now - t.openedAt)} ago${waiting}, ${who}`);
      }
    }
    return {
      tone: total > 0 ? 'warning' : 'good',
      title: `Weekly SLA digest · ${this.day(thisWeek.from)} – ${this.day(thisWeek.to - 1)}`,
      fields,
      ...(body.length ? { body: body.join('\n') } : {}),
      footer: `Compliance: met ÷ (met + breached) clocks of the tickets opened in the week, as of ${this.when(this.now)}; running and paused clocks are not counted.`,
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

  /** `3 tickets (last week 2) · first response 50% (1/2), last week 100% (1/1) · …` */
  private tierLine(tier: string): string {
    const now = this.thisWeek.get(tier)?.figures();
    const before = this.lastWeek.get(tier)?.figures();
    const count = now?.tickets ?? 0;
    const parts = [`${count} ${count === 1 ? 'ticket' : 'tickets'} (last week ${before?.tickets ?? 0})`];
    for (const kind of CLOCK_KINDS) {
      parts.push(`${CLOCK_LABEL[kind]} ${percentText(now, kind)}, last week ${percentText(before, kind)}`);
    }
    return parts.join(' · ');
  }

  private onCallLine(scheduleId: string): string {
    const schedule = this.config.schedules[scheduleId] as Config['schedules'][string];
    const shifts = shiftsBetween(schedule, this.weeks.thisWeek.from, this.weeks.thisWeek.to);
    const names = (users: string[]) => (users.length ? users.map((u) => displayName(this.config, u)).join(' + ') : 'nobody');
    const lines = shifts.slice(0, DIGEST_LIMITS.shifts).map((s) => `${names(s.users)} ${this.shortWhen(s.start)} – ${this.shortWhen(s.end)}`);
    if (shifts.length > DIGEST_LIMITS.shifts) lines.push(`… and ${shifts.length - DIGEST_LIMITS.shifts} more shifts`);
    return lines.join('; ');
  }

  private when(ms: number): string {
    return formatInstant(ms, this.timezone);
  }

  private shortWhen(ms: number): string {
    return DateTime.fromMillis(ms, { zone: this.timezone }).toFormat('ccc d LLL HH:mm');
  }

  private day(ms: number): string {
    return DateTime.fromMillis(ms, { zone: this.timezone }).toFormat('ccc d LLL yyyy');
  }
}

function within(ms: number, week: Week): boolean {
  return ms >= week.from && ms < week.to;
}

function percentText(figures: GroupFigures | undefined, kind: ClockKind): string {
  const c: ClockCompliance | undefined = figures?.compliance[kind];
  return !c || c.percent === null ? '—' : `${c.percent}% (${c.met}/${c.met + c.breached})`;
}

/** The digest of `tickets` as of `now`; `timezone` sets the weeks' days and the times shown. */
export function weeklyDigest(config: Config, tickets: Iterable<Ticket>, now: number, timezone: string): Card {
  const digest = new WeeklyDigest(config, now, timezone);
  for (const ticket of tickets) digest.add(ticket);
  return digest.card();
}

/** The same over a store's listing (`store.listAll()`), one ticket at a time. */
export async function weeklyDigestOf(config: Config, tickets: AsyncIterable<Ticket>, now: number, timezone: string): Promise<Card> {
  const digest = new WeeklyDigest(config, now, timezone);
  for await (const ticket of tickets) digest.add(ticket);
  return digest.card();
}
