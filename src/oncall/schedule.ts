/**
 * Who is on call, computed from a schedule's layers and overrides. Pure: time
 * comes in as epoch milliseconds, nothing reads the clock.
 *
 * The on-call answer is piecewise constant: it can only change at a layer
 * handoff, at a restriction-window edge, at a DST transition (which moves
 * wall-clock windows) or at an override edge. So everything here works on
 * those candidate instants: evaluate the answer at each candidate, and the
 * answer holds until the next one.
 */
import { IANAZone } from 'luxon';
import type { LayerSpec, ScheduleSpec } from '../config/schema.js';
import { minutesOfDay } from '../domain/time.js';
import { WEEKDAYS } from '../domain/vocabulary.js';

export interface OnCallAnswer {
  onCall: string[];
  /** When the current on-call set began; null if it has not changed within the search horizon. */
  since: number | null;
  /** When the on-call set next changes; null if it does not change within the search horizon. */
  until: number | null;
}

export interface Shift {
  users: string[];
  start: number;
  end: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** since/until look at most this far back/ahead (2 × 365 days). */
export const SEARCH_HORIZON_MS = 730 * DAY_MS;
/** Windows tried before the full horizon: most answers change within days, so try small first. */
const SEARCH_STEPS_MS = [8 * DAY_MS, 64 * DAY_MS, SEARCH_HORIZON_MS];

export function onCallAt(schedule: ScheduleSpec, at: number): OnCallAnswer {
  if (!Number.isFinite(at)) throw new RangeError(`onCallAt needs a finite epoch-ms instant, got ${at}`);
  // Each direction widens on its own until it finds a change or reaches the horizon.
  let back = 0;
  let ahead = 0;
  for (;;) {
    // One extra millisecond each side so that a change exactly at the horizon is
    // still seen as a change (the instant before it lies inside the window).
    const from = at - SEARCH_STEPS_MS[back]! - 1;
    const to = at + SEARCH_STEPS_MS[ahead]! + 1;
    const current = timeline(schedule, from, to).find((s) => s.start <= at && at < s.end);
    if (!current) throw new Error('unreachable: the timeline covers its window');
    const sinceKnown = current.start > from;
    const untilKnown = current.end < to;
    const backDone = sinceKnown || back === SEARCH_STEPS_MS.length - 1;
    const aheadDone = untilKnown || ahead === SEARCH_STEPS_MS.length - 1;
    if (backDone && aheadDone) {
      return { onCall: current.users, since: sinceKnown ? current.start : null, until: untilKnown ? current.end : null };
    }
    if (!backDone) back++;
    if (!aheadDone) ahead++;
  }
}

export function shiftsBetween(schedule: ScheduleSpec, from: number, to: number): Shift[] {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError(`shiftsBetween needs finite instants, got ${from}..${to}`);
  if (to <= from) return [];
  return timeline(schedule, from, to);
}

/** The consecutive periods of constant on-call set covering [from, to), adjacent equal sets merged. */
function timeline(schedule: ScheduleSpec, from: number, to: number): Shift[] {
  // Margin so local-day lookups near the window edges stay on the precomputed table.
  const clock = new ZoneClock(schedule.timezone, from - 2 * DAY_MS, to + 2 * DAY_MS);
  const layers = schedule.layers.map((spec) => new Layer(spec, clock));
  const overrides = parseOverrides(schedule);

  const points = [from];
  for (const layer of layers) layer.collectChanges(from, to, points);
  for (const o of overrides) {
    if (o.start > from && o.start < to) points.push(o.start);
    if (o.end > from && o.end < to) points.push(o.end);
  }
  const starts = [...new Set(points)].sort((a, b) => a - b);

  const shifts: Shift[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const end = starts[i + 1] ?? to;
    const users = stateAt(layers, overrides, start);
    const last = shifts[shifts.length - 1];
    if (last && sameUsers(last.users, users)) last.end = end;
    else shifts.push({ users, start, end });
  }
  return shifts;
}

interface Override {
  user: string;
  start: number;
  end: number;
}

/** Overrides sorted by start (stable, so equal starts keep config order). */
function parseOverrides(schedule: ScheduleSpec): Override[] {
  return schedule.overrides
    .map((o) => ({ user: o.user, start: Date.parse(o.start), end: Date.parse(o.end) }))
    .sort((a, b) => a.start - b.start);
}

function stateAt(layers: Layer[], overrides: Override[], at: number): string[] {
  const overriding = overrides.filter((o) => o.start <= at && at < o.end).map((o) => o.user);
  if (overriding.length > 0) return [...new Set(overriding)];
  for (let i = layers.length - 1; i >= 0; i--) {
    const user = layers[i]!.userAt(at);
    if (user !== null) return [user];
  }
  return [];
}

/** Compared as ordered lists, so that a merged shift reports exactly what onCallAt reports inside it. */
function sameUsers(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((user, i) => user === b[i]);
}

/** One rotation layer: handoff arithmetic plus its restriction windows. */
class Layer {
  private readonly users: string[];
  private readonly everyMs: number;
  private readonly handoffMs: number;
  private readonly startDay: number;
  /** Whole-day rotations hand off at a wall-clock time; others every fixed real-time span. */
  private readonly stepDays: number | null;
  private readonly firstHandoff: number;
  private readonly windows: { days: Set<number>; fromMs: number; toMs: number }[] | null;

