/**
 * The queue page's charts: compliance per tier for each of the last weeks,
 * and how long first responses took, as a histogram per tier.
 *
 * Same definitions as the report (report.ts), computed with its code
 * (`summarizeTicket`, `Tally`): a ticket belongs to the week it was opened
 * in; a clock counts once it is met or breached at `at` (running and paused
 * clocks are pending); compliance = met ÷ (met + breached), all three clock
 * kinds together ("overall") and first response alone; first-response time
 * is the working time in the target's calendar, for clocks that stopped.
 *
 * Weeks start on Monday 00:00 in `timezone`; the last one is the week of
 * `at`, so it is still filling up.
 *
 * Pure, and streaming: `add` takes one ticket at a time and keeps counters
 * only. Time comes in as an argument.
 */
import { DateTime } from 'luxon';
import type { Config } from '../config/schema.js';
import type { Ticket } from '../domain/ticket.js';
import type { PolicyContext } from '../escalation/timeline.js';
import { policyContextOf, summarizeTicket, Tally, type ClockCompliance, type TicketSummary } from './report.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Upper bounds (exclusive) of the histogram's buckets; the last bucket is open-ended. */
export const FIRST_RESPONSE_BUCKETS: readonly { label: string; belowMs: number }[] = [
  { label: '< 5m', belowMs: 5 * MINUTE },
  { label: '5–15m', belowMs: 15 * MINUTE },
  { label: '15–30m', belowMs: 30 * MINUTE },
  { label: '30m–1h', belowMs: HOUR },
  { label: '1–2h', belowMs: 2 * HOUR },
  { label: '2–4h', belowMs: 4 * HOUR },
  { label: '4–8h', belowMs: 8 * HOUR },
  { label: '8–24h', belowMs: 24 * HOUR },
  { label: '≥ 1d', belowMs: Number.POSITIVE_INFINITY },
];

export interface TrendOptions {
  /** The instant the clocks are evaluated at (now, on the page). */
  at: number;
  /** How many weeks, the week of `at` included. */
  weeks: number;
  /** IANA zone of the weeks' boundaries. */
  timezone: string;
}

export interface WeekTierFigures {
  tickets: number;
  /** All clock kinds together. */
  overall: ClockCompliance;
  firstResponse: ClockCompliance;
}

export interface TrendWeek {
  /** Monday 00:00 of the week in the zone, as an ISO instant. */
  from: string;
  to: string;
  /** `9 Nov` */
  label: string;
  /** Tier id → figures; tiers without tickets that week are left out. */
  tiers: Record<string, WeekTierFigures>;
}

export interface HistogramBucket {
  label: string;
  fromSeconds: number;
  /** null: open-ended. */
  toSeconds: number | null;
  /** Tier id → answered tickets whose first response took this long. */
  counts: Record<string, number>;
  total: number;
}

export interface TrendModel {
  at: string;
  timezone: string;
  /** The config's tiers in order, then any other tier found on a ticket. */
  tiers: string[];
  weeks: TrendWeek[];
  firstResponse: {
    buckets: HistogramBucket[];
    /** Tier id → the sample size, median and p90 (nearest-rank, as in the report). */
    tiers: Record<string, { answered: number; medianSeconds: number | null; p90Seconds: number | null }>;
  };
  /** Tier id → the customers' ratings of the window's tickets: how many, and their average (null with none). */
  satisfaction: Record<string, { count: number; average: number | null }>;
}

export class TrendBuilder {
  private readonly ctx: PolicyContext;
  /** Week starts (epoch ms), oldest first, plus the end of the last week. */
  private readonly bounds: number[];
  private readonly weekly: Map<string, Tally>[];
  private readonly perTier = new Map<string, Tally>();
  private readonly histogram = new Map<string, number[]>();

  constructor(
    private readonly config: Config,
    private readonly options: TrendOptions,
  ) {
    this.ctx = policyContextOf(config);
    const thisWeek = DateTime.fromMillis(options.at, { zone: options.timezone }).startOf('week');
    this.bounds = Array.from({ length: options.weeks + 1 }, (_, i) => thisWeek.minus({ weeks: options.weeks - 1 - i }).toMillis());
    this.weekly = Array.from({ length: options.weeks }, () => new Map<string, Tally>());
  }

