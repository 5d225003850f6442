import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { parseLogFor, policyContext, replay, type ClockJson, type ReplayJson } from '../../src/cli/replay.js';

// The SLA clocks through `replay()` (issue 3). Every expected value below was
// worked out by hand; the arithmetic is in the comments.
//
// Calendars: `24x7` for enterprise; `office` for standard = Europe/Berlin,
// Mon–Fri 09:00–12:00 and 13:00–17:00 (7 working hours a day), closed on
// 2026-03-16. Berlin is UTC+1 until 2026-03-29 01:00Z, UTC+2 after.
// 2026-03-02 is a Monday, 2026-03-06 a Friday.

const CONFIG = parseConfig(`
people:
  alice: { name: Alice }
  bob: { name: Bob }
  carol: { name: Carol }
staff:
  people: [alice, bob, carol]
customers:
  - { id: acme, name: Acme, tier: enterprise, accountEngineer: carol }
  - { id: initech, name: Initech, tier: standard }
  - { id: hooli, name: Hooli, tier: basic }
tiers:
  enterprise:
    calendar: 24x7
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 8h }
      urgent: { firstResponse: 15m, nextResponse: 30m, resolution: 4h }
      low: { firstResponse: 4h }
  standard:
    calendar: office
    targets:
      default: { firstResponse: 4h, nextResponse: 7h, resolution: 14h }
      urgent: { firstResponse: 1h }
  basic:
    targets:
      default: { firstResponse: 2h }
calendars:
  office:
    timezone: Europe/Berlin
    hours:
      mon: ["09:00-12:00", "13:00-17:00"]
      tue: ["09:00-12:00", "13:00-17:00"]
      wed: ["09:00-12:00", "13:00-17:00"]
      thu: ["09:00-12:00", "13:00-17:00"]
      fri: ["09:00-12:00", "13:00-17:00"]
    holidays:
      dates: ["2026-03-16"]
`);
const CTX = policyContext(CONFIG);

type Line = Record<string, unknown> & { at: string; type: string };

/** `2026-03-02T09:00:00Z` from `09:00` (Monday 2 March), or a full ISO time as is. */
const T = (time: string): string => (time.includes('T') ? time : `2026-03-02T${time.length === 5 ? `${time}:00` : time}Z`);
const ev = (time: string, type: string, extra: Record<string, unknown> = {}): Line => ({ at: T(time), type, ...extra });
const opened = (time: string, severity = 'normal', customer = 'acme'): Line => ev(time, 'opened', { customer, severity });

function run(lines: Line[], at: string): ReplayJson {
  const events = parseLogFor(CONFIG, lines.map((line) => JSON.stringify(line)).join('\n'));
  return replay(events, CTX, Date.parse(T(at)));
}

/** A clock as printed: status, startedAt, dueAt, stoppedAt, breachedAt, remainingSeconds. */
function clock(status: string, startedAt: string, dueAt: string | null, stoppedAt: string | null, breachedAt: string | null, remainingSeconds: number | null): ClockJson {
  const t = (x: string | null) => (x === null ? null : T(x));
  return { status, startedAt: T(startedAt), dueAt: t(dueAt), stoppedAt: t(stoppedAt), breachedAt: t(breachedAt), remainingSeconds };
}
/** A next-response clock expected in cycle `n` (the JSON shows only the latest cycle; the number is for the reader). */
const cycle = (_n: number, c: ClockJson): ClockJson => c;

interface Case {
  name: string;
  events: Line[];
  at: string;
  state?: string;
  severity?: string;
  tier?: string;
  firstResponse?: ClockJson | null;
  nextResponse?: ClockJson | null;
  resolution?: ClockJson | null;
  breaches?: ReplayJson['breaches'];
}

function check(c: Case): void {
  const out = run(c.events, c.at);
  if (c.state !== undefined) expect(out.state).toBe(c.state);
  if (c.severity !== undefined) expect(out.severity).toBe(c.severity);
  if (c.tier !== undefined) expect(out.tier).toBe(c.tier);
  if (c.firstResponse !== undefined) expect(out.clocks.firstResponse).toEqual(c.firstResponse);
  if (c.nextResponse !== undefined) expect(out.clocks.nextResponse).toEqual(c.nextResponse);
  if (c.resolution !== undefined) expect(out.clocks.resolution).toEqual(c.resolution);
  if (c.breaches !== undefined) expect(out.breaches).toEqual(c.breaches);
}

