import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { alwaysOpenCalendar, buildCalendars, businessCalendar, type WorkingCalendar } from '../../src/sla/calendar.js';
import type { CalendarSpec } from '../../src/config/schema.js';

// Every expected instant below was worked out by hand from the zone rules:
// Europe/Berlin is +01:00, and +02:00 from 2026-03-29 01:00Z to 2026-10-25 01:00Z;
// America/New_York is -05:00, and -04:00 from 2026-03-08 07:00Z to 2026-11-01 06:00Z;
// Asia/Kolkata is +05:30 all year.

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();

function spec(timezone: string, hours: CalendarSpec['hours'], holidays: Partial<CalendarSpec['holidays']> = {}): CalendarSpec {
  return { timezone, hours, holidays: { dates: [], ...holidays } };
}

const weekdays = (ranges: string[]) => ({ tue: ranges, wed: ranges, thu: ranges, fri: ranges });

/** Berlin office: lunch break on Mondays (ranges given unsorted), DE public holidays, one extra closed day. */
const berlin = businessCalendar(
  'berlin',
  spec('Europe/Berlin', { mon: ['13:00-17:00', '09:00-12:00'], ...weekdays(['09:00-17:00']) }, { country: 'DE', dates: ['2026-02-10'] }),
);
/** Open Sundays around the clock, to see DST change the length of a day. */
const berlinSunday = businessCalendar('berlin-sun', spec('Europe/Berlin', { sun: ['00:00-24:00'] }));
const newYork = businessCalendar('ny', spec('America/New_York', { sun: ['00:00-24:00'], mon: ['09:00-17:00'], ...weekdays(['09:00-17:00']) }));
const kolkata = businessCalendar('in', spec('Asia/Kolkata', { mon: ['09:30-18:00'], ...weekdays(['09:30-18:00']) }));
/** Late Friday shift ending at midnight, then early Monday. */
const midnight = businessCalendar('late', spec('Europe/Berlin', { fri: ['18:00-24:00'], mon: ['00:00-02:00'] }));

interface AddCase {
  name: string;
  calendar: WorkingCalendar;
  start: string;
  working: number;
  expected: string;
}

