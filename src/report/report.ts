/**
 * The SLA report: how well the commitments were kept, per tier, customer,
 * severity or assignee, over the tickets opened in a period — plus a
 * month × customer breach summary for contract reviews and service credits.
 *
 * Every figure comes from `replayTimeline` (the clock code the bot runs),
 * evaluated at the report's instant `at`. Definitions (also printed with the
 * report in the reader's language: report.definition.* in src/i18n/locales):
 *
 * - A ticket belongs to the period by its opening time: from <= opened < to.
 * - A clock counts towards compliance once it is met or breached at `at`;
 *   running and paused clocks are `pending` and do not count. Compliance =
 *   met / (met + breached). Next response counts every cycle of a ticket.
 * - A clock breached and answered later stays breached.
 * - First-response time is the working time (in the target's calendar) from
 *   the clock's start to its stop, for clocks that stopped (a staff reply, or a
 *   resolve/close before any). Median and p90 are nearest-rank: the smallest
 *   time that at least 50 % / 90 % of those tickets were answered within.
 * - A ticket's tier, severity and assignee are those at `at` (after changes).
 *
 * Pure, and streaming: `ReportBuilder.add` takes one ticket at a time and
 * keeps only counters, one number per answered first response, and the
 * breached tickets' ids and links — never the tickets themselves.
 */
import { DateTime } from 'luxon';
import { CLOCK_KINDS, SEVERITIES, type ClockKind, type Config, type Severity } from '../config/schema.js';
import { displayName } from '../domain/people.js';
import { isoUtc } from '../domain/time.js';
import type { Platform, Ticket, TicketState } from '../domain/ticket.js';
import { actorId, replayTimeline, type PolicyContext } from '../escalation/timeline.js';
import { buildCalendars } from '../sla/calendar.js';
import { threadLink, type LinkOptions } from './links.js';

