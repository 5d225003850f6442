/**
 * The period of a report or an export, from the command line's words:
 * `--since 30d` (up to the report's instant), or `--from` / `--to` as ISO
 * instants or dates. A date is a whole day in the report's time zone, so
 * `--from 2026-03-01 --to 2026-03-31` is all of March, the 31st included.
 * Bounds are [from, to): a ticket opened exactly at `to` is not in it.
 */
import { DateTime, IANAZone } from 'luxon';
import { parseDuration } from '../config/duration.js';
import { parseInstant } from '../domain/time.js';

export interface Period {
  from: number | null;
  to: number | null;
}

export interface PeriodInput {
  since?: string;
  from?: string;
  to?: string;
}

export class PeriodError extends Error {
  override name = 'PeriodError';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** `fallback` applies when no bound is given at all (report: the last 30 days; export: everything). */
export function resolvePeriod(input: PeriodInput, at: number, timezone: string, fallback: Period): Period {
  if (!isTimeZone(timezone)) throw new PeriodError(`unknown time zone "${timezone}"`);
  if (input.since !== undefined) {
    if (input.from !== undefined || input.to !== undefined) throw new PeriodError('--since cannot be combined with --from/--to');
    const ms = parseDuration(input.since);
    if (ms === undefined || ms <= 0) throw new PeriodError(`--since: expected a duration such as 30d, 4w or 12h (got "${input.since}")`);
    return { from: at - ms, to: at };
  }
  if (input.from === undefined && input.to === undefined) return fallback;
  const from = input.from === undefined ? null : bound(input.from, '--from', timezone, false);
  const to = input.to === undefined ? at : bound(input.to, '--to', timezone, true);
  if (from !== null && to !== null && to <= from) throw new PeriodError('--to must be after --from');
  return { from, to };
}

/** An ISO instant, or a date: its start (for --from) or the start of the next day (for --to, so the day is included). */
function bound(text: string, flag: string, timezone: string, endOfDay: boolean): number {
  if (DATE.test(text)) {
    const day = DateTime.fromISO(text, { zone: timezone });
    if (!day.isValid) throw new PeriodError(`${flag}: "${text}" is not a date`);
    return (endOfDay ? day.plus({ days: 1 }) : day).toMillis();
  }
  const ms = parseInstant(text);
  if (ms === undefined) throw new PeriodError(`${flag}: expected a date (2026-03-01) or an ISO time with a zone (2026-03-01T09:00:00Z), got "${text}"`);
  return ms;
}
