import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { parseLogFor, policyContext, replay, type NotificationJson, type ReplayJson } from '../../src/cli/replay.js';
import { ladderSteps } from '../../src/escalation/ladder.js';
import { dueSteps, replayTimeline, type Notification } from '../../src/escalation/timeline.js';
import { isoUtc } from '../../src/domain/time.js';

// The escalation ladder through `replay()` (issue 4): `notifications` (every
// step due at or before --at, in order) and `next`. Every instant below was
// worked out by hand; the arithmetic is in the comments.
//
// `office` = Europe/Berlin, Mon–Fri 09:00–12:00 and 13:00–17:00; Berlin is
// UTC+1 in these weeks. 2026-03-02 and 2026-03-09 are Mondays, 2026-03-06 a Friday.
// Schedule `primary`: alice/bob weekly, handoff Monday 09:00 Berlin from Mon
// 2026-01-05 (alice). 2026-03-02 09:00 Berlin is 8 weeks on -> alice until
// Mon 2026-03-09 09:00 Berlin (08:00Z), then bob.
// Schedule `daytime`: dave, Mon–Fri 09:00–17:00 Berlin only; nobody otherwise.

const CONFIG = parseConfig(`
people:
  alice: { name: Alice }
  bob: { name: Bob }
  carol: { name: Carol }
  dave: { name: Dave }
  erin: { name: Erin }
staff:
  people: [alice, bob, carol, dave, erin]
customers:
  - { id: acme, name: Acme, tier: desk, accountEngineer: carol }
  - { id: initech, name: Initech, tier: desk }
  - { id: umbrella, name: Umbrella, tier: round, policy: thin }
  - { id: wayne, name: Wayne, tier: ops, policy: thin }
tiers:
  desk:
    calendar: office
    targets:
      default: { firstResponse: 4h, nextResponse: 2h }
  round:
    calendar: 24x7
    targets:
      default: { firstResponse: 4h }
      high: { firstResponse: 2h }
      urgent: { firstResponse: 30m }
  ops:
    calendar: 24x7
    targets:
      default: { resolution: 8h }
      urgent: { resolution: 4h }
calendars:
  office:
    timezone: Europe/Berlin
    hours:
      mon: ["09:00-12:00", "13:00-17:00"]
      tue: ["09:00-12:00", "13:00-17:00"]
      wed: ["09:00-12:00", "13:00-17:00"]
      thu: ["09:00-12:00", "13:00-17:00"]
      fri: ["09:00-12:00", "13:00-17:00"]
schedules:
  primary:
    timezone: Europe/Berlin
    layers:
      - users: [alice, bob]
        rotation: { every: 1w, handoff: "09:00", start: "2026-01-05" }
  daytime:
    timezone: Europe/Berlin
    layers:
      - users: [dave]
        rotation: { every: 1w, start: "2026-01-05" }
        restrict: [{ days: [mon, tue, wed, thu, fri], hours: "09:00-17:00" }]
escalation:
  warnAt: [0.5, 0.75, 0.9]
  policies:
    default:
      warn: [schedule:primary, channel:C0OPS]
      levels:
        - { notify: [schedule:primary, group:S0SUP], delay: 30m }
        - { notify: [person:erin, channel:C0OPS], delay: 1h }
      repeat: 1
    thin:
      levels:
        - { notify: [schedule:daytime], delay: 1h }
        - { notify: [person:erin], delay: 1h }
`);
const CTX = policyContext(CONFIG);

type Line = Record<string, unknown> & { at: string; type: string };
const ev = (at: string, type: string, extra: Record<string, unknown> = {}): Line => ({ at, type, ...extra });

/** The notifications of the last `run`, with every detail the JSON leaves out (fraction, cycle, round, deadline, unstaffed schedules). */
let lastFired: Notification[] = [];

function run(lines: Line[], at: string): ReplayJson {
  const events = parseLogFor(CONFIG, lines.map((line) => JSON.stringify(line)).join('\n'));
  lastFired = replayTimeline(events, CTX, Date.parse(at), true).fired;
  return replay(events, CTX, Date.parse(at));
}

