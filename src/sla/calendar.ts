/**
 * Working-time calendars for the SLA clock (README, "What it does": clocks).
 *
 * A business calendar is an IANA time zone, weekly wall-clock opening ranges
 * and closed days (explicit dates and/or a country's public holidays). The
 * open instants are exactly those whose local wall-clock time lies in one of
 * the day's ranges, so DST makes a day shorter or longer only where the jump
 * falls inside opening hours, and a repeated fall-back hour is open twice.
 *
 * Everything here is pure: time comes in and goes out as epoch milliseconds.
 * The only state is memoisation of data derived from immutable inputs (zone
 * offsets, holiday rules, per-day open intervals), all of it bounded.
 *
 * Internally a calendar works on "local days": day number n is the local date
 * whose midnight, written as if it were UTC, is n * DAY. For each local day we
 * compute (and cache) its open intervals as sorted, disjoint UTC [start, end)
 * pairs, so adding N working minutes costs O(days spanned), never O(minutes).
 * Walking day by day assumes each local date's instants come before the next
 * date's, which holds unless a zone falls back across midnight to a time that is
 * not midnight (no current zone does; Chile's 24:00 -> 23:00 is fine).
 */
import Holidays from 'date-holidays';
import { IANAZone } from 'luxon';
import { holidayRegionProblem } from '../config/holidays.js';
import type { CalendarSpec, Config } from '../config/schema.js';
import { ALWAYS_OPEN_CALENDAR, WEEKDAYS } from '../domain/vocabulary.js';

export interface WorkingCalendar {
  readonly id: string;
  readonly timezone: string;
  /** The instant at which `workingMs` of working time have elapsed after `start`. A start in closed hours counts from the next opening. workingMs = 0 returns start unchanged. */
  addWorkingTime(start: number, workingMs: number): number;
  /** Working milliseconds in [from, to); 0 when to <= from. */
  workingTimeBetween(from: number, to: number): number;
  isOpen(at: number): boolean;
  /** `at` itself if open, else the next instant the calendar opens (throws if it never opens within ~3 years, e.g. no hours configured). */
  nextOpening(at: number): number;
  /**
   * `days` business days after `start`: the same point of the working day
   * (as much working time into it) on the `days`-th open day after the one
   * `start` falls in (or opens next). A start in closed hours counts from the
   * next opening. Friday 15:00 + 2 business days = Tuesday 15:00; across a
   * holiday Monday, Wednesday 15:00.
   */
  addBusinessDays(start: number, days: number): number;
  /**
   * When the local day of `at` is closed for a holiday: its name (a public
   * holiday's, in `language` where date-holidays has it), or '' for a closed
   * date of the config, which has none. Undefined on any other day.
   */
  holidayAt(at: number, language?: string): string | undefined;
}

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Give up looking for an opening after this many consecutive closed days (~3 years). */
const MAX_CLOSED_DAYS = 3 * 366;
/** Per-calendar cache of local days' open intervals: ~11 years of days. */
const DAY_CACHE_SIZE = 4096;
/** No zone's UTC offset has ever exceeded this (the record is Manila's LMT, -15:56). */
const MAX_ZONE_OFFSET = 18 * HOUR;
const EMPTY: readonly number[] = Object.freeze([]);

// ---------------------------------------------------------------------------
// The always-open calendar

export function alwaysOpenCalendar(): WorkingCalendar {
  return {
    id: ALWAYS_OPEN_CALENDAR,
    timezone: 'UTC',
    addWorkingTime(start, workingMs) {
      checkInstant(start, 'start');
      checkDuration(workingMs);
      return start + workingMs;
    },
    workingTimeBetween(from, to) {
      checkInstant(from, 'from');
      checkInstant(to, 'to');
      return Math.max(0, to - from);
    },
    isOpen(at) {
      checkInstant(at, 'at');
      return true;
    },
    nextOpening(at) {
      checkInstant(at, 'at');
      return at;
    },
    addBusinessDays(start, days) {
      checkInstant(start, 'start');
      checkDuration(days);
      return start + days * DAY;
    },
    holidayAt(at) {
      checkInstant(at, 'at');
      return undefined;
    },
  };
}

// ---------------------------------------------------------------------------
// Business calendars

export function businessCalendar(id: string, spec: CalendarSpec): WorkingCalendar {
  return new BusinessCalendar(id, spec);
}

