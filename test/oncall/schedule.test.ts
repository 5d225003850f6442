import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { LayerSpec, ScheduleSpec } from '../../src/config/schema.js';
import { minutesOfDay } from '../../src/domain/time.js';
import { WEEKDAYS, type Weekday } from '../../src/domain/vocabulary.js';
import { onCallAt, shiftsBetween, type OnCallAnswer } from '../../src/oncall/schedule.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const ms = (iso: string) => Date.parse(iso);
const utc = (iso: string | null) => (iso === null ? null : new Date(iso).toISOString());
const show = (at: number | null) => (at === null ? null : new Date(at).toISOString());

function layer(
  users: string[],
  every: number,
  handoff: string,
  start: string,
  restrict?: { days: Weekday[]; hours: string }[],
): LayerSpec {
  return restrict ? { users, rotation: { every, handoff, start }, restrict } : { users, rotation: { every, handoff, start } };
}

function schedule(timezone: string, layers: LayerSpec[], overrides: ScheduleSpec['overrides'] = []): ScheduleSpec {
  return { timezone, layers, overrides };
}

/** Compares in ISO strings so a failure reads like the expectation. */
function expectAnswer(s: ScheduleSpec, at: string, onCall: string[], since: string | null, until: string | null) {
  const answer = onCallAt(s, ms(at));
  expect({ onCall: answer.onCall, since: show(answer.since), until: show(answer.until) }).toEqual({
    onCall,
    since: utc(since),
    until: utc(until),
  });
}

function expectShifts(s: ScheduleSpec, from: string, to: string, expected: [string[], string, string][]) {
  const shifts = shiftsBetween(s, ms(from), ms(to)).map((x) => [x.users, show(x.start), show(x.end)]);
  expect(shifts).toEqual(expected.map(([users, start, end]) => [users, utc(start), utc(end)]));
}

const WEEKDAYS_ONLY: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

/** The example from the config docs. */
const primary = schedule(
  'America/New_York',
  [
    layer(['alice', 'bob', 'carol'], WEEK, '09:00', '2026-03-02'),
    layer(['dave'], DAY, '00:00', '2026-03-07', [{ days: ['sat', 'sun'], hours: '00:00-24:00' }]),
  ],
  [{ user: 'erin', start: '2026-03-10T12:00:00-04:00', end: '2026-03-10T18:00:00-04:00' }],
);

describe('onCallAt: the documented example', () => {
  it('has nobody before the first layer starts', () => {
    expectAnswer(primary, '2026-03-01T12:00:00-05:00', [], null, '2026-03-02T09:00:00-05:00');
  });

  it('gives the first user the first week, until the weekend layer takes over', () => {
    expectAnswer(primary, '2026-03-04T12:00:00-05:00', ['alice'], '2026-03-02T09:00:00-05:00', '2026-03-07T00:00:00-05:00');
  });

  it('lets the weekend layer win across the DST change, skipping its same-person midnight handoff', () => {
    expectAnswer(primary, '2026-03-08T12:00:00-04:00', ['dave'], '2026-03-07T00:00:00-05:00', '2026-03-09T00:00:00-04:00');
  });

  it('hands back to the weekly layer on Monday and rotates at 09:00 wall clock', () => {
    expectAnswer(primary, '2026-03-09T05:00:00-04:00', ['alice'], '2026-03-09T00:00:00-04:00', '2026-03-09T09:00:00-04:00');
    expectAnswer(primary, '2026-03-09T09:00:00-04:00', ['bob'], '2026-03-09T09:00:00-04:00', '2026-03-10T12:00:00-04:00');
  });

  it('lets an override win over every layer, for exactly [start, end)', () => {
    expectAnswer(primary, '2026-03-10T12:00:00-04:00', ['erin'], '2026-03-10T12:00:00-04:00', '2026-03-10T18:00:00-04:00');
    expectAnswer(primary, '2026-03-10T17:59:59.999-04:00', ['erin'], '2026-03-10T12:00:00-04:00', '2026-03-10T18:00:00-04:00');
    expectAnswer(primary, '2026-03-10T18:00:00-04:00', ['bob'], '2026-03-10T18:00:00-04:00', '2026-03-14T00:00:00-04:00');
  });

  it('lists the shifts of two weeks', () => {
    expectShifts(primary, '2026-03-06T00:00:00-05:00', '2026-03-17T00:00:00-04:00', [
      [['alice'], '2026-03-06T00:00:00-05:00', '2026-03-07T00:00:00-05:00'],
      [['dave'], '2026-03-07T00:00:00-05:00', '2026-03-09T00:00:00-04:00'],
      [['alice'], '2026-03-09T00:00:00-04:00', '2026-03-09T09:00:00-04:00'],
      [['bob'], '2026-03-09T09:00:00-04:00', '2026-03-10T12:00:00-04:00'],
      [['erin'], '2026-03-10T12:00:00-04:00', '2026-03-10T18:00:00-04:00'],
      [['bob'], '2026-03-10T18:00:00-04:00', '2026-03-14T00:00:00-04:00'],
      [['dave'], '2026-03-14T00:00:00-04:00', '2026-03-16T00:00:00-04:00'],
      [['bob'], '2026-03-16T00:00:00-04:00', '2026-03-16T09:00:00-04:00'],
      [['carol'], '2026-03-16T09:00:00-04:00', '2026-03-17T00:00:00-04:00'],
    ]);
  });
});