/** The fields the issue names: {at, kind, clock, level, to}. */
type Brief = Pick<NotificationJson, 'at' | 'kind' | 'clock' | 'level' | 'to'>;
const brief = (n: NotificationJson | null): Brief | null => (n ? { at: n.at, kind: n.kind, clock: n.clock, level: n.level, to: n.to } : null);
const warning = (at: string, to: string[], clock: Brief['clock'] = 'firstResponse'): Brief => ({ at, kind: 'warning', clock, level: null, to });
const breach = (at: string, to: string[], clock: Brief['clock'] = 'firstResponse'): Brief => ({ at, kind: 'breach', clock, level: 1, to });
const escalation = (at: string, level: number, to: string[], clock: Brief['clock'] = 'firstResponse'): Brief => ({ at, kind: 'escalation', clock, level, to });

describe('warnings, breach and levels on a business calendar', () => {
  // initech (no account engineer), desk tier: first response 4 h = 240 min in office hours.
  // Opened Fri 6 Mar 14:00 Berlin (13:00Z):
  //   50 % = 120 min: 14:00 + 2h = 16:00 Berlin = 15:00Z Fri          (alice on call)
  //   75 % = 180 min: 17:00 Berlin = 16:00Z Fri (runs out at closing)  (alice)
  //   90 % = 216 min: 180 Fri + 36 -> Mon 09:36 Berlin = 08:36Z       (bob: after the 09:00 handoff)
  //   breach 240 min: 180 + 60 -> Mon 10:00 Berlin = 09:00Z           level 1: primary (bob) + group
  //   level 2: +30 min working -> 10:30 Berlin = 09:30Z                erin + channel
  //   repeat, level 1: +1 h -> 11:30 Berlin = 10:30Z                   bob + group
  //   repeat, level 2: +30 min -> 12:00 Berlin = 11:00Z (lunch starts) erin + channel; then nothing.
  const log = [ev('2026-03-06T13:00:00Z', 'opened', { customer: 'initech', severity: 'normal' })];
  const all = [
    warning('2026-03-06T15:00:00Z', ['alice', 'channel:C0OPS']),
    warning('2026-03-06T16:00:00Z', ['alice', 'channel:C0OPS']),
    warning('2026-03-09T08:36:00Z', ['bob', 'channel:C0OPS']),
    breach('2026-03-09T09:00:00Z', ['bob', 'group:S0SUP']),
    escalation('2026-03-09T09:30:00Z', 2, ['erin', 'channel:C0OPS']),
    escalation('2026-03-09T10:30:00Z', 1, ['bob', 'group:S0SUP']),
    escalation('2026-03-09T11:00:00Z', 2, ['erin', 'channel:C0OPS']),
  ];

  it('every step in order, repeated once, then nothing next', () => {
    const out = run(log, '2026-03-09T12:00:00Z');
    expect(out.notifications.map(brief)).toEqual(all);
    expect(out.next).toBeNull();
    expect(out.clocks.firstResponse?.breachedAt).toBe('2026-03-09T09:00:00Z');
  });

  it('over the weekend: what came due so far, and the next step', () => {
    const out = run(log, '2026-03-07T12:00:00Z');
    expect(out.notifications.map(brief)).toEqual(all.slice(0, 2));
    expect(brief(out.next)).toEqual(all[2]);
  });

  it('a step exactly at --at is among the notifications', () => {
    const out = run(log, '2026-03-06T16:00:00Z');
    expect(out.notifications.map(brief)).toEqual(all.slice(0, 2));
    expect(brief(out.next)).toEqual(all[2]);
  });

  it('one millisecond before a step, it is next', () => {
    const out = run(log, '2026-03-06T15:59:59.999Z');
    expect(out.notifications.map(brief)).toEqual(all.slice(0, 1));
    expect(brief(out.next)).toEqual(all[1]);
  });

  it('the extra fields: warning fraction, cycle, repeat and the deadline', () => {
    const out = run(log, '2026-03-09T12:00:00Z');
    expect(out.notifications).toHaveLength(lastFired.length);
    expect(lastFired.map((n) => [n.fraction, n.cycle, n.repeat, isoUtc(n.dueAt)])).toEqual([
      [0.5, 1, 0, '2026-03-09T09:00:00Z'],
      [0.75, 1, 0, '2026-03-09T09:00:00Z'],
      [0.9, 1, 0, '2026-03-09T09:00:00Z'],
      [undefined, 1, 0, '2026-03-09T09:00:00Z'],
      [undefined, 1, 0, '2026-03-09T09:00:00Z'],
      [undefined, 1, 1, '2026-03-09T09:00:00Z'],
      [undefined, 1, 1, '2026-03-09T09:00:00Z'],
    ]);
  });
});