describe('first response', () => {
  const cases: Case[] = [
    {
      // 24x7, 1 h: due 09:00 + 1h = 10:00. Resolution 8 h: due 17:00; at 10:30, 8h - 1h30 = 6h30 = 23400 s left.
      name: 'met: a staff reply before the deadline stops it',
      events: [opened('09:00'), ev('09:40', 'staff_reply', { by: 'alice' })],
      at: '10:30',
      state: 'open',
      severity: 'normal',
      tier: 'enterprise',
      firstResponse: clock('met', '09:00', '10:00', '09:40', null, null),
      nextResponse: null,
      resolution: clock('running', '09:00', '17:00', null, null, 23_400),
      breaches: [],
    },
    {
      name: 'met: a staff reply exactly at the deadline is on time',
      events: [opened('09:00'), ev('10:00', 'staff_reply', { by: 'alice' })],
      at: '10:00',
      firstResponse: clock('met', '09:00', '10:00', '10:00', null, null),
      breaches: [],
    },
    {
      name: 'breached: no staff reply by the deadline, breached at the deadline',
      events: [opened('09:00')],
      at: '10:30',
      firstResponse: clock('breached', '09:00', '10:00', null, '10:00', null),
      breaches: [{ clock: 'firstResponse', at: T('10:00') }],
    },
    {
      name: 'asked exactly at the deadline with no stop: breached',
      events: [opened('09:00')],
      at: '10:00',
      firstResponse: clock('breached', '09:00', '10:00', null, '10:00', null),
      breaches: [{ clock: 'firstResponse', at: T('10:00') }],
    },
    {
      // 10:00 - 09:59:59 = 1 s left.
      name: 'one second before the deadline: running, 1 s left',
      events: [opened('09:00')],
      at: '09:59:59',
      firstResponse: clock('running', '09:00', '10:00', null, null, 1),
      breaches: [],
    },
    {
      // Consumed 30 min 0.4 s: 3600 - 1800.4 = 1799.6 s left, floored to 1799.
      name: 'remainingSeconds is floored',
      events: [opened('09:00')],
      at: '09:30:00.400',
      firstResponse: clock('running', '09:00', '10:00', null, null, 1_799),
    },
    {
      name: 'a late staff reply stops the clock but the breach stays, recorded once',
      events: [opened('09:00'), ev('10:20', 'staff_reply', { by: 'alice' })],
      at: '11:00',
      firstResponse: clock('breached', '09:00', '10:00', '10:20', '10:00', null),
      breaches: [{ clock: 'firstResponse', at: T('10:00') }],
    },
    {
      name: 'a claim does not stop it',
      events: [opened('09:00'), ev('09:10', 'claimed', { by: 'alice' })],
      at: '10:05',
      firstResponse: clock('breached', '09:00', '10:00', null, '10:00', null),
      breaches: [{ clock: 'firstResponse', at: T('10:00') }],
    },
    {
      // A claim at 09:10 and nothing else: at 09:50, 60 - 50 = 10 min = 600 s left.
      name: 'a claim does not stop it (still running before the deadline)',
      events: [opened('09:00'), ev('09:10', 'claimed', { by: 'alice' })],
      at: '09:50',
      firstResponse: clock('running', '09:00', '10:00', null, null, 600),
    },
    {
      // normal -> urgent at 09:30: first response 15 min from the original start = 09:15, already
      // past: breached at 09:15 (not at 09:30). Resolution 4 h from 09:00 = 13:00; at 09:40, 4h - 40m = 12000 s.
      name: 'severity raised: a deadline already past is breached at that earlier deadline',
      events: [opened('09:00'), ev('09:30', 'severity_changed', { severity: 'urgent' })],
      at: '09:40',
      severity: 'urgent',
      firstResponse: clock('breached', '09:00', '09:15', null, '09:15', null),
      resolution: clock('running', '09:00', '13:00', null, null, 12_000),
      breaches: [{ clock: 'firstResponse', at: T('09:15') }],
    },
    {
      // normal -> urgent at 09:10: due 09:15, not yet past; at 09:12, 15 - 12 = 3 min = 180 s.
      name: 'severity raised: a deadline still ahead moves earlier',
      events: [opened('09:00'), ev('09:10', 'severity_changed', { severity: 'urgent' })],
      at: '09:12',
      firstResponse: clock('running', '09:00', '09:15', null, null, 180),
      breaches: [],
    },
    {
      // urgent: due 09:15, breached then. -> low at 09:30 (4 h would be 13:00): stays breached at 09:15.
      // low names no resolution, so the default 8 h applies: due 17:00; at 10:00, 7 h = 25200 s.
      name: 'severity lowered after a breach: stays breached',
      events: [opened('09:00', 'urgent'), ev('09:30', 'severity_changed', { severity: 'low' })],
      at: '10:00',
      severity: 'low',
      firstResponse: clock('breached', '09:00', '09:15', null, '09:15', null),
      resolution: clock('running', '09:00', '17:00', null, null, 25_200),
      breaches: [{ clock: 'firstResponse', at: T('09:15') }],
    },
    {
      // Same, with a staff reply at 10:30 that would have been in time for 4 h: still breached.
      name: 'severity lowered after a breach, then a reply: stays breached',
      events: [opened('09:00', 'urgent'), ev('09:30', 'severity_changed', { severity: 'low' }), ev('10:30', 'staff_reply', { by: 'bob' })],
      at: '11:00',
      firstResponse: clock('breached', '09:00', '09:15', '10:30', '09:15', null),
      breaches: [{ clock: 'firstResponse', at: T('09:15') }],
    },
    {
      // Resolved at 09:20 with no staff reply: resolve stops first response, on time (due 10:00).
      name: 'resolve stops it, met when on time',
      events: [opened('09:00'), ev('09:20', 'resolved')],
      at: '12:00',
      state: 'resolved',
      firstResponse: clock('met', '09:00', '10:00', '09:20', null, null),
      resolution: clock('met', '09:00', '17:00', '09:20', null, null),
    },
    {
      name: 'close stops every clock',
      events: [opened('09:00'), ev('09:20', 'closed')],
      at: '12:00',
      state: 'closed',
      firstResponse: clock('met', '09:00', '10:00', '09:20', null, null),
      nextResponse: null,
      resolution: clock('met', '09:00', '17:00', '09:20', null, null),
      breaches: [],
    },
    {
      // Waiting on the customer from 09:10 does not pause first response: due 10:00, breached.
      name: 'waiting on the customer does not pause it',
      events: [opened('09:00'), ev('09:10', 'waiting_on_customer')],
      at: '10:30',
      state: 'waiting_on_customer',
      firstResponse: clock('breached', '09:00', '10:00', null, '10:00', null),
      // Resolution ran 10 min: paused, dueAt null, 8h - 10m = 470 min = 28200 s.
      resolution: clock('paused', '09:00', null, null, null, 28_200),
      breaches: [{ clock: 'firstResponse', at: T('10:00') }],
    },
  ];
  it.each(cases)('$name', check);
});