export const GROUP_BY = ['tier', 'customer', 'severity', 'assignee'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** How tickets without an assignee are grouped. */
export const UNASSIGNED = 'unassigned';

export interface ReportOptions {
  by: GroupBy;
  /** Tickets opened at or after this instant (null: no lower bound). */
  from: number | null;
  /** Tickets opened before this instant (null: no upper bound). */
  to: number | null;
  /** The report's instant: clocks are evaluated here; tickets opened after it are left out. */
  at: number;
  /** IANA zone of the monthly summary's months. */
  timezone: string;
  links?: LinkOptions;
}

/** What one ticket contributes to a report, from one replay of its events. */
export interface TicketSummary {
  id: number;
  customer: string;
  tier: string;
  severity: Severity;
  state: TicketState;
  /** Person id (or `<platform>:<user id>`) of the assignee at report time. */
  assignee: string | undefined;
  openedAt: number;
  place: { platform: Platform; channelId: string; threadId: string };
  met: Record<ClockKind, number>;
  breached: Record<ClockKind, number>;
  pending: Record<ClockKind, number>;
  /** Working ms from start to stop of the first-response clock; null unless it stopped. */
  firstResponseMs: number | null;
  breaches: { clock: ClockKind; cycle: number; at: number }[];
  /** The customer's rating (1–5, the latest at report time); null when not rated. */
  rating: number | null;
}

const zeroes = (): Record<ClockKind, number> => ({ firstResponse: 0, nextResponse: 0, resolution: 0 });

export function policyContextOf(config: Config): PolicyContext {
  return { config, calendars: buildCalendars(config) };
}

/** Replays one ticket at `at` and counts its clocks. */
export function summarizeTicket(ticket: Ticket, ctx: PolicyContext, at: number): TicketSummary {
  const timeline = replayTimeline(ticket.events, ctx, at, false);
  const { clocks } = timeline;
  const summary: TicketSummary = {
    id: ticket.id,
    customer: ticket.customer,
    tier: timeline.tier,
    severity: timeline.severity,
    state: timeline.state,
    assignee: actorId(timeline.assignee),
    openedAt: (ticket.events[0] as Ticket['events'][number]).at,
    place: { platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId },
    met: zeroes(),
    breached: zeroes(),
    pending: zeroes(),
    firstResponseMs: null,
    breaches: [],
    rating: null,
  };
  for (const event of ticket.events) if (event.type === 'rated' && event.at <= at) summary.rating = event.rating;
  // `retired`: breached clocks a severity or tier change dropped; their breach stays on the record.
  for (const clock of [clocks.firstResponse, ...clocks.nextResponses, clocks.resolution, ...clocks.retired]) {
    if (!clock) continue;
    const status = clock.status();
    if (status === 'met') summary.met[clock.kind] += 1;
    else if (status === 'breached') {
      summary.breached[clock.kind] += 1;
      summary.breaches.push({ clock: clock.kind, cycle: clock.cycle, at: clock.breachedAt as number });
    } else summary.pending[clock.kind] += 1;
  }
  const first = clocks.firstResponse;
  // A stopped clock has no open segment, so what it consumed is fixed: start to stop, in working time.
  if (first && first.stoppedAt !== null) summary.firstResponseMs = first.consumedAt(first.stoppedAt);
  summary.breaches.sort((a, b) => a.at - b.at);
  return summary;
}

// ---------------------------------------------------------------------------
// Figures of one group

export interface ClockCompliance {
  met: number;
  breached: number;
  /** Running or paused at report time: not counted in `percent`. */
  pending: number;
  /** met / (met + breached) × 100, one decimal; null when no clock finished. */
  percent: number | null;
}

export interface GroupFigures {
  tickets: number;
  /** Tickets with at least one breached clock. */
  ticketsBreached: number;
  compliance: Record<ClockKind | 'overall', ClockCompliance>;
  firstResponseTime: {
    /** First-response clocks that stopped (the sample behind median and p90). */
    answered: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
  };
  /** Breached clocks by kind (next response: cycles). */
  breaches: Record<ClockKind | 'total', number>;
  /** The customers' ratings (1–5): how many tickets were rated, and their average (two decimals; null with none). */
  satisfaction: { count: number; average: number | null };
}

/** Running totals for one group; first-response times kept as a growing Float64Array. */
export class Tally {
  tickets = 0;
  ticketsBreached = 0;
  readonly met = zeroes();
  readonly breached = zeroes();
  readonly pending = zeroes();
  private times: Float64Array;
  private answered = 0;
  private rated = 0;
  private ratingSum = 0;

  constructor(private readonly keepTimes = true) {
    this.times = new Float64Array(keepTimes ? 16 : 0);
  }

  add(summary: TicketSummary): void {
    this.tickets += 1;
    if (summary.breaches.length > 0) this.ticketsBreached += 1;
    if (summary.rating !== null) {
      this.rated += 1;
      this.ratingSum += summary.rating;
    }
    for (const kind of CLOCK_KINDS) {
      this.met[kind] += summary.met[kind];
      this.breached[kind] += summary.breached[kind];
      this.pending[kind] += summary.pending[kind];
    }
    if (this.keepTimes && summary.firstResponseMs !== null) {
      if (this.answered === this.times.length) {
        const grown = new Float64Array(this.times.length * 2);
        grown.set(this.times);
        this.times = grown;
      }
      this.times[this.answered++] = summary.firstResponseMs;
    }
  }

  figures(): GroupFigures {
    const sum = (counts: Record<ClockKind, number>) => counts.firstResponse + counts.nextResponse + counts.resolution;
    const compliance: Record<ClockKind | 'overall', ClockCompliance> = {
      firstResponse: complianceOf(this.met.firstResponse, this.breached.firstResponse, this.pending.firstResponse),
      nextResponse: complianceOf(this.met.nextResponse, this.breached.nextResponse, this.pending.nextResponse),
      resolution: complianceOf(this.met.resolution, this.breached.resolution, this.pending.resolution),
      overall: complianceOf(sum(this.met), sum(this.breached), sum(this.pending)),
    };
    const breaches = { ...this.breached, total: sum(this.breached) };
    const sorted = this.times.slice(0, this.answered).sort();
    return {
      tickets: this.tickets,
      ticketsBreached: this.ticketsBreached,
      compliance,
      firstResponseTime: {
        answered: this.answered,
        medianSeconds: seconds(nearestRank(sorted, 50)),
        p90Seconds: seconds(nearestRank(sorted, 90)),
      },
      breaches,
      satisfaction: { count: this.rated, average: this.rated === 0 ? null : Math.round((100 * this.ratingSum) / this.rated) / 100 },
    };
  }
}

function complianceOf(met: number, breached: number, pending: number): ClockCompliance {
  const finished = met + breached;
  return { met, breached, pending, percent: finished === 0 ? null : Math.round((1000 * met) / finished) / 10 };
}

/** The smallest value with at least `percent` % of the sample at or below it; null for an empty sample. */
export function nearestRank(sorted: Float64Array, percent: number): number | null {
  if (sorted.length === 0) return null;
  // Integer arithmetic: 0.9 * 30 is 27.000000000000004 in floating point, and its ceiling 28.
  const rank = Math.max(1, Math.ceil((percent * sorted.length) / 100));
  return sorted[rank - 1] as number;
}

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 1000));