  add(ticket: Ticket): void {
    const opened = ticket.events[0];
    if (!opened) return;
    const week = this.weekOf(opened.at);
    if (week === -1 || opened.at > this.options.at) return;
    let summary: TicketSummary;
    try {
      summary = summarizeTicket(ticket, this.ctx, this.options.at);
    } catch (error) {
      throw new Error(`ticket ${ticket.id}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const tallies = this.weekly[week] as Map<string, Tally>;
    tallyOf(tallies, summary.tier, false).add(summary);
    tallyOf(this.perTier, summary.tier, true).add(summary);
    if (summary.firstResponseMs !== null) {
      let counts = this.histogram.get(summary.tier);
      if (!counts) this.histogram.set(summary.tier, (counts = FIRST_RESPONSE_BUCKETS.map(() => 0)));
      const bucket = FIRST_RESPONSE_BUCKETS.findIndex((b) => (summary.firstResponseMs as number) < b.belowMs);
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
  }

  build(): TrendModel {
    const { at, timezone } = this.options;
    const seen = new Set([...this.perTier.keys()]);
    const known = Object.keys(this.config.tiers);
    const tiers = [...known, ...[...seen].filter((t) => !known.includes(t)).sort()];
    const weeks = this.weekly.map((tallies, i): TrendWeek => {
      const from = this.bounds[i] as number;
      const figures: Record<string, WeekTierFigures> = {};
      for (const tier of tiers) {
        const tally = tallies.get(tier);
        if (!tally) continue;
        const f = tally.figures();
        figures[tier] = { tickets: f.tickets, overall: f.compliance.overall, firstResponse: f.compliance.firstResponse };
      }
      return {
        from: new Date(from).toISOString(),
        to: new Date(this.bounds[i + 1] as number).toISOString(),
        label: DateTime.fromMillis(from, { zone: timezone }).toFormat('d LLL'),
        tiers: figures,
      };
    });
    let lower = 0;
    const buckets = FIRST_RESPONSE_BUCKETS.map((b, i): HistogramBucket => {
      const counts: Record<string, number> = {};
      let total = 0;
      for (const tier of tiers) {
        const n = this.histogram.get(tier)?.[i] ?? 0;
        counts[tier] = n;
        total += n;
      }
      const bucket = { label: b.label, fromSeconds: lower / 1000, toSeconds: Number.isFinite(b.belowMs) ? b.belowMs / 1000 : null, counts, total };
      lower = b.belowMs;
      return bucket;
    });
    const perTier: TrendModel['firstResponse']['tiers'] = {};
    for (const tier of tiers) {
      const t = this.perTier.get(tier)?.figures().firstResponseTime;
      perTier[tier] = t ?? { answered: 0, medianSeconds: null, p90Seconds: null };
    }
    const satisfaction: TrendModel['satisfaction'] = {};
    for (const tier of tiers) satisfaction[tier] = this.perTier.get(tier)?.figures().satisfaction ?? { count: 0, average: null };
    return { at: new Date(at).toISOString(), timezone, tiers, weeks, firstResponse: { buckets, tiers: perTier }, satisfaction };
  }

  /** Index of the week `ms` falls in, or -1 outside the window. */
  private weekOf(ms: number): number {
    for (let i = 0; i < this.bounds.length - 1; i++) {
      if (ms >= (this.bounds[i] as number) && ms < (this.bounds[i + 1] as number)) return i;
    }
    return -1;
  }
}

function tallyOf(tallies: Map<string, Tally>, tier: string, keepTimes: boolean): Tally {
  let tally = tallies.get(tier);
  if (!tally) tallies.set(tier, (tally = new Tally(keepTimes)));
  return tally;
}

/** The trend over a store's listing (`store.listAll()`), one ticket at a time. */
export async function buildTrend(config: Config, tickets: AsyncIterable<Ticket> | Iterable<Ticket>, options: TrendOptions): Promise<TrendModel> {
  const builder = new TrendBuilder(config, options);
  for await (const ticket of tickets) builder.add(ticket);
  return builder.build();
}