describe('onCallAt: rotations across DST', () => {
  it('keeps a weekly New York handoff at 09:00 local: 167 h in March, 169 h in November', () => {
    const weekly = schedule('America/New_York', [layer(['alice', 'bob'], WEEK, '09:00', '2026-03-02')]);
    expectAnswer(weekly, '2026-03-05T12:00:00-05:00', ['alice'], '2026-03-02T09:00:00-05:00', '2026-03-09T09:00:00-04:00');
    // 2026-10-26 is 34 weeks in: an even shift, alice again.
    expectAnswer(weekly, '2026-10-30T12:00:00-04:00', ['alice'], '2026-10-26T09:00:00-04:00', '2026-11-02T09:00:00-05:00');
    const march = onCallAt(weekly, ms('2026-03-05T12:00:00-05:00'));
    const november = onCallAt(weekly, ms('2026-10-30T12:00:00-04:00'));
    expect(march.until! - march.since!).toBe(167 * HOUR);
    expect(november.until! - november.since!).toBe(169 * HOUR);
  });

  it('makes the daily shift over the spring-forward night 23 h long', () => {
    const daily = schedule('America/New_York', [layer(['a', 'b'], DAY, '09:00', '2026-03-06')]);
    expectShifts(daily, '2026-03-07T00:00:00-05:00', '2026-03-09T00:00:00-04:00', [
      [['a'], '2026-03-07T00:00:00-05:00', '2026-03-07T09:00:00-05:00'],
      [['b'], '2026-03-07T09:00:00-05:00', '2026-03-08T09:00:00-04:00'],
      [['a'], '2026-03-08T09:00:00-04:00', '2026-03-09T00:00:00-04:00'],
    ]);
  });

  it('makes the daily shift over the fall-back night 25 h long (a summer start read in winter)', () => {
    const daily = schedule('America/New_York', [layer(['a', 'b'], DAY, '09:00', '2026-10-31')]);
    expectAnswer(daily, '2026-11-01T08:30:00-05:00', ['a'], '2026-10-31T09:00:00-04:00', '2026-11-01T09:00:00-05:00');
    expectAnswer(daily, '2026-11-01T09:00:00-05:00', ['b'], '2026-11-01T09:00:00-05:00', '2026-11-02T09:00:00-05:00');
    expectShifts(daily, '2026-11-01T08:30:00-05:00', '2026-11-01T10:00:00-05:00', [
      [['a'], '2026-11-01T08:30:00-05:00', '2026-11-01T09:00:00-05:00'],
      [['b'], '2026-11-01T09:00:00-05:00', '2026-11-01T10:00:00-05:00'],
    ]);
  });

  it('hands off at the end of the gap when the handoff time does not exist', () => {
    const s = schedule('America/New_York', [layer(['a', 'b', 'c'], DAY, '02:30', '2026-03-07')]);
    expectAnswer(s, '2026-03-08T01:59:00-05:00', ['a'], '2026-03-07T02:30:00-05:00', '2026-03-08T03:00:00-04:00');
    expectAnswer(s, '2026-03-08T03:00:00-04:00', ['b'], '2026-03-08T03:00:00-04:00', '2026-03-09T02:30:00-04:00');
  });

  it('hands off at the first occurrence of a repeated wall-clock time', () => {
    const s = schedule('America/New_York', [layer(['a', 'b', 'c'], DAY, '01:30', '2026-10-31')]);
    // The second 01:45 of 2026-11-01 (EST) is already in b's 25-hour shift.
    expectAnswer(s, '2026-11-01T01:45:00-05:00', ['b'], '2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00');
    expectAnswer(s, '2026-11-01T01:29:00-04:00', ['a'], '2026-10-31T01:30:00-04:00', '2026-11-01T01:30:00-04:00');
  });

  it('keeps a weekly Berlin handoff at Monday 09:00 across both changes', () => {
    const s = schedule('Europe/Berlin', [layer(['anna', 'ben'], WEEK, '09:00', '2026-03-23')]);
    expectAnswer(s, '2026-03-29T12:00:00+02:00', ['anna'], '2026-03-23T09:00:00+01:00', '2026-03-30T09:00:00+02:00');
    // 2026-10-19 is 30 weeks in: anna; the shift is 169 h.
    expectAnswer(s, '2026-10-25T12:00:00+01:00', ['anna'], '2026-10-19T09:00:00+02:00', '2026-10-26T09:00:00+01:00');
  });
});