/** Every calendar of the config by id, plus the implicit always-open '24x7' (unless the config declares its own). */
export function buildCalendars(config: Pick<Config, 'calendars'>): Map<string, WorkingCalendar> {
  const calendars = new Map<string, WorkingCalendar>([[ALWAYS_OPEN_CALENDAR, alwaysOpenCalendar()]]);
  for (const [id, spec] of Object.entries(config.calendars)) calendars.set(id, businessCalendar(id, spec));
  return calendars;
}

class BusinessCalendar implements WorkingCalendar {
  readonly id: string;
  readonly timezone: string;
  private readonly zone: ZoneOffsets;
  /** Merged opening ranges in minutes of the day, [from, to) pairs, indexed mon = 0 .. sun = 6. */
  private readonly weekly: readonly (readonly number[])[];
  private readonly hasHours: boolean;
  private readonly closedDates: ReadonlySet<number>;
  private readonly publicHolidays: PublicHolidays | undefined;
  /** Local day number -> flat [start0, end0, start1, end1, ...] UTC instants. Evicted oldest first. */
  private readonly days = new Map<number, readonly number[]>();

  constructor(id: string, spec: CalendarSpec) {
    this.id = id;
    this.timezone = spec.timezone;
    const fail = (message: string): never => {
      throw new Error(`calendar "${id}": ${message}`);
    };
    this.zone = zoneOffsets(spec.timezone) ?? fail(`unknown time zone "${spec.timezone}"`);
    this.weekly = WEEKDAYS.map((day) =>
      mergeRanges((spec.hours[day] ?? []).map((text) => parseRange(text) ?? fail(`bad range "${text}" on ${day}, expected "HH:MM-HH:MM"`))),
    );
    this.hasHours = this.weekly.some((ranges) => ranges.length > 0);
    // `holidays` always has a value after parsing; tolerate hand-built specs without it.
    const holidays: Partial<CalendarSpec['holidays']> = spec.holidays ?? {};
    this.closedDates = new Set(
      (holidays.dates ?? []).map((date) => parseDate(date) ?? fail(`bad holiday date "${date}", expected "YYYY-MM-DD"`)),
    );
    if (holidays.country) {
      const problem = holidayRegionProblem(holidays.country, holidays.region);
      if (problem) fail(problem.message);
      this.publicHolidays = publicHolidays(holidays.country, holidays.region);
    }
  }

  addWorkingTime(start: number, workingMs: number): number {
    checkInstant(start, 'start');
    checkDuration(workingMs);
    if (workingMs === 0) return start;
    if (!this.hasHours) throw this.neverOpens(start);
    let remaining = workingMs;
    let cursor = start;
    let closedDays = 0;
    for (let day = this.localDay(start); ; day++) {
      const intervals = this.openIntervals(day);
      let open = false;
      for (let i = 0; i < intervals.length; i += 2) {
        const from = Math.max(intervals[i]!, cursor);
        const to = intervals[i + 1]!;
        if (to <= from) continue;
        open = true;
        // `<=`: time running out exactly at a range end yields that end, never the next opening.
        if (remaining <= to - from) return from + remaining;
        remaining -= to - from;
        cursor = to;
      }
      closedDays = open ? 0 : closedDays + 1;
      if (closedDays > MAX_CLOSED_DAYS) throw this.neverOpens(start);
    }
  }

  workingTimeBetween(from: number, to: number): number {
    checkInstant(from, 'from');
    checkInstant(to, 'to');
    if (to <= from || !this.hasHours) return 0;
    let total = 0;
    const lastDay = this.localDay(to);
    for (let day = this.localDay(from); day <= lastDay; day++) {
      const intervals = this.openIntervals(day);
      for (let i = 0; i < intervals.length; i += 2) {
        const overlap = Math.min(intervals[i + 1]!, to) - Math.max(intervals[i]!, from);
        if (overlap > 0) total += overlap;
      }
    }
    return total;
  }

  isOpen(at: number): boolean {
    checkInstant(at, 'at');
    const intervals = this.openIntervals(this.localDay(at));
    for (let i = 0; i < intervals.length; i += 2) {
      if (intervals[i]! <= at && at < intervals[i + 1]!) return true;
    }
    return false;
  }

  nextOpening(at: number): number {
    checkInstant(at, 'at');
    if (!this.hasHours) throw this.neverOpens(at);
    let closedDays = 0;
    for (let day = this.localDay(at); closedDays <= MAX_CLOSED_DAYS; day++, closedDays++) {
      const intervals = this.openIntervals(day);
      for (let i = 0; i < intervals.length; i += 2) {
        if (intervals[i + 1]! > at) return Math.max(intervals[i]!, at);
      }
    }
    throw this.neverOpens(at);
  }