describe('next response', () => {
  const cycles = [
    opened('09:00'),
    ev('09:05', 'customer_message'), // before any staff reply: starts nothing
    ev('09:20', 'staff_reply', { by: 'alice' }),
    ev('09:30', 'customer_message'), // cycle 1, due 09:30 + 2h = 11:30
    ev('09:45', 'customer_message'), // a cycle is running: no new one
    ev('10:00', 'staff_reply', { by: 'alice' }), // cycle 1 met
    ev('10:30', 'customer_message'), // cycle 2, due 12:30
  ];
  const cases: Case[] = [
    {
      name: 'a customer message before any staff reply starts nothing',
      events: cycles,
      at: '09:25',
      firstResponse: clock('met', '09:00', '10:00', '09:20', null, null),
      nextResponse: null,
    },
    {
      // Cycle 1 from 09:30 (not 09:45): at 09:50, 120 - 20 = 100 min = 6000 s.
      name: 'started by the first customer message after a staff reply',
      events: cycles,
      at: '09:50',
      nextResponse: cycle(1, clock('running', '09:30', '11:30', null, null, 6_000)),
    },
    {
      name: 'stopped by the next staff reply',
      events: cycles,
      at: '10:10',
      nextResponse: cycle(1, clock('met', '09:30', '11:30', '10:00', null, null)),
    },
    {
      // Cycle 2 from 10:30, due 12:30; at 11:00, 90 min = 5400 s. Resolution: 8h - 2h = 21600 s.
      name: 'the latest cycle is shown',
      events: cycles,
      at: '11:00',
      nextResponse: cycle(2, clock('running', '10:30', '12:30', null, null, 5_400)),
      resolution: clock('running', '09:00', '17:00', null, null, 21_600),
      breaches: [],
    },
    {
      // Cycle 1 from 09:20, due 11:20, answered 11:30: breached at 11:20. Cycle 2 from 12:00, due 14:00;
      // at 12:30, 90 min = 5400 s. Resolution: 8h - 3h30 = 4h30 = 16200 s.
      name: 'a breach of an earlier cycle stays on the record while the latest cycle runs',
      events: [
        opened('09:00'),
        ev('09:10', 'staff_reply', { by: 'alice' }),
        ev('09:20', 'customer_message'),
        ev('11:30', 'staff_reply', { by: 'alice' }),
        ev('12:00', 'customer_message'),
      ],
      at: '12:30',
      nextResponse: cycle(2, clock('running', '12:00', '14:00', null, null, 5_400)),
      resolution: clock('running', '09:00', '17:00', null, null, 16_200),
      breaches: [{ clock: 'nextResponse', at: T('11:20') }],
    },
  ];
  it.each(cases)('$name', check);

  // Cycle 1 from 09:20 (due 11:20); waiting on the customer at 09:50 after 30 min of it.
  const paused = [
    opened('09:00'),
    ev('09:10', 'staff_reply', { by: 'alice' }),
    ev('09:20', 'customer_message'),
    ev('09:50', 'waiting_on_customer'),
  ];
  const pauseCases: Case[] = [
    {
      // Next response: 120 - 30 = 90 min = 5400 s left. Resolution ran 50 min: 480 - 50 = 430 min = 25800 s.
      name: 'paused while waiting on the customer: dueAt null, remaining = target - consumed',
      events: paused,
      at: '10:30',
      state: 'waiting_on_customer',
      firstResponse: clock('met', '09:00', '10:00', '09:10', null, null),
      nextResponse: cycle(1, clock('paused', '09:20', null, null, null, 5_400)),
      resolution: clock('paused', '09:00', null, null, null, 25_800),
      breaches: [],
    },
    {
      // The original 11:20 deadline passes while paused: no breach.
      name: 'a paused clock does not breach',
      events: paused,
      at: '12:00',
      nextResponse: cycle(1, clock('paused', '09:20', null, null, null, 5_400)),
      breaches: [],
    },
    {
      // Customer writes at 11:00: the same cycle resumes with 90 min left -> due 12:30 (= 11:20 + 70 min
      // paused); at 11:30, 60 min = 3600 s. Resolution resumes with 430 min -> 11:00 + 7h10 = 18:10
      // (= 17:00 + 70 min); at 11:30, 400 min = 24000 s.
      name: 'a customer message resumes the paused cycle (no new cycle)',
      events: [...paused, ev('11:00', 'customer_message')],
      at: '11:30',
      state: 'open',
      nextResponse: cycle(1, clock('running', '09:20', '12:30', null, null, 3_600)),
      resolution: clock('running', '09:00', '18:10', null, null, 24_000),
      breaches: [],
    },
    {
      // Waiting set exactly when cycle 1 runs out (11:20): like a stop at the deadline, not a breach.
      // Paused with 0 s left; the customer writes at 12:30: 0 s left, so due (and breached) at 12:30.
      name: 'paused exactly at the deadline: not breached while paused',
      events: [...paused.slice(0, 3), ev('11:20', 'waiting_on_customer')],
      at: '12:00',
      nextResponse: cycle(1, clock('paused', '09:20', null, null, null, 0)),
      breaches: [],
    },
    {
      name: 'paused exactly at the deadline, resumed: breached at the resume',
      events: [...paused.slice(0, 3), ev('11:20', 'waiting_on_customer'), ev('12:30', 'customer_message')],
      at: '13:00',
      nextResponse: cycle(1, clock('breached', '09:20', '12:30', null, '12:30', null)),
      breaches: [{ clock: 'nextResponse', at: T('12:30') }],
    },
  ];
  it.each(pauseCases)('$name', check);
});