const addCases: AddCase[] = [
  // Fri 16:30 CET: 30 min on Friday, weekend closed, 30 min from Monday 09:00.
  { name: 'over a weekend', calendar: berlin, start: '2026-01-16T15:30:00Z', working: HOUR, expected: '2026-01-19T08:30:00.000Z' },
  // Mon 11:30 CET: 30 min to noon, lunch, 30 min from 13:00 -> 13:30 CET.
  { name: 'over a lunch break', calendar: berlin, start: '2026-01-19T10:30:00Z', working: HOUR, expected: '2026-01-19T12:30:00.000Z' },
  // Mon 12:15 CET is lunch: counts from 13:00 -> 13:15 CET.
  { name: 'start during lunch', calendar: berlin, start: '2026-01-19T11:15:00Z', working: 15 * MIN, expected: '2026-01-19T12:15:00.000Z' },
  // Sat 10:00 CET: counts from Mon 09:00 -> 09:15 CET.
  { name: 'start on a Saturday', calendar: berlin, start: '2026-01-17T09:00:00Z', working: 15 * MIN, expected: '2026-01-19T08:15:00.000Z' },
  // Tue 06:00 CET: before opening -> 09:00 + 2h = 11:00 CET.
  { name: 'start before opening', calendar: berlin, start: '2026-01-20T05:00:00Z', working: 2 * HOUR, expected: '2026-01-20T10:00:00.000Z' },
  // Tue 17:00 CET exactly is closed (ranges are [from, to)): Wed 09:00 + 1 min.
  { name: 'start at closing time', calendar: berlin, start: '2026-01-20T16:00:00Z', working: MIN, expected: '2026-01-21T08:01:00.000Z' },
  // Running out exactly at closing time gives the closing time, not the next opening.
  { name: 'ends exactly at closing', calendar: berlin, start: '2026-01-20T08:00:00Z', working: 8 * HOUR, expected: '2026-01-20T16:00:00.000Z' },
  // Mon 16:00 CET: 1h Monday, Tue 2026-02-10 is an explicit holiday, Wed 09:00 + 1h.
  { name: 'over an explicit holiday', calendar: berlin, start: '2026-02-09T15:00:00Z', working: 2 * HOUR, expected: '2026-02-11T09:00:00.000Z' },
  // Thu 2026-12-24 16:00 CET: 1h Thursday; Fri 25th public holiday, weekend; Mon 28th 09:00 + 1h.
  { name: 'over Christmas (DE)', calendar: berlin, start: '2026-12-24T15:00:00Z', working: 2 * HOUR, expected: '2026-12-28T09:00:00.000Z' },
  // Thu 2026-04-02 16:30 CEST: 30 min; Good Friday, weekend, Easter Monday; Tue 09:30 CEST.
  { name: 'over Easter (DE)', calendar: berlin, start: '2026-04-02T14:30:00Z', working: HOUR, expected: '2026-04-07T07:30:00.000Z' },
  // 5 working days of 8h (Monday has 7h): Mon 2026-01-12 09:00 CET + 40h -> Mon 19th 09:00 + 1h = 10:00 CET.
  { name: 'a working week', calendar: berlin, start: '2026-01-12T08:00:00Z', working: 40 * HOUR, expected: '2026-01-19T09:00:00.000Z' },
  // Summer: Fri 2026-07-10 16:00 CEST + 2h -> Mon 13th: 09:00-10:00 CEST -> 08:00Z.
  { name: 'summer time weekend', calendar: berlin, start: '2026-07-10T14:00:00Z', working: 2 * HOUR, expected: '2026-07-13T08:00:00.000Z' },

  // Berlin Sunday 2026-03-29 lasts 23h: 00:00 CET (28th 23:00Z) to 24:00 CEST (29th 22:00Z).
  { name: 'Berlin spring-forward Sunday, whole day', calendar: berlinSunday, start: '2026-03-28T23:00:00Z', working: 23 * HOUR, expected: '2026-03-29T22:00:00.000Z' },
  { name: 'Berlin spring-forward Sunday, 1 min more', calendar: berlinSunday, start: '2026-03-28T12:00:00Z', working: 23 * HOUR + MIN, expected: '2026-04-04T22:01:00.000Z' },
  // 01:30 CET + 1h crosses the gap: 02:00-03:00 does not exist -> 03:30 CEST.
  { name: 'Berlin across the gap', calendar: berlinSunday, start: '2026-03-29T00:30:00Z', working: HOUR, expected: '2026-03-29T01:30:00.000Z' },
  // Berlin Sunday 2026-10-25 lasts 25h: 00:00 CEST (24th 22:00Z) to 24:00 CET (25th 23:00Z).
  { name: 'Berlin fall-back Sunday, whole day', calendar: berlinSunday, start: '2026-10-24T10:00:00Z', working: 25 * HOUR, expected: '2026-10-25T23:00:00.000Z' },
  // 02:30 CEST (00:30Z) + 1h: the hour 02:00-03:00 happens twice, so 1h later is 02:30 CET.
  { name: 'Berlin across the repeated hour', calendar: berlinSunday, start: '2026-10-25T00:30:00Z', working: HOUR, expected: '2026-10-25T01:30:00.000Z' },

  // New York Sunday 2026-03-08 lasts 23h: 00:00 EST (05:00Z) to 24:00 EDT (9th 04:00Z).
  { name: 'New York spring-forward Sunday', calendar: newYork, start: '2026-03-07T12:00:00Z', working: 23 * HOUR, expected: '2026-03-09T04:00:00.000Z' },
  // ... and 30 min more: Monday 09:30 EDT.
  { name: 'New York spring-forward Sunday, then Monday', calendar: newYork, start: '2026-03-07T12:00:00Z', working: 23 * HOUR + 30 * MIN, expected: '2026-03-09T13:30:00.000Z' },
  // New York Sunday 2026-11-01 lasts 25h: 00:00 EDT (04:00Z) to 24:00 EST (2nd 05:00Z).
  { name: 'New York fall-back Sunday', calendar: newYork, start: '2026-10-31T12:00:00Z', working: 25 * HOUR, expected: '2026-11-02T05:00:00.000Z' },
  { name: 'New York fall-back Sunday, then Monday', calendar: newYork, start: '2026-10-31T12:00:00Z', working: 25 * HOUR + 30 * MIN, expected: '2026-11-02T14:30:00.000Z' },
  // Fri 2026-03-06 16:00 EST + 2h: 1h Friday, Saturday closed, then Sunday from 00:00 EST (05:00Z) + 1h.
  { name: 'New York Friday into Sunday', calendar: newYork, start: '2026-03-06T21:00:00Z', working: 2 * HOUR, expected: '2026-03-08T06:00:00.000Z' },

  // Kolkata +05:30: Fri 17:00 IST (11:30Z) + 2h -> 1h Friday, Mon 09:30 + 1h = 10:30 IST.
  { name: 'Kolkata half-hour offset', calendar: kolkata, start: '2026-01-16T11:30:00Z', working: 2 * HOUR, expected: '2026-01-19T05:00:00.000Z' },
  // Sun 23:00 IST is closed; Mon 09:30 IST = 04:00Z, + 8h30m = 18:00 IST = 12:30Z (end of day).
  { name: 'Kolkata full day', calendar: kolkata, start: '2026-01-18T17:30:00Z', working: 8.5 * HOUR, expected: '2026-01-19T12:30:00.000Z' },

  // Fri 23:00 CET + 1h ends exactly at the 24:00 range end: Sat 00:00 CET, not Monday.
  { name: 'range ending at 24:00, exact', calendar: midnight, start: '2026-01-16T22:00:00Z', working: HOUR, expected: '2026-01-16T23:00:00.000Z' },
  // ... one minute more: Mon 00:01 CET = Sun 23:01Z.
  { name: 'range ending at 24:00, then Monday', calendar: midnight, start: '2026-01-16T22:00:00Z', working: HOUR + MIN, expected: '2026-01-18T23:01:00.000Z' },
  // Mon 01:00 CET + 2h: 1h Monday, Fri 18:00 CET + 1h = 19:00 CET.
  { name: 'Monday into Friday night', calendar: midnight, start: '2026-01-19T00:00:00Z', working: 2 * HOUR, expected: '2026-01-23T18:00:00.000Z' },

  // Seconds count: Mon 09:00 CET + 90.5 s.
  { name: 'to the second', calendar: berlin, start: '2026-01-19T08:00:00Z', working: 90_500, expected: '2026-01-19T08:01:30.500Z' },
];

