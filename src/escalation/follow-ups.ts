/**
 * The customer's side of a ticket's loop, as instants: what slawatch does on
 * its own while a ticket waits on the customer or sits resolved. Pure: the
 * state and its start come in, the instants go out.
 *
 *   waiting on the customer since W (the n-th wait):
 *     reminder       at W + tickets.waitingReminder   key waiting:<n>:reminder
 *     auto-resolve   at W + tickets.autoResolve       key waiting:<n>:auto_resolve
 *   resolved since R (the n-th resolve):
 *     auto-close     at R + tickets.reopenWindow      key resolved:<n>:auto_close
 *
 * Waiting spans count in the customer's calendar (its own, else its tier's,
 * else 24x7): business days (`2bd`) or working time (`16h`). The reopen window
 * is elapsed time, as for a customer's reply reopening the ticket. A customer
 * message ends a wait (no reminder, no auto-resolve); a reopen ends the
 * resolved period. Each part can be turned off per tier.
 */
import type { Config, Customer } from '../config/schema.js';
import { ALWAYS_OPEN_CALENDAR } from '../domain/vocabulary.js';
import type { TicketState } from '../domain/ticket.js';
import type { WorkingCalendar } from '../sla/calendar.js';

export type Span = { businessDays: number } | { workingMs: number };

export interface CustomerLoop {
  waitingReminder: Span | false;
  autoResolve: Span | false;
  autoClose: boolean;
  reopenWindowMs: number;
  supportHoursNote: boolean;
  satisfaction: boolean;
  /** The customer's calendar, which waiting spans count in. */
  calendar: WorkingCalendar;
}

export type FollowUpKind = 'reminder' | 'auto_resolve' | 'auto_close';

export interface FollowUp {
  /** Unique within the ticket (and its notification record key): `waiting:2:reminder`. */
  key: string;
  kind: FollowUpKind;
  at: number;
}

/** Where the ticket is in its loop: its state, since when, and how many times it has been in that state. */
export interface LoopPosition {
  state: TicketState;
  since: number;
  /** 1 for the first wait (or resolve), 2 for the second… */
  period: number;
}

export function customerLoopFor(
  ctx: { config: Pick<Config, 'tickets' | 'tiers'>; calendars: ReadonlyMap<string, WorkingCalendar> },
  customer: Pick<Customer, 'calendar'> | undefined,
  tierId: string,
): CustomerLoop {
  const tier = ctx.config.tiers[tierId];
  const own = tier?.tickets ?? {};
  const base = ctx.config.tickets;
  const calendarId = customer?.calendar ?? tier?.calendar ?? ALWAYS_OPEN_CALENDAR;
  const calendar = ctx.calendars.get(calendarId) ?? ctx.calendars.get(ALWAYS_OPEN_CALENDAR);
  if (!calendar) throw new Error(`unknown calendar "${calendarId}"`);
  return {
    waitingReminder: own.waitingReminder ?? base.waitingReminder,
    autoResolve: own.autoResolve ?? base.autoResolve,
    autoClose: own.autoClose ?? base.autoClose,
    reopenWindowMs: base.reopenWindow,
    supportHoursNote: own.supportHoursNote ?? base.supportHoursNote,
    satisfaction: own.satisfaction ?? base.satisfaction,
    calendar,
  };
}

/** The instant a span ends, counted from `start` in `calendar`. */
export function spanEnd(calendar: WorkingCalendar, start: number, span: Span): number {
  return 'businessDays' in span ? calendar.addBusinessDays(start, span.businessDays) : calendar.addWorkingTime(start, span.workingMs);
}

/** The follow-ups of the ticket's current period, in time order (whether done or not: the caller knows). */
export function followUpsOf(loop: CustomerLoop, position: LoopPosition): FollowUp[] {
  const out: FollowUp[] = [];
  if (position.state === 'waiting_on_customer') {
    if (loop.waitingReminder) out.push({ key: `waiting:${position.period}:reminder`, kind: 'reminder', at: spanEnd(loop.calendar, position.since, loop.waitingReminder) });
    if (loop.autoResolve) out.push({ key: `waiting:${position.period}:auto_resolve`, kind: 'auto_resolve', at: spanEnd(loop.calendar, position.since, loop.autoResolve) });
    // A reminder due with or after the auto-resolve says nothing the resolve note does not.
    const resolve = out.find((f) => f.kind === 'auto_resolve');
    if (resolve) return out.filter((f) => f.kind !== 'reminder' || f.at < resolve.at);
  } else if (position.state === 'resolved' && loop.autoClose) {
    out.push({ key: `resolved:${position.period}:auto_close`, kind: 'auto_close', at: position.since + loop.reopenWindowMs });
  }
  return out.sort((a, b) => a.at - b.at);
}

export interface SupportHoursNote {
  /** When the calendar opens, and the first-response clock starts. */
  clockStartsAt: number;
  /** When the first response is due. */
  firstResponseDueAt: number;
  /** The holiday closing the day the ticket opened on (its name; '' for a closed date without one). */
  holiday?: string;
}

/**
 * What to tell a customer whose ticket opened while support is closed: when
 * the clock starts and when the first response is due. Nothing when the
 * first-response calendar is open at the opening (a 24x7 tier never closes).
 */
export function supportHoursNoteFor(calendar: WorkingCalendar, openedAt: number, firstResponseDueAt: number, language?: string): SupportHoursNote | undefined {
  if (calendar.isOpen(openedAt)) return undefined;
  const holiday = calendar.holidayAt(openedAt, language);
  return { clockStartsAt: calendar.nextOpening(openedAt), firstResponseDueAt, ...(holiday !== undefined ? { holiday } : {}) };
}