// ---------------------------------------------------------------------------
// The report

export interface BreachedTicket {
  id: number;
  customer: string;
  tier: string;
  severity: Severity;
  assignee: string | null;
  state: TicketState;
  openedAt: string;
  breaches: { clock: ClockKind; cycle?: number; at: string }[];
  link: string;
}

export interface GroupReport extends GroupFigures {
  /** Tier id, customer id, severity, or assignee person id (`unassigned` for none). */
  key: string;
  /** What people read: the customer's or the assignee's name; the id otherwise. */
  label: string;
  breachedTickets: BreachedTicket[];
}

export interface MonthlyRow {
  /** `YYYY-MM` of the opening time, in the report's time zone. */
  month: string;
  customer: string;
  customerName: string;
  tickets: number;
  ticketsBreached: number;
  breaches: Record<ClockKind | 'total', number>;
  compliance: Record<ClockKind | 'overall', ClockCompliance>;
}

export interface ReportModel {
  /** The report's instant. */
  at: string;
  period: { from: string | null; to: string | null };
  by: GroupBy;
  timezone: string;
  totals: GroupFigures;
  groups: GroupReport[];
  monthly: MonthlyRow[];
}

/** `YYYY-MM` of instants in a zone; remembers the last month, as tickets come oldest first. */
class MonthOf {
  private start = Number.POSITIVE_INFINITY;
  private end = Number.NEGATIVE_INFINITY;
  private key = '';

  constructor(private readonly zone: string) {}

  of(ms: number): string {
    if (ms >= this.start && ms < this.end) return this.key;
    const month = DateTime.fromMillis(ms, { zone: this.zone }).startOf('month');
    this.start = month.toMillis();
    this.end = month.plus({ months: 1 }).toMillis();
    this.key = month.toFormat('yyyy-MM');
    return this.key;
  }
}

interface GroupState {
  tally: Tally;
  breachedTickets: BreachedTicket[];
}

export class ReportBuilder {
  private readonly ctx: PolicyContext;
  private readonly groups = new Map<string, GroupState>();
  private readonly totals = new Tally();
  private readonly monthly = new Map<string, { month: string; customer: string; tally: Tally }>();
  private readonly months: MonthOf;

  constructor(
    private readonly config: Config,
    private readonly options: ReportOptions,
  ) {
    this.ctx = policyContextOf(config);
    this.months = new MonthOf(options.timezone);
  }

  /** Whether a ticket opened at `openedAt` is in the report. */
  includes(openedAt: number): boolean {
    const { from, to, at } = this.options;
    return (from === null || openedAt >= from) && (to === null || openedAt < to) && openedAt <= at;
  }

