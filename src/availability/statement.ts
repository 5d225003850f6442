/**
 * The availability arithmetic: each customer's downtime, availability and
 * service credit for one calendar month, from the incident log. Pure: the
 * instant the statement is made (`at`) is an argument.
 *
 * For a customer and a month [first instant, first instant of the next
 * month) in the customer's zone, in real elapsed time:
 *
 * - excluded = the union of the maintenance windows affecting the customer
 *   that were announced at least `maintenanceNotice` before their `from`,
 *   inside the month. A window announced later is not excluded.
 * - downtime = the union of the intervals in which an incident affecting the
 *   customer had impact `outage`, inside the month, minus excluded.
 * - degraded = the union of the intervals in which such an incident had
 *   impact `degraded` and none had `outage`, inside the month, minus excluded.
 * - availability = 100 × (month − excluded − downtime) / (month − excluded);
 *   100 when maintenance covers the whole month.
 * - credit = the largest `percent` among the bands with availability <
 *   `below`, 0 if none; amount = credit % of the monthly fee, rounded to
 *   cents (half up).
 *
 * Events after `at` are not known yet: an incident still open at `at` counts
 * up to `at`. Comparisons with targets and bands are exact (decimal), so
 * 99.9 % measured is 99.9 % met.
 */
import { DateTime } from 'luxon';
import { clip, length, merge, subtract, union, type Interval } from './intervals.js';
import { subjectOf, type Impact, type IncidentEvent, type Scope } from './incident-log.js';

export interface CreditBand {
  below: number;
  percent: number;
}

/** What the contract says for one customer (resolved from the config: customer over tier). */
export interface CustomerTerms {
  id: string;
  tier: string;
  region?: string;
  /** IANA zone whose calendar month the statement covers. */
  timezone: string;
  /** Monthly availability target in percent; null when the customer has none. */
  target: number | null;
  credits: readonly CreditBand[];
  fee: { amount: number; currency: string } | null;
}

export interface StatementOptions {
  /** `YYYY-MM` */
  month: string;
  /** The statement's instant (epoch ms): events after it are ignored; open incidents count up to it. */
  at: number;
  /** A maintenance window announced at least this long before it starts is excluded (ms). */
  maintenanceNoticeMs: number;
  /** Measure the month only up to `at` ("so far this month", for the live queue page). */
  soFar?: boolean;
}

/** One customer's line of the statement; the field order is the one `--json` prints. */
export interface CustomerAvailability {
  customer: string;
  timezone: string;
  periodSeconds: number;
  excludedSeconds: number;
  downtimeSeconds: number;
  degradedSeconds: number;
  availability: number;
  target: number | null;
  met: boolean | null;
  creditPercent: number;
  creditAmount: number | null;
  currency: string | null;
  incidents: string[];
}

export interface MonthStatement {
  month: string;
  customers: CustomerAvailability[];
}

export class StatementError extends Error {
  override name = 'StatementError';
}

/** A month `YYYY-MM` as [first instant, first instant of the next month) in `zone`. */
export function monthBounds(month: string, zone: string): Interval {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw new StatementError(`expected a month such as 2026-11 (got "${month}")`);
  const start = DateTime.fromObject({ year: Number(match[1]), month: Number(match[2]), day: 1 }, { zone });
  if (!start.isValid) throw new StatementError(`unknown time zone "${zone}"`);
  return { from: start.toMillis(), to: start.plus({ months: 1 }).toMillis() };
}

/** The month (`YYYY-MM`) an instant falls in, in `zone`. */
export function monthOf(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toFormat('yyyy-LL');
}

/** The month before `month`. */
export function previousMonth(month: string): string {
  const start = DateTime.fromFormat(month, 'yyyy-LL', { zone: 'UTC' });
  if (!start.isValid) throw new StatementError(`expected a month such as 2026-11 (got "${month}")`);
  return start.minus({ months: 1 }).toFormat('yyyy-LL');
}