describe('onCallAt: hourly rotations are fixed real-time spans', () => {
  it('moves a 12 h New York rotation from 08:00/20:00 to 09:00/21:00 local after spring forward', () => {
    const s = schedule('America/New_York', [layer(['a', 'b'], 12 * HOUR, '08:00', '2026-03-07')]);
    expectAnswer(s, '2026-03-07T12:00:00-05:00', ['a'], '2026-03-07T08:00:00-05:00', '2026-03-07T20:00:00-05:00');
    expectAnswer(s, '2026-03-08T08:30:00-04:00', ['b'], '2026-03-07T20:00:00-05:00', '2026-03-08T09:00:00-04:00');
    expectAnswer(s, '2026-03-08T20:30:00-04:00', ['a'], '2026-03-08T09:00:00-04:00', '2026-03-08T21:00:00-04:00');
  });

  it('runs an 8 h Berlin rotation straight through the spring-forward night', () => {
    const s = schedule('Europe/Berlin', [layer(['x', 'y', 'z'], 8 * HOUR, '06:00', '2026-03-28')]);
    expectShifts(s, '2026-03-28T00:00:00+01:00', '2026-03-29T12:00:00+02:00', [
      [[], '2026-03-28T00:00:00+01:00', '2026-03-28T06:00:00+01:00'],
      [['x'], '2026-03-28T06:00:00+01:00', '2026-03-28T14:00:00+01:00'],
      [['y'], '2026-03-28T14:00:00+01:00', '2026-03-28T22:00:00+01:00'],
      [['z'], '2026-03-28T22:00:00+01:00', '2026-03-29T07:00:00+02:00'],
      [['x'], '2026-03-29T07:00:00+02:00', '2026-03-29T12:00:00+02:00'],
    ]);
  });
});

