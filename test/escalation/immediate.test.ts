/**
 * "Urgent means now" and the account engineer first, through `replay()`:
 * an `immediate` target breaches at the opening instant unless staff answer
 * in that same instant, its breach step fires at the opening (no warnings
 * first), and the account engineer is named in every step — or, when they
 * are off, whoever is on call stands in and the step says so. Every instant
 * was worked out by hand.
 *
 * Schedule `primary` (UTC): alice, then bob, weekly from Mon 2026-01-05 09:00
 * → 2026-03-02 09:00 starts alice's week (8 weeks on), bob from 03-09 09:00.
 * Carol (the account engineer) works `carol-hours`: Mon–Fri 08:00–18:00 UTC.
 * Dana (another account engineer) is on when on call in `dana-rota`: only in
 * the week of 2026-03-02.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/load.js';
import { parseLogFor, policyContext, replay, replayText } from '../../src/cli/replay.js';
import { replayTimeline } from '../../src/escalation/timeline.js';

const YAML = `
people:
  alice: { name: Alice }
  bob: { name: Bob }
  carol: { name: Carol, calendar: carol-hours }
  dana: { name: Dana, schedule: dana-rota }
staff: { people: [alice, bob, carol, dana] }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, accountEngineer: carol }
  - { id: globex, name: Globex, tier: enterprise, accountEngineer: dana }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h }
      urgent: { firstResponse: immediate }
calendars:
  carol-hours: { timezone: UTC, hours: { mon: ["08:00-18:00"], tue: ["08:00-18:00"], wed: ["08:00-18:00"], thu: ["08:00-18:00"], fri: ["08:00-18:00"] } }
schedules:
  primary:
    timezone: UTC
    layers:
      - { users: [alice, bob], rotation: { every: 1w, start: "2026-01-05", handoff: "09:00" } }
  dana-rota:
    timezone: UTC
    layers:
      - { users: [dana], rotation: { every: 1w, start: "2026-03-02", handoff: "00:00" } }
    overrides:
      - { user: alice, start: "2026-03-09T00:00:00Z", end: "2026-04-01T00:00:00Z" }
escalation:
  warnAt: [0.5, 0.75]
  policies:
    default:
      levels:
        - { notify: [schedule:primary], delay: 15m }
        - { notify: [person:bob], delay: 30m }
`;
const CONFIG = parseConfig(YAML);
const CTX = policyContext(CONFIG);

type Line = Record<string, unknown>;
const log = (...lines: Line[]) => parseLogFor(CONFIG, lines.map((l) => JSON.stringify(l)).join('\n'));
const opened = (at: string, extra: Line = {}): Line => ({ at, type: 'opened', customer: 'acme', severity: 'urgent', ...extra });

describe('an immediate first-response target', () => {
  it('is breached at the opening instant, and its breach step fires then, to the account engineer and on call, with no warning first', () => {
    const out = replay(log(opened('2026-03-02T10:00:00Z')), CTX, Date.parse('2026-03-02T10:20:00Z'));
    expect(out.clocks.firstResponse).toMatchObject({ status: 'breached', dueAt: '2026-03-02T10:00:00Z', breachedAt: '2026-03-02T10:00:00Z', remainingSeconds: null });
    expect(out.breaches).toEqual([{ clock: 'firstResponse', at: '2026-03-02T10:00:00Z' }]);
    expect(out.notifications).toEqual([
      { at: '2026-03-02T10:00:00Z', kind: 'breach', clock: 'firstResponse', level: 1, to: ['carol', 'alice'] },
      // Level 2, 15 min later: the account engineer first, then the level's target.
      { at: '2026-03-02T10:15:00Z', kind: 'escalation', clock: 'firstResponse', level: 2, to: ['carol', 'bob'] },
    ]);
  });

  it('shows the breach notification when asked at the opening instant itself', () => {
    const out = replay(log(opened('2026-03-02T10:00:00Z')), CTX, Date.parse('2026-03-02T10:00:00Z'));
    expect(out.clocks.firstResponse?.status).toBe('breached');
    expect(out.notifications.map((n) => `${n.at} ${n.kind}`)).toEqual(['2026-03-02T10:00:00Z breach']);
    expect(out.next).toMatchObject({ at: '2026-03-02T10:15:00Z', kind: 'escalation', level: 2 });
  });

  it('is met when staff answer in the same instant: no notification', () => {
    const out = replay(log(opened('2026-03-02T10:00:00Z'), { at: '2026-03-02T10:00:00Z', type: 'staff_reply', by: 'alice' }), CTX, Date.parse('2026-03-02T11:00:00Z'));
    expect(out.clocks.firstResponse).toMatchObject({ status: 'met', stoppedAt: '2026-03-02T10:00:00Z', breachedAt: null });
    expect(out.breaches).toEqual([]);
    expect(out.notifications).toEqual([]);
  });

  it('is breached at the opening when staff answer a second later, and the ladder stops then', () => {
    const out = replay(log(opened('2026-03-02T10:00:00Z'), { at: '2026-03-02T10:00:01Z', type: 'staff_reply', by: 'alice' }), CTX, Date.parse('2026-03-02T11:00:00Z'));
    expect(out.clocks.firstResponse).toMatchObject({ status: 'breached', breachedAt: '2026-03-02T10:00:00Z', stoppedAt: '2026-03-02T10:00:01Z' });
    expect(out.notifications.map((n) => `${n.at} ${n.kind} ${n.level}`)).toEqual(['2026-03-02T10:00:00Z breach 1']);
  });

  it('becomes breached at the original opening when the severity is raised to urgent later; the breach fires at the change', () => {
    const out = replay(log(opened('2026-03-02T10:00:00Z', { severity: 'normal' }), { at: '2026-03-02T10:10:00Z', type: 'severity_changed', severity: 'urgent', by: 'alice' }), CTX, Date.parse('2026-03-02T10:12:00Z'));
    expect(out.clocks.firstResponse).toMatchObject({ status: 'breached', breachedAt: '2026-03-02T10:00:00Z' });
    // The 1 h target's 50 % warning (10:30) was never reached; the breach goes out at the change.
    expect(out.notifications).toEqual([{ at: '2026-03-02T10:10:00Z', kind: 'breach', clock: 'firstResponse', level: 1, to: ['carol', 'alice'] }]);
  });

  it('a duration target still warns first', () => {
    const out = replay(log(opened('2026-03-02T10:00:00Z', { severity: 'normal' })), CTX, Date.parse('2026-03-02T11:00:00Z'));
    expect(out.notifications.map((n) => `${n.at} ${n.kind}`)).toEqual(['2026-03-02T10:30:00Z warning', '2026-03-02T10:45:00Z warning', '2026-03-02T11:00:00Z breach']);
  });
});

describe('the account engineer first', () => {
  it('off by their calendar (Monday 03:00, before 08:00): on call stands in, in every step, and the text says so', () => {
    const events = log(opened('2026-03-02T03:00:00Z'));
    const out = replay(events, CTX, Date.parse('2026-03-02T03:20:00Z'));
    // 03:00 Monday: primary is still bob's (alice's week starts at 09:00).
    expect(out.notifications).toEqual([
      { at: '2026-03-02T03:00:00Z', kind: 'breach', clock: 'firstResponse', level: 1, to: ['bob'] },
      { at: '2026-03-02T03:15:00Z', kind: 'escalation', clock: 'firstResponse', level: 2, to: ['bob'] },
    ]);
    const fired = replayTimeline(events, CTX, Date.parse('2026-03-02T03:20:00Z')).fired;
    expect(fired.map((n) => n.to.standIn)).toEqual([
      { for: 'carol', by: ['bob'] },
      { for: 'carol', by: ['bob'] },
    ]);
    expect(replayText(events, CTX, Date.parse('2026-03-02T03:20:00Z'))).toContain('breach     first response level 1 → bob (carol, the account engineer, is off: bob on call instead)');
  });

  it('back at work by the next step: named again', () => {
    // Opened Monday 07:50: level 1 at 07:50 (carol off → bob), level 2 at 08:05 (carol's hours: her and bob).
    const out = replay(log(opened('2026-03-02T07:50:00Z')), CTX, Date.parse('2026-03-02T08:10:00Z'));
    expect(out.notifications.map((n) => n.to)).toEqual([['bob'], ['carol', 'bob']]);
  });

  it('off by their schedule: on when on call in it, off when someone else is', () => {
    const on = replay(log(opened('2026-03-04T10:00:00Z', { customer: 'globex' })), CTX, Date.parse('2026-03-04T10:00:00Z'));
    expect(on.notifications[0]?.to).toEqual(['dana', 'alice']);
    // From 03-09 an override puts alice on dana-rota: dana is off; primary has bob (his week).
    const off = replay(log(opened('2026-03-10T10:00:00Z', { customer: 'globex' })), CTX, Date.parse('2026-03-10T10:00:00Z'));
    expect(off.notifications[0]?.to).toEqual(['bob']);
  });
});

describe('the config', () => {
  it('takes "immediate" for any target, and still refuses zero or a typo with path and line', () => {
    expect(parseConfig(YAML.replace('default: { firstResponse: 1h }', 'default: { firstResponse: 1h, nextResponse: immediate }')).tiers.enterprise?.targets.default?.nextResponse).toBe(0);
    for (const [bad, line] of [['firstResponse: 0s', 15], ['firstResponse: immedate', 15]] as const) {
      let problem: unknown;
      try {
        parseConfig(YAML.replace('firstResponse: immediate', bad));
      } catch (err) {
        problem = err;
      }
      expect(problem).toBeInstanceOf(ConfigError);
      expect((problem as ConfigError).problems[0]).toMatchObject({ path: 'tiers.enterprise.targets.urgent.firstResponse', line });
    }
  });

  it('refuses a person whose calendar or schedule does not exist', () => {
    let problem: unknown;
    try {
      parseConfig(YAML.replace('calendar: carol-hours }', 'calendar: carol-hourz }'));
    } catch (err) {
      problem = err;
    }
    expect((problem as ConfigError).problems).toEqual([{ path: 'people.carol.calendar', message: 'unknown calendar "carol-hourz"', line: 5 }]);
  });
});