/** What the log says about one incident as of some instant. */
export interface IncidentStory {
  id: string;
  title: string;
  scope: Scope;
  openedAt: number;
  /** When it was resolved; null while open. */
  resolvedAt: number | null;
  /** Impact now (as of the instant). */
  impact: Impact;
  /** The latest message of an update, if any. */
  message?: string;
  outage: Interval[];
  degraded: Interval[];
}

export interface MaintenanceStory {
  id: string;
  scope: Scope;
  announcedAt: number;
  window: Interval;
}

/**
 * Folds the log, as known at `at`, into incidents (with their outage and
 * degraded intervals, an open one running to `at`) and maintenance windows.
 * Events of one incident are taken in time order; the log need not be sorted.
 */
export function foldLog(events: readonly IncidentEvent[], at: number): { incidents: IncidentStory[]; maintenance: MaintenanceStory[] } {
  const bySubject = new Map<string, IncidentEvent[]>();
  for (const event of events) {
    if (event.at > at) continue;
    const subject = subjectOf(event);
    const list = bySubject.get(subject);
    if (list) list.push(event);
    else bySubject.set(subject, [event]);
  }
  const incidents: IncidentStory[] = [];
  const maintenance: MaintenanceStory[] = [];
  for (const list of bySubject.values()) {
    list.sort((a, b) => a.at - b.at);
    const first = list[0] as IncidentEvent;
    if (first.type === 'maintenance') {
      maintenance.push({ id: first.maintenance, scope: first.scope, announcedAt: first.at, window: { from: first.from, to: first.to } });
      continue;
    }
    if (first.type !== 'incident_opened') continue; // a story without its opening is not in a checked log
    const story: IncidentStory = { id: first.incident, title: first.title, scope: first.scope, openedAt: first.at, resolvedAt: null, impact: first.impact, outage: [], degraded: [] };
    let since = first.at;
    const close = (until: number) => {
      if (until > since) story[story.impact].push({ from: since, to: until });
      since = until;
    };
    for (const event of list.slice(1)) {
      if (story.resolvedAt !== null) break;
      if (event.type === 'incident_updated') {
        if (event.message !== undefined) story.message = event.message;
        if (event.impact && event.impact !== story.impact) {
          close(event.at);
          story.impact = event.impact;
        }
      } else if (event.type === 'incident_resolved') {
        close(event.at);
        story.resolvedAt = event.at;
      }
    }
    if (story.resolvedAt === null) close(at);
    incidents.push(story);
  }
  return { incidents, maintenance };
}

/** Each customer's availability and credit for a month; one entry per customer, sorted by id. */
export function monthStatement(customers: readonly CustomerTerms[], events: readonly IncidentEvent[], options: StatementOptions): MonthStatement {
  const { incidents, maintenance } = foldLog(events, options.at);
  // Only windows announced in time count; a late one changes nothing.
  const excludable = maintenance.filter((m) => m.announcedAt <= m.window.from - options.maintenanceNoticeMs);
  const incidentIndex = new ScopeIndex(incidents.map((i) => i.scope));
  const windowIndex = new ScopeIndex(excludable.map((m) => m.scope));
  const cover = (incidentIds: number[], windowIds: number[]): Coverage => ({
    incidents: incidentIds,
    outage: union(incidentIds.flatMap((i) => (incidents[i] as IncidentStory).outage)),
    degraded: union(incidentIds.flatMap((i) => (incidents[i] as IncidentStory).degraded)),
    excluded: union(windowIds.map((i) => (excludable[i] as MaintenanceStory).window)),
  });
  // Customers of one tier and region are affected alike, unless a scope names them: their coverage is
  // computed once; and customers with the same coverage and zone have the same figures.
  const coverages = new Map<string, Coverage>();
  const covered = (key: string, make: () => Coverage): Coverage => {
    let coverage = coverages.get(key);
    if (!coverage) coverages.set(key, (coverage = make()));
    return coverage;
  };
  const months = new Map<string, Month>();
  const figures = new Map<string, Figures>();
  const lines = [...customers]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((terms) => {
      const baseKey = `${terms.tier}\n${terms.region ?? ''}`;
      const base = covered(baseKey, () => cover(incidentIndex.shared(terms), windowIndex.shared(terms)));
      const named = incidentIndex.naming(terms.id);
      const namedWindows = windowIndex.naming(terms.id);
      const key = named.length || namedWindows.length ? `${baseKey}\n${named.join(',')}\n${namedWindows.join(',')}` : baseKey;
      const coverage = key === baseKey ? base : covered(key, () => combine(base, cover(named, namedWindows)));
      let month = months.get(terms.timezone);
      if (!month) months.set(terms.timezone, (month = openDuring(monthBounds(options.month, terms.timezone), incidents, options.at)));
      const figureKey = `${terms.timezone}\n${key}`;
      let f = figures.get(figureKey);
      if (!f) figures.set(figureKey, (f = measure(month, coverage, incidents, options)));
      return line(terms, f);
    });
  return { month: options.month, customers: lines };
}