describe('addWorkingTime', () => {
  it.each(addCases)('$name', ({ calendar, start, working, expected }) => {
    expect(iso(calendar.addWorkingTime(at(start), working))).toBe(expected);
  });

  it('returns the start unchanged for zero working time, even when closed', () => {
    expect(berlin.addWorkingTime(at('2026-01-17T09:00:00Z'), 0)).toBe(at('2026-01-17T09:00:00Z'));
  });

  it('rejects negative working time', () => {
    expect(() => berlin.addWorkingTime(at('2026-01-19T09:00:00Z'), -1)).toThrow(RangeError);
  });
});

describe('DST edges', () => {
  it('a range starting inside the spring-forward gap opens when the gap ends', () => {
    const cal = businessCalendar('gap', spec('Europe/Berlin', { sun: ['02:30-05:00'] }));
    // 02:30 does not exist on 2026-03-29; the gap ends at 03:00 CEST = 01:00Z. Open until 05:00 CEST = 03:00Z.
    expect(iso(cal.nextOpening(at('2026-03-28T23:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(cal.workingTimeBetween(at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(2 * HOUR);
    // An ordinary Sunday: 02:30-05:00 CET = 01:30Z-04:00Z.
    expect(iso(cal.nextOpening(at('2026-03-22T00:00:00Z')))).toBe('2026-03-22T01:30:00.000Z');
  });

  it('a range ending inside the spring-forward gap closes when the gap ends', () => {
    const cal = businessCalendar('gap-end', spec('Europe/Berlin', { sun: ['00:00-02:30'] }));
    // 00:00 CET = 28th 23:00Z until the gap's end 01:00Z: 2h.
    expect(cal.workingTimeBetween(at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(2 * HOUR);
    expect(cal.isOpen(at('2026-03-29T00:59:59Z'))).toBe(true);
    expect(cal.isOpen(at('2026-03-29T01:00:00Z'))).toBe(false);
  });

  it('a range spanning the spring-forward gap is an hour shorter', () => {
    const cal = businessCalendar('span', spec('America/New_York', { sun: ['01:30-03:30'] }));
    // 01:30 EST = 06:30Z to 03:30 EDT = 07:30Z.
    expect(cal.workingTimeBetween(at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toBe(HOUR);
    expect(iso(cal.addWorkingTime(at('2026-03-08T00:00:00Z'), 30 * MIN))).toBe('2026-03-08T07:00:00.000Z');
  });

  it('repeated fall-back hours are open exactly when the wall clock is in range', () => {
    // 01:30-03:30 on 2026-11-01 in New York: 01:30-02:00 EDT (05:30Z-06:00Z), then the clock
    // goes back to 01:00 EST; 01:00-01:30 EST (06:00Z-06:30Z) is outside the range,
    // 01:30-03:30 EST (06:30Z-08:30Z) is inside: 2h30m in all.
    const cal = businessCalendar('repeat', spec('America/New_York', { sun: ['01:30-03:30'] }));
    expect(cal.workingTimeBetween(at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'))).toBe(2.5 * HOUR);
    expect(cal.isOpen(at('2026-11-01T05:45:00Z'))).toBe(true);
    expect(cal.isOpen(at('2026-11-01T06:15:00Z'))).toBe(false);
    expect(iso(cal.nextOpening(at('2026-11-01T06:00:00Z')))).toBe('2026-11-01T06:30:00.000Z');
    expect(iso(cal.addWorkingTime(at('2026-11-01T05:30:00Z'), HOUR))).toBe('2026-11-01T07:00:00.000Z');
  });

  it('a range inside the repeated hour is open twice', () => {
    // Berlin 2026-10-25: 02:15-02:45 CEST = 00:15Z-00:45Z and 02:15-02:45 CET = 01:15Z-01:45Z.
    const cal = businessCalendar('twice', spec('Europe/Berlin', { sun: ['02:15-02:45'] }));
    expect(cal.workingTimeBetween(at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z'))).toBe(HOUR);
    expect(iso(cal.addWorkingTime(at('2026-10-25T00:00:00Z'), 45 * MIN))).toBe('2026-10-25T01:30:00.000Z');
    expect(cal.isOpen(at('2026-10-25T01:00:00Z'))).toBe(false);
    expect(iso(cal.nextOpening(at('2026-10-25T00:50:00Z')))).toBe('2026-10-25T01:15:00.000Z');
  });

  it('24-hour Sundays are 23h and 25h long on DST days', () => {
    expect(berlinSunday.workingTimeBetween(at('2026-03-27T00:00:00Z'), at('2026-03-31T00:00:00Z'))).toBe(23 * HOUR);
    expect(berlinSunday.workingTimeBetween(at('2026-10-23T00:00:00Z'), at('2026-10-27T00:00:00Z'))).toBe(25 * HOUR);
    expect(berlinSunday.workingTimeBetween(at('2026-06-05T00:00:00Z'), at('2026-06-09T00:00:00Z'))).toBe(24 * HOUR);
    // New York's whole Sundays, bounded by the instants from the comments above.
    expect(newYork.workingTimeBetween(at('2026-03-08T05:00:00Z'), at('2026-03-09T04:00:00Z'))).toBe(23 * HOUR);
    expect(newYork.workingTimeBetween(at('2026-11-01T04:00:00Z'), at('2026-11-02T05:00:00Z'))).toBe(25 * HOUR);
  });
});

describe('workingTimeBetween', () => {
  it.each([
    // Fri 15:00 CET to Tue 10:00 CET: 2h Friday + 7h Monday (lunch) + 1h Tuesday.
    ['across a weekend', '2026-01-16T14:00:00Z', '2026-01-20T09:00:00Z', 10 * HOUR],
    // Within lunch: nothing.
    ['inside lunch', '2026-01-19T11:10:00Z', '2026-01-19T11:50:00Z', 0],
    // Mon 2026-02-09 00:00 CET to Thu 00:00 CET: 7h Monday, Tuesday is a holiday, 8h Wednesday.
    ['across an explicit holiday', '2026-02-08T23:00:00Z', '2026-02-11T23:00:00Z', 15 * HOUR],
    // Whole weeks of December 2026: Mon 21st to Mon 28th 00:00 CET: Mon 7 + Tue-Thu 3x8; 25th is a holiday.
    ['across Christmas', '2026-12-20T23:00:00Z', '2026-12-27T23:00:00Z', 31 * HOUR],
    ['empty interval', '2026-01-19T10:00:00Z', '2026-01-19T10:00:00Z', 0],
    ['reversed interval', '2026-01-20T10:00:00Z', '2026-01-19T10:00:00Z', 0],
  ])('%s', (_name, from, to, expected) => {
    expect(berlin.workingTimeBetween(at(from), at(to))).toBe(expected);
  });
});

describe('isOpen and nextOpening', () => {
  it.each([
    ['Mon 09:00 CET opens', '2026-01-19T08:00:00Z', true],
    ['Mon 08:59:59.999 CET is closed', '2026-01-19T07:59:59.999Z', false],
    ['Mon 12:30 CET is lunch', '2026-01-19T11:30:00Z', false],
    ['Mon 17:00 CET is closed', '2026-01-19T16:00:00Z', false],
    ['Mon 16:59 CET is open', '2026-01-19T15:59:00Z', true],
    ['Saturday is closed', '2026-01-17T10:00:00Z', false],
    ['Christmas Day is closed', '2026-12-25T10:00:00Z', false],
    ['Christmas Eve is open', '2026-12-24T10:00:00Z', true],
    ['the explicit holiday is closed', '2026-02-10T10:00:00Z', false],
  ])('%s', (_name, instant, open) => {
    expect(berlin.isOpen(at(instant))).toBe(open);
  });

  it('closes on 2026-10-03 (Tag der Deutschen Einheit) for a seven-day calendar', () => {
    const everyDay = ['09:00-17:00'];
    const cal = businessCalendar(
      'daily',
      spec('Europe/Berlin', { mon: everyDay, tue: everyDay, wed: everyDay, thu: everyDay, fri: everyDay, sat: everyDay, sun: everyDay }, { country: 'DE' }),
    );
    expect(cal.isOpen(at('2026-10-03T10:00:00Z'))).toBe(false);
    expect(cal.isOpen(at('2026-10-04T10:00:00Z'))).toBe(true);
    // Fri 2nd 16:30 CEST + 1h: 30 min Friday, Saturday is the holiday, Sunday 09:30 CEST.
    expect(iso(cal.addWorkingTime(at('2026-10-02T14:30:00Z'), HOUR))).toBe('2026-10-04T07:30:00.000Z');
  });

  it.each([
    ['open: itself', '2026-01-19T09:15:30Z', '2026-01-19T09:15:30.000Z'],
    ['lunch: 13:00 CET', '2026-01-19T11:30:00Z', '2026-01-19T12:00:00.000Z'],
    ['Saturday: Monday 09:00 CET', '2026-01-17T10:00:00Z', '2026-01-19T08:00:00.000Z'],
    ['Thu 17:00 CET before Christmas: Mon 28th 09:00 CET', '2026-12-24T16:00:00Z', '2026-12-28T08:00:00.000Z'],
    ['Thu 18:00 CEST before Easter: Tue 7th 09:00 CEST', '2026-04-02T16:00:00Z', '2026-04-07T07:00:00.000Z'],
  ])('nextOpening, %s', (_name, instant, expected) => {
    expect(iso(berlin.nextOpening(at(instant)))).toBe(expected);
  });

  it('nextOpening in Kolkata and in New York', () => {
    // Sat 05:30 IST: Mon 09:30 IST = 04:00Z.
    expect(iso(kolkata.nextOpening(at('2026-01-17T00:00:00Z')))).toBe('2026-01-19T04:00:00.000Z');
    // Sat 2026-10-31 23:00 EDT: Sunday 00:00 EDT = 04:00Z.
    expect(iso(newYork.nextOpening(at('2026-11-01T03:00:00Z')))).toBe('2026-11-01T04:00:00.000Z');
  });

  it('a range ending at 24:00 includes the last instant before midnight only', () => {
    expect(midnight.isOpen(at('2026-01-16T22:59:59.999Z'))).toBe(true);
    expect(midnight.isOpen(at('2026-01-16T23:00:00Z'))).toBe(false);
    expect(iso(midnight.nextOpening(at('2026-01-16T23:00:00Z')))).toBe('2026-01-18T23:00:00.000Z');
  });

  it('throws when the calendar never opens', () => {
    const closed = businessCalendar('closed', spec('Europe/Berlin', {}));
    expect(() => closed.nextOpening(at('2026-01-19T10:00:00Z'))).toThrow(/never opens/);
    expect(() => closed.addWorkingTime(at('2026-01-19T10:00:00Z'), MIN)).toThrow(/never opens/);
    expect(closed.addWorkingTime(at('2026-01-19T10:00:00Z'), 0)).toBe(at('2026-01-19T10:00:00Z'));
    expect(closed.isOpen(at('2026-01-19T10:00:00Z'))).toBe(false);
    expect(closed.workingTimeBetween(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'))).toBe(0);
  });

  it('throws when the only opening hours fall on holidays', () => {
    // Open on Fridays only, and every Friday until 2030 is an explicit holiday.
    const fridays: string[] = [];
    for (let ms = at('2026-01-02T00:00:00Z'); ms < at('2030-01-01T00:00:00Z'); ms += 7 * 24 * HOUR) fridays.push(iso(ms).slice(0, 10));
    const cal = businessCalendar('never', spec('UTC', { fri: ['09:00-17:00'] }, { dates: fridays }));
    expect(() => cal.nextOpening(at('2026-01-01T00:00:00Z'))).toThrow(/never opens/);
  });
});

describe('construction', () => {
  it('rejects unknown zones, countries and malformed input with the calendar id', () => {
    expect(() => businessCalendar('x', spec('Mars/Olympus', {}))).toThrow(/calendar "x".*time zone/);
    expect(() => businessCalendar('x', spec('UTC', {}, { country: 'ZZ' }))).toThrow(/calendar "x".*country "ZZ"/);
    expect(() => businessCalendar('x', spec('UTC', {}, { country: 'DE', region: 'QQ' }))).toThrow(/region "QQ"/);
    expect(() => businessCalendar('x', spec('UTC', { mon: ['17:00-09:00'] }))).toThrow(/bad range/);
    expect(() => businessCalendar('x', spec('UTC', {}, { dates: ['2026-02-30'] }))).toThrow(/bad holiday date/);
  });

  it('merges overlapping and adjacent ranges', () => {
    const cal = businessCalendar('merge', spec('UTC', { mon: ['12:00-17:00', '09:00-12:00', '10:00-11:00'] }));
    expect(cal.workingTimeBetween(at('2026-01-19T00:00:00Z'), at('2026-01-20T00:00:00Z'))).toBe(8 * HOUR);
    expect(iso(cal.addWorkingTime(at('2026-01-19T11:00:00Z'), 2 * HOUR))).toBe('2026-01-19T13:00:00.000Z');
  });

  it('uses regional public holidays', () => {
    // Epiphany (6 Jan 2026, a Tuesday) is a public holiday in Bavaria only.
    const bavaria = businessCalendar('by', spec('Europe/Berlin', weekdays(['09:00-17:00']), { country: 'DE', region: 'BY' }));
    expect(bavaria.isOpen(at('2026-01-06T10:00:00Z'))).toBe(false);
    expect(berlin.isOpen(at('2026-01-06T10:00:00Z'))).toBe(true);
  });

  it('the 24x7 calendar is plain arithmetic', () => {
    const cal = alwaysOpenCalendar();
    expect(cal.id).toBe('24x7');
    expect(cal.timezone).toBe('UTC');
    expect(iso(cal.addWorkingTime(at('2026-03-29T00:30:00Z'), 90 * MIN))).toBe('2026-03-29T02:00:00.000Z');
    expect(cal.workingTimeBetween(at('2026-03-29T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(24 * HOUR);
    expect(cal.workingTimeBetween(at('2026-03-30T00:00:00Z'), at('2026-03-29T00:00:00Z'))).toBe(0);
    expect(cal.isOpen(at('2026-12-25T03:00:00Z'))).toBe(true);
    expect(cal.nextOpening(at('2026-12-25T03:00:00Z'))).toBe(at('2026-12-25T03:00:00Z'));
  });

  it('buildCalendars includes 24x7 and every configured calendar', () => {
    const calendars = buildCalendars({ calendars: { support: spec('Europe/Berlin', { mon: ['09:00-17:00'] }) } });
    expect([...calendars.keys()].sort()).toEqual(['24x7', 'support']);
    expect(calendars.get('support')!.timezone).toBe('Europe/Berlin');
    expect(calendars.get('24x7')!.isOpen(0)).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Properties

const YEAR_2026 = { min: at('2026-01-01T00:00:00Z'), max: at('2027-01-01T00:00:00Z') };
/** The 2026 DST changes in Berlin and New York. */
const DST_CHANGES = ['2026-03-08T07:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-11-01T06:00:00Z'].map(at);
/** Random starts, half of them within 12 hours of a DST change. */
const instant = fc.oneof(
  fc.integer(YEAR_2026),
  fc.tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -12 * HOUR, max: 12 * HOUR })).map(([change, delta]) => change + delta),
);
const workingMs = fc.integer({ min: 1, max: 30 * 8 * HOUR });
const dstHeavy = businessCalendar(
  'dst',
  spec('America/New_York', { sun: ['01:30-03:30', '00:00-00:45'], mon: ['00:00-24:00'], sat: ['22:00-24:00'], wed: ['09:00-17:00'] }),
);
const calendars: [string, WorkingCalendar][] = [
  ['berlin', berlin],
  ['new york', newYork],
  ['dst-heavy', dstHeavy],
  ['kolkata', kolkata],
];
const runs = { numRuns: 200 };

describe.each(calendars)('properties of %s', (_name, cal) => {
  it('add(add(s, a), b) == add(s, a + b)', () => {
    fc.assert(
      fc.property(instant, workingMs, fc.integer({ min: 0, max: 10 * 8 * HOUR }), (s, a, b) => {
        expect(cal.addWorkingTime(cal.addWorkingTime(s, a), b)).toBe(cal.addWorkingTime(s, a + b));
      }),
      runs,
    );
  });

  it('a deadline is never strictly inside closed hours', () => {
    fc.assert(
      fc.property(instant, workingMs, (s, n) => {
        const deadline = cal.addWorkingTime(s, n);
        expect(deadline).toBeGreaterThan(s);
        expect(cal.isOpen(deadline - 1)).toBe(true);
      }),
      runs,
    );
  });

  it('workingTimeBetween(s, add(s, n)) == n', () => {
    fc.assert(
      fc.property(instant, workingMs, (s0, n) => {
        const s = cal.nextOpening(s0);
        expect(cal.isOpen(s)).toBe(true);
        expect(cal.workingTimeBetween(s, cal.addWorkingTime(s, n))).toBe(n);
        expect(cal.workingTimeBetween(s0, cal.addWorkingTime(s0, n))).toBe(n);
      }),
      runs,
    );
  });

  it('add is monotonic in n', () => {
    fc.assert(
      fc.property(instant, workingMs, workingMs, (s, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(cal.addWorkingTime(s, lo)).toBeLessThanOrEqual(cal.addWorkingTime(s, hi));
        if (lo < hi) expect(cal.addWorkingTime(s, lo)).toBeLessThan(cal.addWorkingTime(s, hi));
      }),
      runs,
    );
  });

  it('nextOpening is the first open instant', () => {
    fc.assert(
      fc.property(instant, (s) => {
        const next = cal.nextOpening(s);
        expect(next).toBeGreaterThanOrEqual(s);
        expect(cal.isOpen(next)).toBe(true);
        expect(cal.workingTimeBetween(s, next)).toBe(0);
        if (next > s) expect(cal.isOpen(next - 1)).toBe(false);
      }),
      runs,
    );
  });
});

/**
 * An independent oracle for isOpen, straight from the definition: read the
 * local wall clock with Intl and look the time up in the weekly ranges.
 */
function wallClockOpen(timezone: string, hours: Readonly<Record<string, readonly string[]>>, closedDates: readonly string[], ms: number): boolean {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  if (closedDates.includes(`${parts.year}-${parts.month}-${parts.day}`)) return false;
  const seconds = Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second) + (ms % 1000) / 1000;
  const ranges = hours[String(parts.weekday).toLowerCase()] ?? [];
  return ranges.some((range) => {
    const [from, to] = range.split('-').map((t) => Number(t.slice(0, 2)) * 3600 + Number(t.slice(3)) * 60) as [number, number];
    return from <= seconds && seconds < to;
  });
}

describe('isOpen agrees with the wall clock', () => {
  // DE public holidays in 2026, by hand.
  const deHolidays = ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-01', '2026-05-14', '2026-05-25', '2026-10-03', '2026-12-25', '2026-12-26'];
  const cases: [string, WorkingCalendar, string, Record<string, string[]>, string[]][] = [
    ['berlin', berlin, 'Europe/Berlin', { mon: ['13:00-17:00', '09:00-12:00'], ...weekdays(['09:00-17:00']) }, [...deHolidays, '2026-02-10']],
    ['dst-heavy', dstHeavy, 'America/New_York', { sun: ['01:30-03:30', '00:00-00:45'], mon: ['00:00-24:00'], sat: ['22:00-24:00'], wed: ['09:00-17:00'] }, []],
    ['kolkata', kolkata, 'Asia/Kolkata', { mon: ['09:30-18:00'], ...weekdays(['09:30-18:00']) }, []],
  ];
  it.each(cases)('%s', (_name, cal, timezone, hours, closed) => {
    fc.assert(
      fc.property(instant, (ms) => {
        expect(cal.isOpen(ms)).toBe(wallClockOpen(timezone, hours, closed, ms));
      }),
      { numRuns: 500 },
    );
  });
});