describe('resolution', () => {
  // Runs 09:00-10:00 (1 h), waits 10:00-12:00, runs 12:00-13:00 (1 h), resolved 13:00-15:00, runs from 15:00.
  const life = [
    opened('09:00'),
    ev('09:30', 'staff_reply', { by: 'alice' }),
    ev('10:00', 'waiting_on_customer'),
    ev('12:00', 'customer_message'), // resumes; also next-response cycle 1 (staff replied), due 14:00
    ev('13:00', 'resolved'),
    ev('15:00', 'reopened'),
    ev('15:30', 'customer_message'), // next-response cycle 2, due 17:30
  ];
  const cases: Case[] = [
    {
      // At 12:00, 7 h left -> due 19:00. Resolved at 13:00: met, keeps dueAt 19:00.
      name: 'resolved: met, keeps the deadline it had',
      events: life,
      at: '14:00',
      state: 'resolved',
      resolution: clock('met', '09:00', '19:00', '13:00', null, null),
      nextResponse: cycle(1, clock('met', '12:00', '14:00', '13:00', null, null)),
      breaches: [],
    },
    {
      // Consumed 1h + 1h before the reopen (time resolved does not count): 6 h left at 15:00 -> due 21:00;
      // at 16:00, 5 h = 18000 s. Next response cycle 2 from 15:30: at 16:00, 90 min = 5400 s.
      name: 'reopened: resumes without the time resolved',
      events: life,
      at: '16:00',
      state: 'open',
      firstResponse: clock('met', '09:00', '10:00', '09:30', null, null),
      nextResponse: cycle(2, clock('running', '15:30', '17:30', null, null, 5_400)),
      resolution: clock('running', '09:00', '21:00', null, null, 18_000),
      breaches: [],
    },
    {
      // Resolved again only at 21:30: breached at 21:00. Cycle 2 (due 17:30) was never answered: breached
      // at 17:30, and the resolve at 21:30 stops it.
      name: 'reopened and resolved late: breached at the recomputed deadline',
      events: [...life, ev('21:30', 'resolved')],
      at: '22:00',
      state: 'resolved',
      nextResponse: cycle(2, clock('breached', '15:30', '17:30', '21:30', '17:30', null)),
      resolution: clock('breached', '09:00', '21:00', '21:30', '21:00', null),
      breaches: [
        { clock: 'nextResponse', at: T('17:30') },
        { clock: 'resolution', at: T('21:00') },
      ],
    },
    {
      // Resolved 09:30 (first response met by the resolve), reopened 10:00, the customer writes at 10:15:
      // a reopen arms next response even without a staff reply: cycle 1 due 12:15; at 10:45, 5400 s.
      // Resolution: 30 min + 45 min consumed -> 480 - 75 = 405 min = 24300 s; due 10:00 + 7h30 = 17:30.
      name: 'a reopen arms next response for the next customer message',
      events: [opened('09:00'), ev('09:30', 'resolved'), ev('10:00', 'reopened'), ev('10:15', 'customer_message')],
      at: '10:45',
      firstResponse: clock('met', '09:00', '10:00', '09:30', null, null),
      nextResponse: cycle(1, clock('running', '10:15', '12:15', null, null, 5_400)),
      resolution: clock('running', '09:00', '17:30', null, null, 24_300),
    },
    {
      // Waiting from 14:00 after 5 h of 8; raised to urgent (4 h) at 15:00: 4 h was reached at 13:00, in
      // a stretch the clock ran, so it is breached at 13:00 although paused now.
      name: 'severity raised while paused: breached at the earlier deadline',
      events: [opened('09:00'), ev('09:05', 'staff_reply', { by: 'alice' }), ev('14:00', 'waiting_on_customer'), ev('15:00', 'severity_changed', { severity: 'urgent' })],
      at: '15:30',
      state: 'waiting_on_customer',
      resolution: clock('breached', '09:00', '13:00', null, '13:00', null),
      breaches: [{ clock: 'resolution', at: T('13:00') }],
    },
  ];
  it.each(cases)('$name', check);
});