/** What affects a customer: its incidents (by index), their outage and degraded time, and the excluded windows, as sets. */
interface Coverage {
  incidents: number[];
  outage: Interval[];
  degraded: Interval[];
  excluded: Interval[];
}

/** Two coverages together. */
function combine(a: Coverage, b: Coverage): Coverage {
  return {
    incidents: mergeIndexes(a.incidents, b.incidents),
    outage: merge(a.outage, b.outage),
    degraded: merge(a.degraded, b.degraded),
    excluded: merge(a.excluded, b.excluded),
  };
}

/** Two ascending lists of indexes as one, without repeats. */
function mergeIndexes(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number)) ? (a[i++] as number) : (b[j++] as number);
    if (out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

interface Figures {
  periodMs: number;
  excludedMs: number;
  downtimeMs: number;
  degradedMs: number;
  incidents: string[];
}

/** A month in one zone, and which incidents were open at some instant of it. */
interface Month extends Interval {
  open: Uint8Array;
}

/** Open at some instant of the month: [opened, resolved or `at`) meets the month. */
function openDuring(month: Interval, stories: readonly IncidentStory[], at: number): Month {
  const open = new Uint8Array(stories.length);
  stories.forEach((story, i) => {
    const until = story.resolvedAt ?? at;
    if (story.openedAt < month.to && until > month.from && until > story.openedAt) open[i] = 1;
  });
  return { ...month, open };
}

function measure(month: Month, coverage: Coverage, stories: readonly IncidentStory[], options: StatementOptions): Figures {
  const end = options.soFar ? Math.min(month.to, Math.max(month.from, options.at)) : month.to;
  const excluded = clip(coverage.excluded, month.from, end);
  const outage = clip(coverage.outage, month.from, end);
  const degraded = subtract(clip(coverage.degraded, month.from, end), outage);
  const open: string[] = [];
  for (const i of coverage.incidents) if (month.open[i]) open.push((stories[i] as IncidentStory).id);
  return {
    periodMs: end - month.from,
    excludedMs: length(excluded),
    downtimeMs: length(subtract(outage, excluded)),
    degradedMs: length(subtract(degraded, excluded)),
    incidents: open.sort(),
  };
}

function line(terms: CustomerTerms, f: Figures): CustomerAvailability {
  const measured = f.periodMs - f.excludedMs;
  const up = measured - f.downtimeMs;
  // Exactly: availability < x  ⟺  100 · up < x · measured (x as a decimal).
  const below = (x: number): boolean => measured > 0 && lessThanPercent(up, measured, x);
  const creditPercent = terms.credits.reduce((best, band) => (below(band.below) && band.percent > best ? band.percent : best), 0);
  return {
    customer: terms.id,
    timezone: terms.timezone,
    periodSeconds: f.periodMs / 1000,
    excludedSeconds: f.excludedMs / 1000,
    downtimeSeconds: f.downtimeMs / 1000,
    degradedSeconds: f.degradedMs / 1000,
    availability: measured > 0 ? (100 * up) / measured : 100,
    target: terms.target,
    met: terms.target === null ? null : !below(terms.target),
    creditPercent,
    creditAmount: terms.fee ? creditCents(creditPercent, terms.fee.amount) / 100 : null,
    currency: terms.fee?.currency ?? null,
    incidents: f.incidents,
  };
}

/** Finds the entries (by index) whose scope covers a customer without testing every scope for every customer. */
class ScopeIndex {
  private readonly all: number[] = [];
  private readonly byCustomer = new Map<string, number[]>();
  private readonly byRegion = new Map<string, number[]>();
  private readonly byTier = new Map<string, number[]>();

  constructor(scopes: readonly Scope[]) {
    scopes.forEach((scope, i) => {
      if (scope === 'all') {
        this.all.push(i);
        return;
      }
      for (const id of scope.customers ?? []) push(this.byCustomer, id, i);
      for (const id of scope.regions ?? []) push(this.byRegion, id, i);
      for (const id of scope.tiers ?? []) push(this.byTier, id, i);
    });
  }

  /** Ascending indexes of the scopes covering every customer of this tier and region: "all", the tier's, the region's. */
  shared(customer: Pick<CustomerTerms, 'tier' | 'region'>): number[] {
    const region = customer.region === undefined ? [] : (this.byRegion.get(customer.region) ?? []);
    return mergeIndexes(mergeIndexes(this.all, this.byTier.get(customer.tier) ?? []), region);
  }

  /** Ascending indexes of the scopes that name the customer. */
  naming(id: string): number[] {
    return this.byCustomer.get(id) ?? [];
  }

  /** Ascending indexes of every scope covering the customer (the same answer as `scopeCovers` for each). */
  covering(customer: Pick<CustomerTerms, 'id' | 'tier' | 'region'>): number[] {
    return mergeIndexes(this.shared(customer), this.naming(customer.id));
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) {
    if (list[list.length - 1] !== value) list.push(value);
  } else map.set(key, [value]);
}

/** The scopes (by index) covering a customer, as the statement finds them. */
export function coveringScopes(scopes: readonly Scope[], customer: Pick<CustomerTerms, 'id' | 'tier' | 'region'>): number[] {
  return new ScopeIndex(scopes).covering(customer);
}

// ---------------------------------------------------------------------------
// Exact decimals

const decimals = new Map<number, { n: bigint; scale: bigint }>();

/** A finite number as an exact decimal: `n / 10^scale`, from its shortest printed form (99.9 → 999 / 10). */
function decimal(x: number): { n: bigint; scale: bigint } {
  let known = decimals.get(x);
  if (!known) {
    known = parseDecimal(x);
    // Targets and bands are a handful of numbers; fees may be many: keep the cache small.
    if (decimals.size < 10_000) decimals.set(x, known);
  }
  return known;
}

function parseDecimal(x: number): { n: bigint; scale: bigint } {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!match) throw new StatementError(`not a finite number: ${x}`);
  const fraction = match[3] ?? '';
  const digits = BigInt(`${match[1]}${match[2]}${fraction}`);
  const exponent = Number(match[4] ?? 0) - fraction.length;
  return exponent >= 0 ? { n: digits * 10n ** BigInt(exponent), scale: 0n } : { n: digits, scale: BigInt(-exponent) };
}

/** 100 · part / whole < percent, exactly (part, whole: integers of ms; whole > 0). */
function lessThanPercent(part: number, whole: number, percent: number): boolean {
  const p = decimal(percent);
  return 100n * BigInt(part) * 10n ** p.scale < p.n * BigInt(whole);
}

/** `percent` % of `amount`, in cents, rounded half up. */
export function creditCents(percent: number, amount: number): number {
  if (percent === 0) return 0;
  const p = decimal(percent);
  const a = decimal(amount);
  // percent/100 × amount × 100 cents = percent × amount cents.
  const denominator = 10n ** (p.scale + a.scale);
  const numerator = p.n * a.n;
  const sign = numerator < 0n ? -1n : 1n;
  const magnitude = numerator * sign;
  return Number(sign * ((2n * magnitude + denominator) / (2n * denominator)));
}