describe('recipients, claim, and delays across closing time', () => {
  // acme (account engineer carol), desk tier. Opened Fri 6 Mar 11:50 Berlin (10:50Z); 240 min:
  //   50 % = 120: 10 min to 12:00, lunch, 13:00 + 110 = 14:50 Berlin = 13:50Z  carol, alice (primary), channel
  //   claimed by dave at 15:00 Berlin (14:00Z)
  //   75 % = 180: 10 + 170 -> 15:50 Berlin = 14:50Z                            dave only
  //   90 % = 216: 10 + 206 -> 16:26 Berlin = 15:26Z                            dave only
  //   breach 240: 10 + 230 -> 16:50 Berlin = 15:50Z     dave (assignee), carol (AE), alice (primary), group
  //   level 2: +30 min working: 10 min to 17:00, then Monday 09:00 + 20 = 09:20 Berlin = 08:20Z
  //   repeat, level 1: +1 h -> 10:20 Berlin = 09:20Z    dave, carol, bob (primary after the handoff), group
  //   repeat, level 2: +30 min -> 10:50 Berlin = 09:50Z
  const log = [
    ev('2026-03-06T10:50:00Z', 'opened', { customer: 'acme', severity: 'normal' }),
    ev('2026-03-06T14:00:00Z', 'claimed', { by: 'dave' }),
  ];
  const all = [
    warning('2026-03-06T13:50:00Z', ['carol', 'alice', 'channel:C0OPS']),
    warning('2026-03-06T14:50:00Z', ['dave']),
    warning('2026-03-06T15:26:00Z', ['dave']),
    breach('2026-03-06T15:50:00Z', ['dave', 'carol', 'alice', 'group:S0SUP']),
    // The account engineer (carol) is named in every level, not only the first.
    escalation('2026-03-09T08:20:00Z', 2, ['carol', 'erin', 'channel:C0OPS']),
    escalation('2026-03-09T09:20:00Z', 1, ['dave', 'carol', 'bob', 'group:S0SUP']),
    escalation('2026-03-09T09:50:00Z', 2, ['carol', 'erin', 'channel:C0OPS']),
  ];

  it('Friday evening: the breach went out, level 2 waits for Monday opening', () => {
    const out = run(log, '2026-03-06T18:00:00Z');
    expect(out.notifications.map(brief)).toEqual(all.slice(0, 4));
    expect(brief(out.next)).toEqual(all[4]);
  });

  it('the whole ladder', () => {
    const out = run(log, '2026-03-09T12:00:00Z');
    expect(out.notifications.map(brief)).toEqual(all);
    expect(out.next).toBeNull();
  });

  it('a claim before the first warning: every warning goes to the assignee only', () => {
    const out = run([log[0]!, ev('2026-03-06T11:00:00Z', 'claimed', { by: 'dave' })], '2026-03-06T15:30:00Z');
    expect(out.notifications.map(brief)).toEqual([
      warning('2026-03-06T13:50:00Z', ['dave']),
      warning('2026-03-06T14:50:00Z', ['dave']),
      warning('2026-03-06T15:26:00Z', ['dave']),
    ]);
    expect(brief(out.next)).toEqual(all[3]);
  });

  it('a staff reply after the breach stops the ladder (the breach stays)', () => {
    // Reply Mon 09:50 Berlin (08:50Z): after level 2 (08:20Z), before the repeat (09:20Z).
    const out = run([...log, ev('2026-03-09T08:50:00Z', 'staff_reply', { by: 'dave' })], '2026-03-09T12:00:00Z');
    expect(out.notifications.map(brief)).toEqual(all.slice(0, 5));
    expect(out.next).toBeNull();
    expect(out.clocks.firstResponse).toMatchObject({ status: 'breached', breachedAt: '2026-03-06T15:50:00Z', stoppedAt: '2026-03-09T08:50:00Z' });
  });

  it('a staff reply before the breach stops the ladder', () => {
    // Reply 16:00 Berlin (15:00Z): after the 75 % warning, before 90 %.
    const out = run([...log, ev('2026-03-06T15:00:00Z', 'staff_reply', { by: 'dave' })], '2026-03-09T12:00:00Z');
    expect(out.notifications.map(brief)).toEqual(all.slice(0, 2));
    expect(out.next).toBeNull();
  });

  it('a staff reply exactly at the deadline: met, no breach notification', () => {
    const out = run([...log, ev('2026-03-06T15:50:00Z', 'staff_reply', { by: 'dave' })], '2026-03-09T12:00:00Z');
    expect(out.notifications.map(brief)).toEqual(all.slice(0, 3));
    expect(out.clocks.firstResponse?.status).toBe('met');
    expect(out.breaches).toEqual([]);
  });
});