describe('onCallAt: restrictions', () => {
  // alice covers everything; nina and nick alternate weekday nights.
  const nights = schedule('America/New_York', [
    layer(['alice'], DAY, '09:00', '2026-03-02'),
    layer(['nina', 'nick'], DAY, '18:00', '2026-03-02', [{ days: WEEKDAYS_ONLY, hours: '18:00-24:00' }]),
  ]);

  it('lets the night layer win inside its window only', () => {
    expectAnswer(nights, '2026-03-02T20:00:00-05:00', ['nina'], '2026-03-02T18:00:00-05:00', '2026-03-03T00:00:00-05:00');
    expectAnswer(nights, '2026-03-03T23:59:00-05:00', ['nick'], '2026-03-03T18:00:00-05:00', '2026-03-04T00:00:00-05:00');
  });

  it('falls back to the base layer outside the window, skipping its same-person handoff', () => {
    expectAnswer(nights, '2026-03-03T12:00:00-05:00', ['alice'], '2026-03-03T00:00:00-05:00', '2026-03-03T18:00:00-05:00');
  });

  it('picks whoever has the shift when the window opens again (weekend and DST in between)', () => {
    expectAnswer(nights, '2026-03-06T20:00:00-05:00', ['nina'], '2026-03-06T18:00:00-05:00', '2026-03-07T00:00:00-05:00');
    // Saturday: no window until Monday 18:00 EDT, the 8th daily shift since the start: nick.
    expectAnswer(nights, '2026-03-07T20:00:00-05:00', ['alice'], '2026-03-07T00:00:00-05:00', '2026-03-09T18:00:00-04:00');
  });

  it('returns nobody outside the only layer’s window', () => {
    const only = schedule('America/New_York', [
      layer(['nina'], DAY, '18:00', '2026-03-02', [{ days: WEEKDAYS_ONLY, hours: '18:00-24:00' }]),
    ]);
    expectAnswer(only, '2026-03-03T12:00:00-05:00', [], '2026-03-03T00:00:00-05:00', '2026-03-03T18:00:00-05:00');
    expectShifts(only, '2026-03-06T12:00:00-05:00', '2026-03-10T00:00:00-04:00', [
      [[], '2026-03-06T12:00:00-05:00', '2026-03-06T18:00:00-05:00'],
      [['nina'], '2026-03-06T18:00:00-05:00', '2026-03-07T00:00:00-05:00'],
      [[], '2026-03-07T00:00:00-05:00', '2026-03-09T18:00:00-04:00'],
      [['nina'], '2026-03-09T18:00:00-04:00', '2026-03-10T00:00:00-04:00'],
    ]);
  });

  it('reads windows on the wall clock across DST: a start in the gap opens when the gap ends', () => {
    const s = schedule('America/New_York', [
      layer(['alice'], WEEK, '00:00', '2026-03-01'),
      layer(['bob'], DAY, '00:00', '2026-03-01', [{ days: ['sun'], hours: '02:30-24:00' }]),
    ]);
    expectAnswer(s, '2026-03-08T12:00:00-04:00', ['bob'], '2026-03-08T03:00:00-04:00', '2026-03-09T00:00:00-04:00');
  });

  it('reads windows on the wall clock across DST: a repeated hour is inside the window twice', () => {
    const s = schedule('America/New_York', [
      layer(['alice'], WEEK, '00:00', '2026-10-25'),
      layer(['bob'], DAY, '00:00', '2026-10-25', [{ days: ['sun'], hours: '00:00-01:30' }]),
    ]);
    expectShifts(s, '2026-11-01T00:00:00-04:00', '2026-11-01T03:00:00-05:00', [
      [['bob'], '2026-11-01T00:00:00-04:00', '2026-11-01T01:30:00-04:00'],
      [['alice'], '2026-11-01T01:30:00-04:00', '2026-11-01T01:00:00-05:00'],
      [['bob'], '2026-11-01T01:00:00-05:00', '2026-11-01T01:30:00-05:00'],
      [['alice'], '2026-11-01T01:30:00-05:00', '2026-11-01T03:00:00-05:00'],
    ]);
  });

  it('joins several windows of one layer', () => {
    const split = schedule('Europe/Berlin', [
      layer(['kim'], WEEK, '00:00', '2026-03-02', [
        { days: ['mon'], hours: '08:00-12:00' },
        { days: ['mon'], hours: '12:00-13:30' },
        { days: ['tue'], hours: '00:00-24:00' },
      ]),
    ]);
    expectShifts(split, '2026-03-02T00:00:00+01:00', '2026-03-04T00:00:00+01:00', [
      [[], '2026-03-02T00:00:00+01:00', '2026-03-02T08:00:00+01:00'],
      [['kim'], '2026-03-02T08:00:00+01:00', '2026-03-02T13:30:00+01:00'],
      [[], '2026-03-02T13:30:00+01:00', '2026-03-03T00:00:00+01:00'],
      [['kim'], '2026-03-03T00:00:00+01:00', '2026-03-04T00:00:00+01:00'],
    ]);
  });
});