describe('business-hours calendar (office: Berlin, lunch 12-13, closed 2026-03-16)', () => {
  const cases: Case[] = [
    {
      // Fri 6 Mar 16:30 Berlin (15:30Z). First response 4 h = 240 min: 30 min Friday, Monday 09:00-12:00
      // 180 min (210), lunch, 13:00 + 30 min = 13:30 Berlin = 12:30Z Mon 9 Mar.
      // Resolution 14 h = 840 min: 30 Fri + 420 Mon = 450, Tue 180 (630) + 13:00 + 210 min = 16:30 Berlin = 15:30Z Tue.
      // Asked Saturday 11:00 Berlin (closed): only the 30 Friday minutes are consumed.
      // First response 240 - 30 = 210 min = 12600 s; resolution 840 - 30 = 810 min = 48600 s.
      name: 'start Friday 16:30 -> due Monday; remaining in working time while closed',
      events: [opened('2026-03-06T15:30:00Z', 'normal', 'initech')],
      at: '2026-03-07T10:00:00Z',
      tier: 'standard',
      firstResponse: clock('running', '2026-03-06T15:30:00Z', '2026-03-09T12:30:00Z', null, null, 12_600),
      nextResponse: null,
      resolution: clock('running', '2026-03-06T15:30:00Z', '2026-03-10T15:30:00Z', null, null, 48_600),
      breaches: [],
    },
    {
      // Monday 12:30 Berlin (lunch): 30 + 180 = 210 min consumed. First response 30 min = 1800 s;
      // resolution 840 - 210 = 630 min = 37800 s.
      name: 'remaining during the lunch break',
      events: [opened('2026-03-06T15:30:00Z', 'normal', 'initech')],
      at: '2026-03-09T11:30:00Z',
      firstResponse: clock('running', '2026-03-06T15:30:00Z', '2026-03-09T12:30:00Z', null, null, 1_800),
      resolution: clock('running', '2026-03-06T15:30:00Z', '2026-03-10T15:30:00Z', null, null, 37_800),
    },
    {
      // Monday 09:15 Berlin: 30 + 15 = 45 min consumed: 195 min = 11700 s.
      name: 'remaining early Monday',
      events: [opened('2026-03-06T15:30:00Z', 'normal', 'initech')],
      at: '2026-03-09T08:15:00Z',
      firstResponse: clock('running', '2026-03-06T15:30:00Z', '2026-03-09T12:30:00Z', null, null, 11_700),
    },
    {
      // Staff reply Monday 13:45 Berlin (12:45Z), after 13:30: breached at 12:30Z.
      name: 'breached in business hours',
      events: [opened('2026-03-06T15:30:00Z', 'normal', 'initech'), ev('2026-03-09T12:45:00Z', 'staff_reply', { by: 'bob' })],
      at: '2026-03-09T13:00:00Z',
      firstResponse: clock('breached', '2026-03-06T15:30:00Z', '2026-03-09T12:30:00Z', '2026-03-09T12:45:00Z', '2026-03-09T12:30:00Z', null),
      breaches: [{ clock: 'firstResponse', at: '2026-03-09T12:30:00Z' }],
    },
    {
      // Fri 13 Mar 16:30 Berlin; Monday 16 Mar is a holiday: 30 min Friday, Tuesday 09:00-12:00, 13:00-13:30
      // -> 12:30Z Tue 17 Mar. On the holiday (11:00 Berlin) still 210 min = 12600 s left.
      name: 'a holiday date is closed',
      events: [opened('2026-03-13T15:30:00Z', 'normal', 'initech')],
      at: '2026-03-16T10:00:00Z',
      firstResponse: clock('running', '2026-03-13T15:30:00Z', '2026-03-17T12:30:00Z', null, null, 12_600),
    },
    {
      // Opened Saturday 11:00 Berlin: counts from Monday 09:00; 180 min to 12:00, 13:00 + 60 = 14:00 Berlin = 13:00Z.
      // Sunday: nothing consumed, 14400 s.
      name: 'a start in closed hours counts from the next opening',
      events: [opened('2026-03-07T10:00:00Z', 'normal', 'initech')],
      at: '2026-03-08T12:00:00Z',
      firstResponse: clock('running', '2026-03-07T10:00:00Z', '2026-03-09T13:00:00Z', null, null, 14_400),
    },
    {
      // Fri 27 Mar 16:30 CET (15:30Z); Berlin goes to CEST (UTC+2) on Sunday 29 Mar. 30 min Friday, Monday
      // 09:00-12:00, 13:00-13:30 CEST = 11:30Z. Monday 09:30 CEST (07:30Z): 60 min consumed, 10800 s left.
      name: 'across the change to summer time',
      events: [opened('2026-03-27T15:30:00Z', 'normal', 'initech')],
      at: '2026-03-30T07:30:00Z',
      firstResponse: clock('running', '2026-03-27T15:30:00Z', '2026-03-30T11:30:00Z', null, null, 10_800),
    },
    {
      // Urgent standard = 1 h in office hours from Fri 16:30: 30 min Friday, Monday 09:30 Berlin = 08:30Z.
      name: 'a severity target that overrides only first response',
      events: [opened('2026-03-06T15:30:00Z', 'urgent', 'initech')],
      at: '2026-03-09T08:00:00Z',
      // Monday 09:00 Berlin: 30 min consumed, 1800 s left. Resolution still the default 14 h: 810 min = 48600 s.
      firstResponse: clock('running', '2026-03-06T15:30:00Z', '2026-03-09T08:30:00Z', null, null, 1_800),
      resolution: clock('running', '2026-03-06T15:30:00Z', '2026-03-10T15:30:00Z', null, null, 48_600),
    },
  ];
  it.each(cases)('$name', check);
});