  constructor(
    spec: LayerSpec,
    private readonly clock: ZoneClock,
  ) {
    this.users = spec.users;
    this.everyMs = spec.rotation.every;
    this.handoffMs = minutesOfDay(spec.rotation.handoff) * MINUTE_MS;
    this.startDay = dayNumber(spec.rotation.start);
    this.stepDays = this.everyMs % DAY_MS === 0 ? this.everyMs / DAY_MS : null;
    this.firstHandoff = clock.wallClockInstant(this.startDay, this.handoffMs);
    // An empty restriction list is read like a missing one: always active.
    this.windows =
      spec.restrict && spec.restrict.length > 0
        ? spec.restrict.map((r) => {
            const [fromText, toText] = r.hours.split('-') as [string, string];
            return {
              days: new Set(r.days.map((d) => WEEKDAYS.indexOf(d))),
              fromMs: minutesOfDay(fromText) * MINUTE_MS,
              toMs: minutesOfDay(toText) * MINUTE_MS,
            };
          })
        : null;
  }

  /** The user of this layer at `at`, or null when it is restricted away or not started. */
  userAt(at: number): string | null {
    if (!this.isActive(at)) return null;
    const k = this.shiftIndexAt(at);
    return k < 0 ? null : this.users[k % this.users.length]!;
  }

  /** Adds every instant in (from, to) where this layer's user may change. */
  collectChanges(from: number, to: number, into: number[]): void {
    for (let k = Math.max(0, this.shiftIndexAt(from) + 1); ; k++) {
      const handoff = this.handoffAt(k);
      if (handoff >= to) break;
      if (handoff > from) into.push(handoff);
    }
    if (!this.windows) return;
    const push = (t: number) => {
      if (t > from && t < to) into.push(t);
    };
    const lastDay = this.clock.toLocal(to).day + 1;
    for (let day = this.clock.toLocal(from).day - 1; day <= lastDay; day++) {
      for (const w of this.windows) {
        if (!w.days.has(weekdayIndex(day))) continue;
        this.clock.instantsOf(day, w.fromMs).forEach(push);
        this.clock.instantsOf(day, w.toMs).forEach(push); // toMs may be 24:00 = next midnight
      }
    }
    // A DST jump moves the wall clock across window edges without any edge instant.
    this.clock.transitionsBetween(from, to).forEach(push);
  }

  private isActive(at: number): boolean {
    if (!this.windows) return true;
    const local = this.clock.toLocal(at);
    const weekday = weekdayIndex(local.day);
    return this.windows.some((w) => w.days.has(weekday) && w.fromMs <= local.msOfDay && local.msOfDay < w.toMs);
  }

  private handoffAt(k: number): number {
    if (this.stepDays === null) return this.firstHandoff + k * this.everyMs;
    return this.clock.wallClockInstant(this.startDay + k * this.stepDays, this.handoffMs);
  }