describe('onCallAt: layer starts, nobody, and same-person changes', () => {
  it('ignores a layer before its start and lets it win from its first handoff', () => {
    const s = schedule('America/New_York', [
      layer(['alice'], DAY, '09:00', '2026-03-02'),
      layer(['bob'], WEEK, '09:00', '2026-03-16'),
    ]);
    expectAnswer(s, '2026-03-10T12:00:00-04:00', ['alice'], '2026-03-02T09:00:00-05:00', '2026-03-16T09:00:00-04:00');
    expectAnswer(s, '2026-03-16T09:00:00-04:00', ['bob'], '2026-03-16T09:00:00-04:00', null);
  });

  it('returns [] with null edges when nothing changes within two years', () => {
    const s = schedule('UTC', [layer(['alice'], DAY, '09:00', '2030-01-01')]);
    expectAnswer(s, '2026-03-10T12:00:00Z', [], null, null);
  });

  it('skips a handoff to the same person', () => {
    const s = schedule('America/New_York', [layer(['alice', 'alice', 'bob'], DAY, '09:00', '2026-03-02')]);
    expectAnswer(s, '2026-03-02T12:00:00-05:00', ['alice'], '2026-03-02T09:00:00-05:00', '2026-03-04T09:00:00-05:00');
    expectAnswer(s, '2026-03-04T12:00:00-05:00', ['bob'], '2026-03-04T09:00:00-05:00', '2026-03-05T09:00:00-05:00');
  });

  it('skips a restriction edge that leaves the same person on call', () => {
    const s = schedule('America/New_York', [
      layer(['alice'], DAY, '09:00', '2026-03-02'),
      layer(['alice'], DAY, '18:00', '2026-03-02', [{ days: WEEKDAYS_ONLY, hours: '18:00-24:00' }]),
    ]);
    expectAnswer(s, '2026-03-03T20:00:00-05:00', ['alice'], '2026-03-02T09:00:00-05:00', null);
  });
});

describe('onCallAt: overrides', () => {
  const base = schedule(
    'America/New_York',
    [layer(['alice'], WEEK, '09:00', '2026-03-02')],
    [
      // Listed out of order on purpose: the answer orders by start.
      { user: 'frank', start: '2026-03-10T14:00:00-04:00', end: '2026-03-10T20:00:00-04:00' },
      { user: 'erin', start: '2026-03-10T12:00:00-04:00', end: '2026-03-10T18:00:00-04:00' },
      { user: 'erin', start: '2026-03-10T13:00:00-04:00', end: '2026-03-10T15:00:00-04:00' },
    ],
  );

  it('lists overlapping override users by start, once each', () => {
    expectAnswer(base, '2026-03-10T15:00:00-04:00', ['erin', 'frank'], '2026-03-10T14:00:00-04:00', '2026-03-10T18:00:00-04:00');
    expectShifts(base, '2026-03-10T11:00:00-04:00', '2026-03-10T21:00:00-04:00', [
      [['alice'], '2026-03-10T11:00:00-04:00', '2026-03-10T12:00:00-04:00'],
      [['erin'], '2026-03-10T12:00:00-04:00', '2026-03-10T14:00:00-04:00'],
      [['erin', 'frank'], '2026-03-10T14:00:00-04:00', '2026-03-10T18:00:00-04:00'],
      [['frank'], '2026-03-10T18:00:00-04:00', '2026-03-10T20:00:00-04:00'],
      [['alice'], '2026-03-10T20:00:00-04:00', '2026-03-10T21:00:00-04:00'],
    ]);
  });

  it('puts someone on call where no layer has anyone', () => {
    const s = schedule(
      'UTC',
      [layer(['alice'], DAY, '09:00', '2026-06-01')],
      [{ user: 'erin', start: '2026-03-10T12:00:00Z', end: '2026-03-10T18:00:00Z' }],
    );
    expectAnswer(s, '2026-03-10T11:00:00Z', [], null, '2026-03-10T12:00:00Z');
    expectAnswer(s, '2026-03-10T12:00:00Z', ['erin'], '2026-03-10T12:00:00Z', '2026-03-10T18:00:00Z');
    expectAnswer(s, '2026-03-10T18:00:00Z', [], '2026-03-10T18:00:00Z', '2026-06-01T09:00:00Z');
  });
});