describe('tier change', () => {
  const cases: Case[] = [
    {
      // acme opened on enterprise (24x7, 1 h) Mon 09:00Z = 10:00 Berlin; moved to standard (office) at 09:30Z.
      // First response 4 h in office hours from 10:00 Berlin: 10-12 (120), 13:00 + 120 = 15:00 Berlin = 14:00Z;
      // at 11:00 Berlin, 60 min consumed: 180 min = 10800 s.
      // Resolution 14 h = 840 min: Mon 10-12 + 13-17 = 360 (480), Tue 420 (60), Wed 09:00 + 60 = 10:00 Berlin
      // = 09:00Z Wed 4 Mar; 840 - 60 = 780 min = 46800 s.
      name: 'recomputes from the original start in the new tier calendar',
      events: [opened('09:00'), ev('09:30', 'tier_changed', { tier: 'standard' })],
      at: '10:00',
      tier: 'standard',
      firstResponse: clock('running', '09:00', '14:00', null, null, 10_800),
      resolution: clock('running', '09:00', '2026-03-04T09:00:00Z', null, null, 46_800),
      breaches: [],
    },
    {
      // initech opened 08:00Z (09:00 Berlin) on standard: due 14:00 Berlin = 13:00Z, fine at 10:30Z.
      // Moved to enterprise at 10:30Z: 1 h from 08:00Z = 09:00Z, already past: breached at 09:00Z.
      // Resolution 8 h 24x7: 16:00Z; at 10:40Z, 2h40 consumed, 5h20 = 19200 s.
      name: 'a deadline the new tier puts in the past is breached at that deadline',
      events: [opened('08:00', 'normal', 'initech'), ev('10:30', 'tier_changed', { tier: 'enterprise' })],
      at: '10:40',
      tier: 'enterprise',
      firstResponse: clock('breached', '08:00', '09:00', null, '09:00', null),
      resolution: clock('running', '08:00', '16:00', null, null, 19_200),
      breaches: [{ clock: 'firstResponse', at: T('09:00') }],
    },
    {
      // Cycle 1 from 09:20 (due 11:20) breached at 11:20; moved at 12:00 to basic, which has neither next
      // response nor resolution: both clocks are null from then on, but the 11:20 breach stays on record.
      // First response (met at 09:10) keeps its history: due 10:00.
      name: 'a tier without a target drops the clock, not its breach',
      events: [opened('09:00'), ev('09:10', 'staff_reply', { by: 'alice' }), ev('09:20', 'customer_message'), ev('12:00', 'tier_changed', { tier: 'basic' })],
      at: '13:00',
      tier: 'basic',
      firstResponse: clock('met', '09:00', '10:00', '09:10', null, null),
      nextResponse: null,
      resolution: null,
      breaches: [{ clock: 'nextResponse', at: T('11:20') }],
    },
  ];
  it.each(cases)('$name', check);
});