  addBusinessDays(start: number, days: number): number {
    checkInstant(start, 'start');
    checkDuration(days);
    const from = this.nextOpening(start);
    const fromDay = this.localDay(from);
    // How far into its working day `from` is, in working time.
    const offset = this.workingTimeBetween(this.openIntervals(fromDay)[0] ?? from, from);
    let day = fromDay;
    let closedDays = 0;
    for (let counted = 0; counted < days; ) {
      day++;
      if (this.openIntervals(day).length > 0) {
        counted++;
        closedDays = 0;
      } else if (++closedDays > MAX_CLOSED_DAYS) throw this.neverOpens(start);
    }
    const intervals = this.openIntervals(day);
    const dayLength = intervals.reduce((sum, value, i) => sum + (i % 2 ? value - (intervals[i - 1] as number) : 0), 0);
    // A shorter day (a half day) ends the span at its close rather than spilling into the next.
    return offset >= dayLength ? (intervals[intervals.length - 1] as number) : this.addWorkingTime(intervals[0] as number, offset);
  }

  holidayAt(at: number, language?: string): string | undefined {
    checkInstant(at, 'at');
    const day = this.localDay(at);
    if (this.weekly[weekdayIndex(day)]!.length === 0) return undefined; // a closed weekday is not a holiday
    if (this.closedDates.has(day)) return '';
    return this.publicHolidays?.nameOf(day, language);
  }

  /** The local day number of an instant. */
  private localDay(at: number): number {
    return Math.floor((at + this.zone.offsetAt(at)) / DAY);
  }

  /** The open intervals of one local day, as UTC instants (cached). */
  private openIntervals(day: number): readonly number[] {
    const ranges = this.weekly[weekdayIndex(day)]!;
    if (ranges.length === 0) return EMPTY; // closed weekdays cost nothing
    let intervals = this.days.get(day);
    if (intervals) return intervals;
    intervals = this.isClosedDay(day) ? EMPTY : this.computeIntervals(day, ranges);
    if (this.days.size >= DAY_CACHE_SIZE) this.days.delete(this.days.keys().next().value!);
    this.days.set(day, intervals);
    return intervals;
  }

  private isClosedDay(day: number): boolean {
    return this.closedDates.has(day) || (this.publicHolidays?.has(day) ?? false);
  }

  /**
   * The instants whose local wall-clock time falls in one of the day's ranges:
   * for each stretch of constant UTC offset, wall time w maps to instant w - offset;
   * clip to the stretch. A boundary inside a spring-forward gap thereby lands on
   * the instant the gap ends, and a repeated fall-back hour is counted twice.
   */
  private computeIntervals(day: number, ranges: readonly number[]): readonly number[] {
    const midnight = day * DAY; // the day's 00:00 wall time, written as UTC
    const stretches = this.zone.stretches(midnight - MAX_ZONE_OFFSET, midnight + DAY + MAX_ZONE_OFFSET);
    const pieces: [number, number][] = [];
    for (let r = 0; r < ranges.length; r += 2) {
      const wallFrom = midnight + ranges[r]! * MINUTE;
      const wallTo = midnight + ranges[r + 1]! * MINUTE;
      for (const { start, end, offset } of stretches) {
        const from = Math.max(wallFrom - offset, start);
        const to = Math.min(wallTo - offset, end);
        if (from < to) pieces.push([from, to]);
      }
    }
    return mergeIntervals(pieces);
  }

  private neverOpens(at: number): Error {
    const why = this.hasHours ? `no opening within ${MAX_CLOSED_DAYS} days` : 'it has no opening hours';
    return new Error(`calendar "${this.id}" never opens after ${new Date(at).toISOString()}: ${why}`);
  }
}

// ---------------------------------------------------------------------------
// Time-zone offsets

interface OffsetTable {
  /** The UTC year covered, [start, end). */
  readonly start: number;
  readonly end: number;
  /** Instants at which the offset changes, ascending, within (year start, next year start]. */
  readonly transitions: readonly number[];
  /** offsets[0] holds at the year start, offsets[i + 1] from transitions[i] on (ms). */
  readonly offsets: readonly number[];
}

interface Stretch {
  start: number;
  end: number;
  offset: number;
}

