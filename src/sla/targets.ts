/**
 * Which commitment applies to a ticket: the target of each clock for a
 * (tier, severity), and the calendar it counts in.
 *
 * Lookup: `tiers.<tier>.targets.<severity>` overrides `tiers.<tier>.targets.default`
 * key by key. Calendar: the severity entry's, else the customer's, else the
 * tier's, else 24x7.
 */
import type { Config, Customer } from '../config/schema.js';
import { ALWAYS_OPEN_CALENDAR, CLOCK_KINDS, type ClockKind, type Severity } from '../domain/vocabulary.js';
import type { WorkingCalendar } from './calendar.js';

export interface ClockTarget {
  /** Working time allowed, in ms. */
  ms: number;
  calendar: WorkingCalendar;
}

export type TicketTargets = Partial<Record<ClockKind, ClockTarget>>;

export interface TargetContext {
  config: Pick<Config, 'tiers'>;
  calendars: ReadonlyMap<string, WorkingCalendar>;
}

export function resolveTargets(
  ctx: TargetContext,
  customer: Pick<Customer, 'calendar'> | undefined,
  tierId: string,
  severity: Severity,
): TicketTargets {
  const tier = ctx.config.tiers[tierId];
  if (!tier) return {};
  const base = tier.targets.default ?? {};
  const specific = tier.targets[severity] ?? {};
  const calendarId = specific.calendar ?? customer?.calendar ?? tier.calendar ?? base.calendar ?? ALWAYS_OPEN_CALENDAR;
  const calendar = ctx.calendars.get(calendarId);
  if (!calendar) throw new Error(`unknown calendar "${calendarId}"`);
  const targets: TicketTargets = {};
  for (const kind of CLOCK_KINDS) {
    const ms = specific[kind] ?? base[kind];
    if (ms !== undefined) targets[kind] = { ms, calendar };
  }
  return targets;
}