describe('next response: waiting on the customer stops the ladder', () => {
  // initech, desk: opened Mon 2 Mar 09:00 Berlin (08:00Z); staff reply 08:30Z stops first response (its
  // first warning would be 11:00 Berlin). Customer writes 10:00 Berlin (09:00Z): next-response cycle 1,
  // 2 h = 120 min in office hours:
  //   50 % = 60: 11:00 Berlin = 10:00Z; 75 % = 90: 11:30 Berlin = 10:30Z; 90 % = 108: 11:48 Berlin = 10:48Z;
  //   breach 120: 12:00 Berlin = 11:00Z. Primary: alice (week of 2 Mar from 09:00 Berlin).
  const start = [
    ev('2026-03-02T08:00:00Z', 'opened', { customer: 'initech', severity: 'normal' }),
    ev('2026-03-02T08:30:00Z', 'staff_reply', { by: 'bob' }),
    ev('2026-03-02T09:00:00Z', 'customer_message'),
  ];
  const w50 = warning('2026-03-02T10:00:00Z', ['alice', 'channel:C0OPS'], 'nextResponse');
  const w75 = warning('2026-03-02T10:30:00Z', ['alice', 'channel:C0OPS'], 'nextResponse');

  it('waiting on the customer before the breach: no further steps, next null', () => {
    // Waiting at 11:40 Berlin (10:40Z): 100 of 120 min consumed.
    const out = run([...start, ev('2026-03-02T10:40:00Z', 'waiting_on_customer')], '2026-03-02T16:00:00Z');
    expect(out.notifications.map(brief)).toEqual([w50, w75]);
    expect(out.next).toBeNull();
    // 120 - 100 = 20 min = 1200 s.
    expect(out.clocks.nextResponse).toMatchObject({ status: 'paused', dueAt: null, remainingSeconds: 1_200 });
  });

  it('the customer writes: the ladder resumes where the clock is', () => {
    // Resumed 14:00 Berlin (13:00Z) with 20 min left: 90 % (108 = 100 + 8) at 14:08 Berlin = 13:08Z,
    // breach at 14:20 Berlin = 13:20Z (primary alice + group; no assignee, no account engineer).
    const log = [...start, ev('2026-03-02T10:40:00Z', 'waiting_on_customer'), ev('2026-03-02T13:00:00Z', 'customer_message')];
    const out = run(log, '2026-03-02T13:10:00Z');
    expect(out.notifications.map(brief)).toEqual([w50, w75, warning('2026-03-02T13:08:00Z', ['alice', 'channel:C0OPS'], 'nextResponse')]);
    expect(brief(out.next)).toEqual(breach('2026-03-02T13:20:00Z', ['alice', 'group:S0SUP'], 'nextResponse'));
    // 10 min left = 600 s.
    expect(out.clocks.nextResponse).toMatchObject({ status: 'running', dueAt: '2026-03-02T13:20:00Z', remainingSeconds: 600 });
  });

  // Breached at 12:00 Berlin (11:00Z), level 1 then. Level 2 would be +30 min working: lunch, 13:30 Berlin
  // = 12:30Z; the repeat's level 1 +1 h = 14:30 Berlin = 13:30Z.
  const breached = [...start, ev('2026-03-02T11:10:00Z', 'waiting_on_customer')];
  const firstFour = [w50, w75, warning('2026-03-02T10:48:00Z', ['alice', 'channel:C0OPS'], 'nextResponse'), breach('2026-03-02T11:00:00Z', ['alice', 'group:S0SUP'], 'nextResponse')];

  it('waiting on the customer after the breach: the levels stop', () => {
    const out = run(breached, '2026-03-02T16:00:00Z');
    expect(out.notifications.map(brief)).toEqual(firstFour);
    expect(out.next).toBeNull();
    expect(out.clocks.nextResponse).toMatchObject({ status: 'breached', breachedAt: '2026-03-02T11:00:00Z', remainingSeconds: null });
  });

  it('resumed after the breach: the level that came due while stopped fires once, at the resume', () => {
    // Customer writes 14:00 Berlin (13:00Z): level 2 (12:30Z) came due while the ladder was stopped -> fires
    // at 13:00Z, not back at 12:30Z; the repeat's level 1 (13:30Z) is next.
    const out = run([...breached, ev('2026-03-02T13:00:00Z', 'customer_message')], '2026-03-02T13:10:00Z');
    expect(out.notifications.map(brief)).toEqual([...firstFour, escalation('2026-03-02T13:00:00Z', 2, ['erin', 'channel:C0OPS'], 'nextResponse')]);
    expect(brief(out.next)).toEqual(escalation('2026-03-02T13:30:00Z', 1, ['alice', 'group:S0SUP'], 'nextResponse'));
  });
});