const ZONE_YEARS_CACHED = 256;

/**
 * UTC offsets of one zone, tabulated per UTC year. Sampling the zone (Intl via
 * luxon, ~10 µs) once a day and bisecting where the offset differs finds every
 * transition to the second, assuming the zone never changes its offset and
 * changes it back within one day (no tzdb zone does in any recent year). Lookups are then a
 * scan of at most a handful of transitions.
 */
class ZoneOffsets {
  private readonly years = new Map<number, OffsetTable>();
  /** The table used last: most lookups fall in the same year. */
  private last: OffsetTable | undefined;

  constructor(private readonly zone: IANAZone) {}

  /** The UTC offset in ms (local = utc + offset) at an instant. */
  offsetAt(at: number): number {
    let table = this.last;
    if (!table || at < table.start || at >= table.end) table = this.last = this.year(utcYear(at));
    let offset = table.offsets[0]!;
    for (let i = 0; i < table.transitions.length && table.transitions[i]! <= at; i++) offset = table.offsets[i + 1]!;
    return offset;
  }

  /** [start, end) split where the offset changes. */
  stretches(start: number, end: number): Stretch[] {
    const result: Stretch[] = [];
    let from = start;
    let offset = this.offsetAt(start);
    for (let year = utcYear(start); year <= utcYear(end); year++) {
      const table = this.year(year);
      table.transitions.forEach((at, i) => {
        if (at <= from || at >= end) return;
        result.push({ start: from, end: at, offset });
        from = at;
        offset = table.offsets[i + 1]!;
      });
    }
    result.push({ start: from, end, offset });
    return result;
  }

  private year(year: number): OffsetTable {
    let table = this.years.get(year);
    if (!table) {
      table = this.tabulate(year);
      if (this.years.size >= ZONE_YEARS_CACHED) this.years.delete(this.years.keys().next().value!);
      this.years.set(year, table);
    }
    return table;
  }

  private tabulate(year: number): OffsetTable {
    const yearStart = Date.UTC(year, 0, 1);
    const yearEnd = Date.UTC(year + 1, 0, 1);
    const transitions: number[] = [];
    const offsets = [this.sample(yearStart)];
    let lo = yearStart;
    let loOffset = offsets[0]!;
    while (lo < yearEnd) {
      const hi = Math.min(lo + DAY, yearEnd);
      const hiOffset = this.sample(hi);
      // Usually equal; otherwise bisect, repeatedly in case of several changes in one day.
      while (loOffset !== hiOffset) {
        lo = this.firstChange(lo, hi, loOffset);
        loOffset = this.sample(lo);
        transitions.push(lo);
        offsets.push(loOffset);
      }
      lo = hi;
    }
    return { start: yearStart, end: yearEnd, transitions, offsets };
  }

  /** The first whole second in (lo, hi] whose offset is not `offset`, given that hi's is not. */
  private firstChange(lo: number, hi: number, offset: number): number {
    let before = Math.floor(lo / SECOND);
    let after = Math.ceil(hi / SECOND);
    while (after - before > 1) {
      const mid = Math.floor((before + after) / 2);
      if (this.sample(mid * SECOND) === offset) before = mid;
      else after = mid;
    }
    return after * SECOND;
  }

  private sample(at: number): number {
    return Math.round(this.zone.offset(at) * MINUTE);
  }
}

const zones = new Map<string, ZoneOffsets>();

/** Shared per zone: offsets are facts of the tz database, not of a calendar. */
function zoneOffsets(name: string): ZoneOffsets | undefined {
  let offsets = zones.get(name);
  if (!offsets) {
    if (!IANAZone.isValidZone(name)) return undefined;
    offsets = new ZoneOffsets(IANAZone.create(name));
    zones.set(name, offsets);
  }
  return offsets;
}

// ---------------------------------------------------------------------------
// Public holidays

const HOLIDAY_YEARS_CACHED = 512;

/**
 * A country's (and optionally region's) public holidays from date-holidays,
 * as local day numbers, computed per year on demand. Only type 'public'
 * counts. Some public holidays begin mid-day (e.g. at 14:00); we close the
 * whole local day for every one of them, which is what support desks do.
 * Multi-day holidays (date-holidays gives start/end) close every day covered.
 */
class PublicHolidays {
  private source: Holidays | undefined;
  /** Holiday rules' year -> the days its holidays close (these may spill into the next year). */
  private readonly years = new Map<number, ReadonlySet<number>>();