describe('shiftsBetween', () => {
  it('returns nothing for an empty range and one clipped shift inside a long one', () => {
    expect(shiftsBetween(primary, ms('2026-03-04T00:00:00Z'), ms('2026-03-04T00:00:00Z'))).toEqual([]);
    expectShifts(primary, '2026-03-04T00:00:00Z', '2026-03-04T01:00:00Z', [[['alice'], '2026-03-04T00:00:00Z', '2026-03-04T01:00:00Z']]);
  });
});

it('answers a two-year search without a minute scan', () => {
  const s = schedule('Europe/Berlin', [
    layer(['a'], HOUR, '00:00', '2026-01-01', [{ days: [...WEEKDAYS], hours: '00:00-24:00' }]),
  ]);
  const started = performance.now();
  const answer = onCallAt(s, ms('2026-06-01T00:00:00Z'));
  expect(answer).toEqual({ onCall: ['a'], since: ms('2026-01-01T00:00:00+01:00'), until: null });
  expect(performance.now() - started).toBeLessThan(2_000);
});

// --- properties --------------------------------------------------------------

const ZONES = ['America/New_York', 'Europe/Berlin', 'UTC', 'Australia/Lord_Howe', 'Asia/Kolkata'];
const T0 = ms('2026-01-01T00:00:00Z');
const MINUTE = 60_000;

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const clock = fc.integer({ min: 0, max: 95 }).map((q) => hhmm(q * 15));
const date = fc.integer({ min: 0, max: 400 }).map((d) => new Date(T0 + d * DAY).toISOString().slice(0, 10));
const windowArb = fc
  .tuple(fc.subarray([...WEEKDAYS], { minLength: 1 }), fc.integer({ min: 0, max: 95 }), fc.integer({ min: 1, max: 96 }))
  .map(([days, a, b]) => ({ days, hours: `${hhmm(Math.min(a, b - 1) * 15)}-${hhmm(Math.max(a + 1, b) * 15)}` }));
const layerArb: fc.Arbitrary<LayerSpec> = fc
  .record({
    users: fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 3 }),
    every: fc.constantFrom(HOUR, 8 * HOUR, 12 * HOUR, 36 * HOUR, DAY, 2 * DAY, WEEK),
    handoff: clock,
    start: date,
    restrict: fc.option(fc.array(windowArb, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  })
  .map(({ users, every, handoff, start, restrict }) => layer(users, every, handoff, start, restrict));
const overrideArb = fc
  .tuple(fc.constantFrom('e', 'f', 'a'), fc.integer({ min: 0, max: 500 * 24 * 4 }), fc.integer({ min: 1, max: 3 * 24 * 4 }))
  .map(([user, q, length]) => ({
    user,
    start: new Date(T0 + q * 15 * MINUTE).toISOString(),
    end: new Date(T0 + (q + length) * 15 * MINUTE).toISOString(),
  }));
const scheduleArb: fc.Arbitrary<ScheduleSpec> = fc.record({
  timezone: fc.constantFrom(...ZONES),
  layers: fc.array(layerArb, { minLength: 1, maxLength: 3 }),
  overrides: fc.array(overrideArb, { maxLength: 3 }),
});
/** Spread over the year, with extra weight on the days around 2026's DST changes. */
const DST_CHANGES = ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z'];
const instantArb = fc.oneof(
  fc.integer({ min: -90 * DAY, max: 520 * DAY }).map((offset) => T0 + offset),
  fc.tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -2 * DAY, max: 2 * DAY })).map(([change, offset]) => ms(change) + offset),
);

/**
 * An independent, slow reading of the rules with luxon: the handoff of local
 * day D is the first minute whose local date is D and whose time is at or
 * after the handoff time (which is "end of the gap" and "first occurrence").
 */