describe('a schedule with nobody on call', () => {
  // umbrella: round tier (24x7), policy thin (no warn targets, level 1 = schedule:daytime, +1 h, level 2 =
  // erin, no repeat). Opened Mon 2 Mar 16:00Z (17:00 Berlin): 4 h -> due 20:00Z (21:00 Berlin).
  // Warnings at 18:00Z, 19:00Z, 19:36Z to nobody (no assignee, no account engineer, no warn targets).
  it('the breach says so and the ladder goes on', () => {
    const out = run([ev('2026-03-02T16:00:00Z', 'opened', { customer: 'umbrella', severity: 'normal' })], '2026-03-02T22:00:00Z');
    expect(out.notifications.map(brief)).toEqual([
      warning('2026-03-02T18:00:00Z', []),
      warning('2026-03-02T19:00:00Z', []),
      warning('2026-03-02T19:36:00Z', []),
      breach('2026-03-02T20:00:00Z', []),
      escalation('2026-03-02T21:00:00Z', 2, ['erin']),
    ]);
    expect(lastFired[3]?.to.unstaffed).toEqual(['daytime']);
    expect(lastFired[4]?.to.unstaffed).toEqual([]);
    expect(out.next).toBeNull();
  });

  it('in its hours the schedule resolves to whoever is on call', () => {
    // Opened Tue 3 Mar 05:00Z: due 09:00Z = 10:00 Berlin, dave on call.
    const out = run([ev('2026-03-03T05:00:00Z', 'opened', { customer: 'umbrella', severity: 'normal' })], '2026-03-03T09:00:00Z');
    expect(brief(out.notifications[3] ?? null)).toEqual(breach('2026-03-03T09:00:00Z', ['dave']));
    expect(lastFired[3]?.to.unstaffed).toEqual([]);
    expect(brief(out.next)).toEqual(escalation('2026-03-03T10:00:00Z', 2, ['erin']));
  });
});