  constructor(
    private readonly country: string,
    private readonly region: string | undefined,
  ) {}

  has(day: number): boolean {
    const year = utcYear(day * DAY);
    return this.year(year).has(day) || this.year(year - 1).has(day);
  }

  /** The name of the public holiday on `day` (in `language` when date-holidays has it), or undefined. */
  nameOf(day: number, language?: string): string | undefined {
    if (!this.has(day)) return undefined;
    const year = utcYear(day * DAY);
    for (const y of [year, year - 1]) {
      for (const holiday of this.holidaysOf(y, language)) {
        const first = parseDate(holiday.date.slice(0, 10));
        if (first !== undefined && first <= day && day < first + lengthInDays(holiday)) return holiday.name;
      }
    }
    return undefined;
  }

  private year(year: number): ReadonlySet<number> {
    let days = this.years.get(year);
    if (!days) {
      days = this.compute(year);
      if (this.years.size >= HOLIDAY_YEARS_CACHED) this.years.delete(this.years.keys().next().value!);
      this.years.set(year, days);
    }
    return days;
  }

  private holidaysOf(year: number, language?: string) {
    // Built lazily: loading a country's rules takes a few milliseconds.
    this.source ??= this.region ? new Holidays(this.country, this.region) : new Holidays(this.country);
    return this.source.getHolidays(year, language).filter((holiday) => holiday.type === 'public');
  }

  private compute(year: number): ReadonlySet<number> {
    const days = new Set<number>();
    for (const holiday of this.holidaysOf(year)) {
      // `date` is "YYYY-MM-DD hh:mm:ss[ ±hhmm]" in the country's own time; its date part names the local day.
      const first = parseDate(holiday.date.slice(0, 10));
      if (first === undefined) continue;
      for (let i = 0; i < lengthInDays(holiday); i++) days.add(first + i);
    }
    return days;
  }
}

/** How many local days a holiday closes (date-holidays gives its start and end). */
function lengthInDays(holiday: { start: Date; end: Date }): number {
  return Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / DAY));
}

const holidaySources = new Map<string, PublicHolidays>();

/** Shared per country/region (one date-holidays knows: see holidayRegionProblem). */
function publicHolidays(country: string, region: string | undefined): PublicHolidays {
  const key = `${country}/${region ?? ''}`;
  let holidays = holidaySources.get(key);
  if (!holidays) {
    holidays = new PublicHolidays(country, region?.toUpperCase());
    holidaySources.set(key, holidays);
  }
  return holidays;
}

// ---------------------------------------------------------------------------
// Small helpers

/** "HH:MM-HH:MM" -> [from, to] in minutes of the day; "24:00" may end a range. */
function parseRange(text: string): [number, number] | undefined {
  const match = /^(\d{2}):([0-5]\d)-(\d{2}):([0-5]\d)$/.exec(text);
  if (!match) return undefined;
  const from = Number(match[1]) * 60 + Number(match[2]);
  const to = Number(match[3]) * 60 + Number(match[4]);
  return from < to && to <= 24 * 60 ? [from, to] : undefined;
}

/** Sorts ranges and merges overlapping or touching ones into flat [from, to, ...] minutes. */
function mergeRanges(ranges: [number, number][]): number[] {
  const merged: number[] = [];
  for (const [from, to] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged.length - 1;
    if (last > 0 && from <= merged[last]!) merged[last] = Math.max(merged[last]!, to);
    else merged.push(from, to);
  }
  return merged;
}

/** Sorts intervals and merges overlapping or touching ones into flat [start, end, ...]. */
function mergeIntervals(intervals: [number, number][]): readonly number[] {
  if (intervals.length === 0) return EMPTY;
  return mergeRanges(intervals);
}

/** "YYYY-MM-DD" -> local day number, or undefined if it is not a real date. */
function parseDate(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return ms / DAY;
}

/** mon = 0 .. sun = 6; day 0 (1970-01-01) was a Thursday. */
function weekdayIndex(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

function utcYear(at: number): number {
  return new Date(at).getUTCFullYear();
}

function checkInstant(at: number, name: string): void {
  // Date's range, less room to search a few years ahead.
  if (!Number.isFinite(at) || Math.abs(at) > 8.64e15 - 4 * 366 * DAY) {
    throw new RangeError(`${name} must be an epoch-millisecond instant, got ${at}`);
  }
}

function checkDuration(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`working time must be a non-negative number of ms, got ${ms}`);
}