function referenceOnCall(s: ScheduleSpec, at: number): string[] {
  const active = s.overrides
    .map((o) => ({ user: o.user, start: ms(o.start), end: ms(o.end) }))
    .filter((o) => o.start <= at && at < o.end)
    .sort((x, y) => x.start - y.start)
    .map((o) => o.user);
  if (active.length) return [...new Set(active)];
  for (const l of [...s.layers].reverse()) {
    const local = DateTime.fromMillis(at, { zone: s.timezone });
    const minutes = local.hour * 60 + local.minute;
    const inWindow = (l.restrict ?? []).some((r) => {
      const [from, to] = r.hours.split('-') as [string, string];
      return r.days.includes(WEEKDAYS[local.weekday - 1]!) && minutesOfDay(from) <= minutes && minutes < minutesOfDay(to);
    });
    if (l.restrict?.length && !inWindow) continue;
    const handoffOn = (isoDate: string) => {
      const guess = DateTime.fromISO(`${isoDate}T${l.rotation.handoff}`, { zone: s.timezone }).toMillis();
      for (let t = guess - 3 * HOUR; ; t += MINUTE) {
        const wall = DateTime.fromMillis(t, { zone: s.timezone });
        if (wall.toISODate() === isoDate && wall.hour * 60 + wall.minute >= minutesOfDay(l.rotation.handoff)) return t;
      }
    };
    const first = handoffOn(l.rotation.start);
    const everyDays = l.rotation.every % DAY === 0 ? l.rotation.every / DAY : null;
    const handoff = (k: number) =>
      everyDays === null
        ? first + k * l.rotation.every
        : handoffOn(DateTime.fromISO(l.rotation.start).plus({ days: k * everyDays }).toISODate()!);
    if (at < first) continue;
    const guess = Math.floor((at - first) / l.rotation.every);
    const k = [guess + 1, guess, guess - 1].find((i) => i >= 0 && handoff(i) <= at)!;
    return [l.users[k % l.users.length]!];
  }
  return [];
}

describe('properties', () => {
  it('agrees with a slow reference reading of the rules', () => {
    fc.assert(
      fc.property(scheduleArb, instantArb, (s, at) => {
        expect(onCallAt(s, at).onCall).toEqual(referenceOnCall(s, at));
      }),
      { numRuns: 100 },
    );
  });

  it('holds the answer on [since, until) and changes it at both edges', () => {
    fc.assert(
      fc.property(scheduleArb, instantArb, (s, at) => {
        const answer: OnCallAnswer = onCallAt(s, at);
        if (answer.until !== null) {
          expect(answer.until).toBeGreaterThan(at);
          expect(onCallAt(s, answer.until - 1).onCall).toEqual(answer.onCall);
          expect(onCallAt(s, answer.until).onCall).not.toEqual(answer.onCall);
        }
        if (answer.since !== null) {
          expect(answer.since).toBeLessThanOrEqual(at);
          expect(onCallAt(s, answer.since).onCall).toEqual(answer.onCall);
          expect(onCallAt(s, answer.since - 1).onCall).not.toEqual(answer.onCall);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('covers [from, to) contiguously with shifts that agree with onCallAt', () => {
    fc.assert(
      fc.property(scheduleArb, instantArb, fc.integer({ min: 1, max: 20 * DAY }), fc.double({ min: 0, max: 1, noNaN: true }), (s, from, length, where) => {
        const to = from + length;
        const shifts = shiftsBetween(s, from, to);
        expect(shifts[0]!.start).toBe(from);
        expect(shifts[shifts.length - 1]!.end).toBe(to);
        shifts.forEach((shift, i) => {
          expect(shift.end).toBeGreaterThan(shift.start);
          const next = shifts[i + 1];
          if (next) {
            expect(next.start).toBe(shift.end);
            expect(next.users).not.toEqual(shift.users);
          }
        });
        const probe = Math.min(to - 1, from + Math.floor(where * length));
        const holding = shifts.find((x) => x.start <= probe && probe < x.end)!;
        expect(onCallAt(s, probe).onCall).toEqual(holding.users);
      }),
      { numRuns: 50 },
    );
  });
});