  /** The index of the shift running at `at`; -1 before the first handoff. */
  private shiftIndexAt(at: number): number {
    if (at < this.firstHandoff) return -1;
    let k = Math.floor((at - this.firstHandoff) / this.everyMs);
    if (this.stepDays === null) return k;
    // Whole-day shifts drift from the nominal length by DST offsets only: k is off by at most one.
    while (k > 0 && this.handoffAt(k) > at) k--;
    while (this.handoffAt(k + 1) <= at) k++;
    return k;
  }
}

/**
 * Offsets of one IANA zone over a window, precomputed as a short list of
 * transitions so that the many local-time conversions are arithmetic rather
 * than Intl calls. Outside the window it asks Intl (via luxon) directly.
 *
 * Local days are numbered like epoch days: day 0 is 1970-01-01 on the wall.
 */
class ZoneClock {
  private readonly zone: IANAZone;
  /** Instants at which the offset changes, ascending. */
  private readonly changes: number[] = [];
  /** offsets[i] holds before changes[i]; the last entry after the last change. */
  private readonly offsets: number[] = [];

  constructor(
    zoneName: string,
    private readonly lo: number,
    private readonly hi: number,
  ) {
    this.zone = IANAZone.create(zoneName);
    if (!this.zone.isValid) throw new Error(`unknown time zone "${zoneName}"`);
    // Real zones change offset at most a few times a year, never twice within 12 hours.
    const step = 12 * HOUR_MS;
    let prev = lo;
    let prevOffset = this.rawOffset(lo);
    this.offsets.push(prevOffset);
    while (prev < hi) {
      const next = Math.min(prev + step, hi);
      const offset = this.rawOffset(next);
      if (offset !== prevOffset) {
        this.changes.push(this.firstChange(prev, next));
        this.offsets.push(offset);
        prevOffset = offset;
      }
      prev = next;
    }
  }

  offsetAt(at: number): number {
    if (at < this.lo || at > this.hi) return this.rawOffset(at);
    let i = 0;
    while (i < this.changes.length && this.changes[i]! <= at) i++;
    return this.offsets[i]!;
  }

  toLocal(at: number): { day: number; msOfDay: number } {
    const wall = at + this.offsetAt(at);
    const day = Math.floor(wall / DAY_MS);
    return { day, msOfDay: wall - day * DAY_MS };
  }

  /** Every instant at which the wall clock reads `msOfDay` on `day`: none in a gap, two in an overlap. */
  instantsOf(day: number, msOfDay: number): number[] {
    const wall = day * DAY_MS + msOfDay;
    // Offsets are under a day, so the only candidates are the offsets a day either side.
    const candidates = new Set([this.offsetAt(wall - DAY_MS), this.offsetAt(wall + DAY_MS)]);
    return [...candidates]
      .map((offset) => wall - offset)
      .filter((at) => this.offsetAt(at) === wall - at)
      .sort((a, b) => a - b);
  }

  /**
   * The instant a wall-clock event (a handoff) happens: the first occurrence
   * when the time repeats, the end of the gap when it does not exist.
   */
  wallClockInstant(day: number, msOfDay: number): number {
    const [first] = this.instantsOf(day, msOfDay);
    if (first !== undefined) return first;
    const wall = day * DAY_MS + msOfDay;
    // In a gap: the transition lies between the two readings of the wall time.
    return this.firstChange(wall - this.offsetAt(wall + DAY_MS), wall - this.offsetAt(wall - DAY_MS));
  }

  /** Offset changes strictly inside (from, to). */
  transitionsBetween(from: number, to: number): number[] {
    return this.changes.filter((t) => t > from && t < to);
  }

  /** The first instant in (a, b] whose offset differs from a's (a single change is assumed). */
  private firstChange(a: number, b: number): number {
    const before = this.rawOffset(a);
    let lo = a;
    let hi = b;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.rawOffset(mid) === before) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Offset in milliseconds (luxon answers in minutes). */
  private rawOffset(at: number): number {
    return Math.round(this.zone.offset(at) * MINUTE_MS);
  }
}

/** "2026-03-02" → days since 1970-01-01. */
function dayNumber(isoDate: string): number {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** Index into WEEKDAYS (mon = 0); day 0, 1970-01-01, was a Thursday. */
function weekdayIndex(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}
