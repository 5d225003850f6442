/**
 * A schedule as an iCal feed: one event per period with someone on call.
 * Times are written in UTC (no VTIMEZONE needed; every client converts).
 */
import ical from 'ical-generator';
import type { ScheduleSpec } from '../config/schema.js';
import { onCallAt, shiftsBetween, type Shift } from './schedule.js';

export function scheduleToICal(
  scheduleId: string,
  schedule: ScheduleSpec,
  people: Record<string, { name: string }>,
  from: number,
  to: number,
): string {
  const calendar = ical({
    name: `On call: ${schedule.name ?? scheduleId}`,
    prodId: { company: 'slawatch', product: 'slawatch', language: 'EN' },
  });
  for (const shift of wholeShifts(schedule, from, to)) {
    if (shift.users.length === 0) continue;
    const names = shift.users.map((id) => people[id]?.name ?? id);
    calendar.createEvent({
      id: `${scheduleId}-${shift.start}@slawatch`,
      start: new Date(shift.start),
      end: new Date(shift.end),
      // DTSTAMP would default to the wall clock; `from` keeps the output a pure function of the arguments.
      stamp: new Date(from),
      summary: `On call: ${names.join(', ')}`,
      description: `Schedule ${scheduleId}: ${shift.users.join(', ')}`,
    });
  }
  return calendar.toString();
}

/**
 * The shifts overlapping [from, to), with the first and last extended to
 * their real start and end: a feed should show true shift times, and the UID
 * (built from the start) must not change as the export window slides.
 */
function wholeShifts(schedule: ScheduleSpec, from: number, to: number): Shift[] {
  const shifts = shiftsBetween(schedule, from, to);
  const first = shifts[0];
  const last = shifts[shifts.length - 1];
  if (!first || !last) return [];
  // null: no change within the search horizon, so keep the clipped edge.
  first.start = onCallAt(schedule, from).since ?? first.start;
  last.end = onCallAt(schedule, to - 1).until ?? last.end;
  return shifts;
}