describe('a severity change collapses the steps it puts in the past', () => {
  // umbrella (24x7, thin), opened Mon 2 Mar 09:00Z normal: 4 h, warnings 11:00Z, 12:00Z, 12:36Z.
  const open = ev('2026-03-02T09:00:00Z', 'opened', { customer: 'umbrella', severity: 'normal' });

  it('raised to urgent: only the breach fires, at the change', () => {
    // Urgent = 30 min from 09:00Z: warnings 09:15, 09:22:30, 09:27, breach 09:30, level 2 10:30. At the change
    // (10:00Z) the warnings and the breach are past: one notification, the breach, at 10:00Z, to whoever is on
    // call then (11:00 Berlin Monday: dave); its deadline 09:30Z. Level 2 (10:30Z) is next.
    const out = run([open, ev('2026-03-02T10:00:00Z', 'severity_changed', { severity: 'urgent' })], '2026-03-02T10:15:00Z');
    expect(out.notifications.map(brief)).toEqual([breach('2026-03-02T10:00:00Z', ['dave'])]);
    expect(isoUtc(lastFired[0]!.dueAt)).toBe('2026-03-02T09:30:00Z');
    expect(brief(out.next)).toEqual(escalation('2026-03-02T10:30:00Z', 2, ['erin']));
    expect(out.clocks.firstResponse).toMatchObject({ status: 'breached', dueAt: '2026-03-02T09:30:00Z', breachedAt: '2026-03-02T09:30:00Z' });
  });

  it('raised to urgent later: only the most advanced step fires', () => {
    // Change at 11:10Z: the 4 h ladder's 50 % warning fired at 11:00Z; under 30 min everything up to level 2
    // (10:30Z) is past: level 2 alone fires at 11:10Z. No repeat: nothing next.
    const out = run([open, ev('2026-03-02T11:10:00Z', 'severity_changed', { severity: 'urgent' })], '2026-03-02T12:00:00Z');
    expect(out.notifications.map(brief)).toEqual([warning('2026-03-02T11:00:00Z', []), escalation('2026-03-02T11:10:00Z', 2, ['erin'])]);
    expect(out.next).toBeNull();
    expect(out.breaches).toEqual([{ clock: 'firstResponse', at: '2026-03-02T09:30:00Z' }]);
  });

  it('raised to high: a warning put in the past fires at the change, the rest on time', () => {
    // High = 2 h: warnings 10:00Z, 10:30Z, 10:48Z, due 11:00Z. Change at 10:10Z: the 50 % warning fires at 10:10Z.
    const out = run([open, ev('2026-03-02T10:10:00Z', 'severity_changed', { severity: 'high' })], '2026-03-02T10:40:00Z');
    expect(out.notifications.map(brief)).toEqual([warning('2026-03-02T10:10:00Z', []), warning('2026-03-02T10:30:00Z', [])]);
    expect(lastFired.map((n) => n.fraction)).toEqual([0.5, 0.75]);
    expect(brief(out.next)).toEqual(warning('2026-03-02T10:48:00Z', []));
    // 20 min left = 1200 s.
    expect(out.clocks.firstResponse).toMatchObject({ status: 'running', dueAt: '2026-03-02T11:00:00Z', remainingSeconds: 1_200 });
  });

  it('raised to high later: two warnings past, only the 75 % one fires', () => {
    const out = run([open, ev('2026-03-02T10:40:00Z', 'severity_changed', { severity: 'high' })], '2026-03-02T10:40:00Z');
    expect(out.notifications.map(brief)).toEqual([warning('2026-03-02T10:40:00Z', [])]);
    expect(lastFired[0]?.fraction).toBe(0.75);
    expect(brief(out.next)).toEqual(warning('2026-03-02T10:48:00Z', []));
  });

  it('lowered after the breach: the ladder goes on from the breach', () => {
    // Opened urgent 09:00Z: warnings 09:15, 09:22:30, 09:27, breach 09:30Z, level 2 at 10:30Z. Lowered to
    // normal at 10:00Z: stays breached; level 2 still 10:30Z.
    const out = run(
      [ev('2026-03-02T09:00:00Z', 'opened', { customer: 'umbrella', severity: 'urgent' }), ev('2026-03-02T10:00:00Z', 'severity_changed', { severity: 'normal' })],
      '2026-03-02T10:15:00Z',
    );
    expect(out.notifications.map(brief)).toEqual([
      warning('2026-03-02T09:15:00Z', []),
      warning('2026-03-02T09:22:30Z', []),
      warning('2026-03-02T09:27:00Z', []),
      breach('2026-03-02T09:30:00Z', ['dave']),
    ]);
    expect(brief(out.next)).toEqual(escalation('2026-03-02T10:30:00Z', 2, ['erin']));
  });

  it('a change that breaches a paused clock: its breach fires at the change', () => {
    // wayne: ops tier, resolution 8 h from 09:00Z: 50 % at 13:00Z (to nobody); waiting from 14:00Z (5 h used).
    // Urgent at 15:00Z: 4 h was reached at 13:00Z -> breached then; the breach fires now (15:00Z, 16:00 Berlin:
    // dave). Paused: no level 2 until the customer writes.
    const out = run(
      [
        ev('2026-03-02T09:00:00Z', 'opened', { customer: 'wayne', severity: 'normal' }),
        ev('2026-03-02T14:00:00Z', 'waiting_on_customer'),
        ev('2026-03-02T15:00:00Z', 'severity_changed', { severity: 'urgent' }),
      ],
      '2026-03-02T17:00:00Z',
    );
    expect(out.notifications.map(brief)).toEqual([warning('2026-03-02T13:00:00Z', [], 'resolution'), breach('2026-03-02T15:00:00Z', ['dave'], 'resolution')]);
    expect(isoUtc(lastFired[1]!.dueAt)).toBe('2026-03-02T13:00:00Z');
    expect(out.next).toBeNull();
    expect(out.clocks.resolution).toMatchObject({ status: 'breached', breachedAt: '2026-03-02T13:00:00Z' });
  });
});