describe('targets, --at and the breach record', () => {
  const cases: Case[] = [
    {
      // basic has only first response (2 h, 24x7): next response and resolution are null.
      name: 'a clock whose target is not configured is null',
      events: [opened('09:00', 'normal', 'hooli'), ev('09:30', 'staff_reply', { by: 'bob' }), ev('09:45', 'customer_message')],
      at: '10:00',
      tier: 'basic',
      firstResponse: clock('met', '09:00', '11:00', '09:30', null, null),
      nextResponse: null,
      resolution: null,
    },
    {
      // The 09:40 reply is after --at 09:30: ignored. 30 min left = 1800 s.
      name: 'events after --at are ignored',
      events: [opened('09:00'), ev('09:40', 'staff_reply', { by: 'alice' }), ev('09:50', 'severity_changed', { severity: 'urgent' })],
      at: '09:30',
      severity: 'normal',
      firstResponse: clock('running', '09:00', '10:00', null, null, 1_800),
    },
    {
      name: 'an event exactly at --at counts',
      events: [opened('09:00'), ev('09:40', 'staff_reply', { by: 'alice' })],
      at: '09:40',
      firstResponse: clock('met', '09:00', '10:00', '09:40', null, null),
    },
    {
      // Urgent: first response due 09:15 (reply 09:20: breached 09:15); next response cycle 1 from 09:30,
      // 30 min -> 10:00, never answered: breached 10:00; resolution 4 h -> 13:00, breached. In time order.
      name: 'breaches of every clock, in time order',
      events: [opened('09:00', 'urgent'), ev('09:20', 'staff_reply', { by: 'alice' }), ev('09:30', 'customer_message')],
      at: '14:00',
      firstResponse: clock('breached', '09:00', '09:15', '09:20', '09:15', null),
      nextResponse: cycle(1, clock('breached', '09:30', '10:00', null, '10:00', null)),
      resolution: clock('breached', '09:00', '13:00', null, '13:00', null),
      breaches: [
        { clock: 'firstResponse', at: T('09:15') },
        { clock: 'nextResponse', at: T('10:00') },
        { clock: 'resolution', at: T('13:00') },
      ],
    },
    {
      // Opened 09:00:00.500: resolution 8 h -> 17:00:00.500. Next response from 15:00, 2 h -> 17:00:00.
      // Both breach; 17:00:00 comes first although "17:00:00.500Z" sorts first as text.
      name: 'breaches in time order to the millisecond',
      events: [opened('09:00:00.500'), ev('09:10', 'staff_reply', { by: 'alice' }), ev('15:00', 'customer_message')],
      at: '18:00',
      breaches: [
        { clock: 'nextResponse', at: T('17:00') },
        { clock: 'resolution', at: T('17:00:00.500') },
      ],
    },
    {
      // Milliseconds in the log print as such; whole seconds print without them.
      name: 'times print as ISO-8601 UTC, milliseconds only when not zero',
      events: [opened('09:00:00.250')],
      at: '09:10',
      // 1 h from 09:00:00.250; 599.75 s consumed: 3600 - 599.75 = 3000.25 -> 3000 s.
      // Resolution 8 h: 28800 - 599.75 = 28200.25 -> 28200 s.
      firstResponse: clock('running', '09:00:00.250', '10:00:00.250', null, null, 3_000),
      resolution: clock('running', '09:00:00.250', '17:00:00.250', null, null, 28_200),
    },
  ];
  it.each(cases)('$name', check);
});