  add(ticket: Ticket): void {
    const opened = ticket.events[0];
    if (!opened || !this.includes(opened.at)) return;
    let summary: TicketSummary;
    try {
      summary = summarizeTicket(ticket, this.ctx, this.options.at);
    } catch (error) {
      throw new Error(`ticket ${ticket.id}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.addSummary(summary);
  }

  /** For callers that already replayed the ticket (the weekly digest). */
  addSummary(summary: TicketSummary): void {
    const key = groupKey(this.options.by, summary);
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { tally: new Tally(), breachedTickets: [] }));
    group.tally.add(summary);
    if (summary.breaches.length > 0) group.breachedTickets.push(this.breachedTicket(summary));
    this.totals.add(summary);

    const month = this.months.of(summary.openedAt);
    const monthKey = `${month} ${summary.customer}`;
    let row = this.monthly.get(monthKey);
    if (!row) this.monthly.set(monthKey, (row = { month, customer: summary.customer, tally: new Tally(false) }));
    row.tally.add(summary);
  }

  build(): ReportModel {
    const { by, from, to, at, timezone } = this.options;
    const groups = [...this.groups.entries()]
      .map(([key, group]): GroupReport => ({
        key,
        label: groupLabel(this.config, by, key),
        ...group.tally.figures(),
        breachedTickets: [...group.breachedTickets].sort((a, b) => a.id - b.id),
      }))
      .sort((a, b) => compareGroups(this.config, by, a, b));
    const monthly = [...this.monthly.values()]
      .sort((a, b) => a.month.localeCompare(b.month) || a.customer.localeCompare(b.customer))
      .map(({ month, customer, tally }): MonthlyRow => {
        const figures = tally.figures();
        return {
          month,
          customer,
          customerName: customerName(this.config, customer),
          tickets: figures.tickets,
          ticketsBreached: figures.ticketsBreached,
          breaches: figures.breaches,
          compliance: figures.compliance,
        };
      });
    return {
      at: isoUtc(at),
      period: { from: from === null ? null : isoUtc(from), to: to === null ? null : isoUtc(to) },
      by,
      timezone,
      totals: this.totals.figures(),
      groups,
      monthly,
    };
  }

  private breachedTicket(summary: TicketSummary): BreachedTicket {
    return {
      id: summary.id,
      customer: summary.customer,
      tier: summary.tier,
      severity: summary.severity,
      assignee: summary.assignee ?? null,
      state: summary.state,
      openedAt: isoUtc(summary.openedAt),
      breaches: summary.breaches.map((b) => ({ clock: b.clock, ...(b.clock === 'nextResponse' ? { cycle: b.cycle } : {}), at: isoUtc(b.at) })),
      link: threadLink(summary.place, this.options.links),
    };
  }
}

/** Streams `tickets` (a store's `listAll()`, or an array) through a ReportBuilder. */
export async function buildReport(config: Config, tickets: AsyncIterable<Ticket> | Iterable<Ticket>, options: ReportOptions): Promise<ReportModel> {
  const builder = new ReportBuilder(config, options);
  for await (const ticket of tickets) builder.add(ticket);
  return builder.build();
}

function groupKey(by: GroupBy, summary: TicketSummary): string {
  switch (by) {
    case 'tier':
      return summary.tier;
    case 'customer':
      return summary.customer;
    case 'severity':
      return summary.severity;
    case 'assignee':
      return summary.assignee ?? UNASSIGNED;
  }
}

export function customerName(config: Config, id: string): string {
  return config.customers.find((c) => c.id === id)?.name ?? id;
}

function groupLabel(config: Config, by: GroupBy, key: string): string {
  if (by === 'customer') return customerName(config, key);
  if (by === 'assignee' && key !== UNASSIGNED) return displayName(config, key);
  return key;
}

/** Config order where there is one (tiers, customers, severities); people by name, unassigned last. */
function compareGroups(config: Config, by: GroupBy, a: GroupReport, b: GroupReport): number {
  const order: readonly string[] =
    by === 'tier' ? Object.keys(config.tiers) : by === 'customer' ? config.customers.map((c) => c.id) : by === 'severity' ? SEVERITIES : [];
  const rank = (g: GroupReport): number => {
    if (by === 'assignee') return g.key === UNASSIGNED ? 1 : 0;
    const i = order.indexOf(g.key);
    return i === -1 ? order.length : i;
  };
  return rank(a) - rank(b) || a.label.localeCompare(b.label) || a.key.localeCompare(b.key);
}