describe('ladder steps as the bot sees them (no replay firing)', () => {
  // umbrella opened urgent 09:00Z (30 min): warnings 09:15, 09:22:30, 09:27, breach 09:30Z, level 2 10:30Z.
  // Lowered to normal (4 h) at 10:00Z: stays breached at 09:30Z. The 4 h warnings (11:00Z...) come after the
  // breach and must not be listed, or the steps are out of time order and the bot, which stops at the first
  // step after now, never reaches level 2.
  const events = parseLogFor(
    CONFIG,
    [
      ev('2026-03-02T09:00:00Z', 'opened', { customer: 'umbrella', severity: 'urgent' }),
      ev('2026-03-02T10:00:00Z', 'severity_changed', { severity: 'normal' }),
    ]
      .map((line) => JSON.stringify(line))
      .join('\n'),
  );
  const now = Date.parse('2026-03-02T10:40:00Z');
  const timeline = replayTimeline(events, CTX, now, false);
  const clock = timeline.clocks.firstResponse!;

  it('steps stay in time order after a severity is lowered past a breach', () => {
    const steps = ladderSteps(clock, timeline.ladder).map((s) => [new Date(s.at).toISOString(), s.kind, s.level]);
    // The warnings of the 4 h target (11:00Z, 12:00Z, 12:36Z) all lie after the breach: none listed.
    expect(steps).toEqual([
      ['2026-03-02T09:30:00.000Z', 'breach', 1],
      ['2026-03-02T10:30:00.000Z', 'escalation', 2],
    ]);
  });

  it('level 2 is due for the bot at 10:40Z once the earlier steps are sent', () => {
    const sent = new Set(['firstResponse:1:warning:0.5', 'firstResponse:1:warning:0.75', 'firstResponse:1:warning:0.9', 'firstResponse:1:level1:0']);
    const due = dueSteps(clock, timeline.ladder, sent, now, true);
    expect(due.map((s) => [s.key, new Date(s.at).toISOString()])).toEqual([['firstResponse:1:level2:0', '2026-03-02T10:30:00.000Z']]);
  });
});
