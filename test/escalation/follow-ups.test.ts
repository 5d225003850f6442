/**
 * The customer's side of the loop through `replay()`: the note for a ticket
 * opened while support is closed, the reminder and the auto-resolve while a
 * ticket waits on the customer (in business days of the customer's calendar,
 * across holidays), a reply reopening an auto-resolved ticket, and the
 * auto-close when the reopen window ends. Every instant was worked out by hand.
 *
 * `office`: Europe/Berlin (UTC+1 in December), Mon–Fri 09:00–17:00, German
 * public holidays (25 and 26 Dec) and 7 Dec 2026 closed. 2026-12-04 is a
 * Friday, 12-05 a Saturday, 12-07 a Monday.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { parseLogFor, policyContext, replay } from '../../src/cli/replay.js';

const YAML = `
people: { alice: { name: Alice } }
staff: { people: [alice] }
customers:
  - { id: acme, name: Acme Corp, tier: standard }
  - { id: initech, name: Initech, tier: quiet }
  - { id: globex, name: Globex, tier: enterprise }
tiers:
  standard:
    calendar: office
    targets: { default: { firstResponse: 4h, resolution: 5d } }
  quiet:
    calendar: office
    tickets: { waitingReminder: false, autoResolve: false, autoClose: false, supportHoursNote: false }
    targets: { default: { firstResponse: 4h } }
  enterprise:
    calendar: 24x7
    targets: { default: { firstResponse: 1h } }
calendars:
  office:
    timezone: Europe/Berlin
    hours: { mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"] }
    holidays: { dates: ["2026-12-07"], country: DE }
tickets: { waitingReminder: 2bd, autoResolve: 5bd, reopenWindow: 7d }
`;
const CONFIG = parseConfig(YAML);
const CTX = policyContext(CONFIG);

type Line = Record<string, unknown>;
const run = (at: string, ...lines: Line[]) => replay(parseLogFor(CONFIG, lines.map((l) => JSON.stringify(l)).join('\n')), CTX, Date.parse(at));
const opened = (at: string, customer = 'acme'): Line => ({ at, type: 'opened', customer, severity: 'normal' });
const followUps = (out: ReturnType<typeof replay>) => out.notifications.filter((n) => n.clock === null).map((n) => `${n.at} ${n.kind}`);

describe('the note for a ticket opened while support is closed', () => {
  it('a Saturday ticket: the clock starts at the next opening (Tuesday: Monday is closed), and the first response is due 4 working hours later', () => {
    // Sat 12-05 11:00 Berlin; Mon 12-07 closed; Tue 12-08 09:00 Berlin = 08:00Z; + 4 h = 12:00Z.
    const out = run('2026-12-05T10:00:00Z', opened('2026-12-05T10:00:00Z'));
    expect(out.supportHours).toEqual({ clockStartsAt: '2026-12-08T08:00:00Z', firstResponseDueAt: '2026-12-08T12:00:00Z', holiday: null });
    expect(out.clocks.firstResponse?.dueAt).toBe('2026-12-08T12:00:00Z');
  });

  it('on a public holiday: the holiday is named', () => {
    // Fri 12-25 (Christmas) 10:00 Berlin; 26th is a Saturday; opens Mon 12-28 09:00 = 08:00Z; due 12:00Z.
    const out = run('2026-12-25T09:00:00Z', opened('2026-12-25T09:00:00Z'));
    expect(out.supportHours).toEqual({ clockStartsAt: '2026-12-28T08:00:00Z', firstResponseDueAt: '2026-12-28T12:00:00Z', holiday: '1. Weihnachtstag' });
  });

  it('none in opening hours, none for a 24×7 tier, none when the tier turns it off', () => {
    expect(run('2026-12-04T10:00:00Z', opened('2026-12-04T10:00:00Z')).supportHours).toBeUndefined();
    expect(run('2026-12-05T10:00:00Z', opened('2026-12-05T10:00:00Z', 'globex')).supportHours).toBeUndefined();
    expect(run('2026-12-05T10:00:00Z', opened('2026-12-05T10:00:00Z', 'initech')).supportHours).toBeUndefined();
  });
});

describe('waiting on the customer', () => {
  // Waiting from Fri 12-04 15:00 Berlin (14:00Z). Business days of `office`: Mon 7th closed, so
  // Tue 8th is the 1st, Wed 9th the 2nd (reminder, 15:00 Berlin = 14:00Z), Thu 10th, Fri 11th,
  // Mon 14th the 5th (auto-resolve, 14:00Z).
  const waiting = [opened('2026-12-04T09:00:00Z'), { at: '2026-12-04T09:30:00Z', type: 'staff_reply', by: 'alice' }, { at: '2026-12-04T14:00:00Z', type: 'waiting_on_customer', by: 'alice' }];

  it('reminds after 2 business days and resolves after 5, across a closed Monday; the resolution clock stops then', () => {
    const out = run('2026-12-15T00:00:00Z', ...waiting);
    expect(followUps(out)).toEqual(['2026-12-09T14:00:00Z reminder', '2026-12-14T14:00:00Z auto_resolve']);
    expect(out.state).toBe('resolved');
    expect(out.clocks.resolution).toMatchObject({ status: 'met', stoppedAt: '2026-12-14T14:00:00Z' });
    // The auto-close follows the reopen window (7 days, elapsed).
    expect(out.next).toEqual({ at: '2026-12-21T14:00:00Z', kind: 'auto_close', clock: null, level: null, to: [] });
  });

  it('a reply before the reminder ends the wait: nothing follows', () => {
    const out = run('2026-12-20T00:00:00Z', ...waiting, { at: '2026-12-08T10:00:00Z', type: 'customer_message', text: 'here are the logs' });
    expect(followUps(out)).toEqual([]);
    expect(out.state).toBe('open');
  });

  it('a reply after the auto-resolve reopens the ticket (within the reopen window), and the resolution clock runs again', () => {
    const out = run('2026-12-15T10:00:00Z', ...waiting, { at: '2026-12-15T09:00:00Z', type: 'customer_message', text: 'still broken' });
    expect(out.state).toBe('open');
    expect(followUps(out)).toEqual(['2026-12-09T14:00:00Z reminder', '2026-12-14T14:00:00Z auto_resolve']);
    expect(out.clocks.resolution?.status).toBe('running');
  });

  it('closes an auto-resolved ticket when its reopen window ends; a later reply does not reopen it', () => {
    const out = run('2026-12-23T00:00:00Z', ...waiting, { at: '2026-12-22T09:00:00Z', type: 'customer_message', text: 'hello?' });
    expect(followUps(out)).toEqual(['2026-12-09T14:00:00Z reminder', '2026-12-14T14:00:00Z auto_resolve', '2026-12-21T14:00:00Z auto_close']);
    expect(out.state).toBe('closed');
  });

  it('a tier can turn each part off', () => {
    const out = run('2027-01-30T00:00:00Z', opened('2026-12-04T09:00:00Z', 'initech'), { at: '2026-12-04T14:00:00Z', type: 'waiting_on_customer', by: 'alice' });
    expect(followUps(out)).toEqual([]);
    expect(out.state).toBe('waiting_on_customer');
  });

  it('what slawatch did on its own is in an exported log: replayed as it is, never a second time', () => {
    // The bot was down on the 14th and resolved the ticket late, at 16:00Z.
    const out = run('2026-12-15T00:00:00Z', ...waiting, { at: '2026-12-14T16:00:00Z', type: 'resolved', auto: 'waiting:1:auto_resolve' });
    expect(followUps(out)).toEqual(['2026-12-09T14:00:00Z reminder']);
    expect(out.clocks.resolution).toMatchObject({ status: 'met', stoppedAt: '2026-12-14T16:00:00Z' });
  });
});

describe('a resolved ticket', () => {
  it('closes when its reopen window ends', () => {
    const out = run('2026-12-12T10:00:00Z', opened('2026-12-04T09:00:00Z'), { at: '2026-12-04T10:00:00Z', type: 'resolved', by: 'alice' });
    expect(followUps(out)).toEqual(['2026-12-11T10:00:00Z auto_close']);
    expect(out.state).toBe('closed');
  });
});

describe('ratings and a ticket that follows a closed one, in replay', () => {
  it('a rating changes no state and shows as the latest; `follows` is read and shown', () => {
    const out = run(
      '2026-12-10T12:00:00Z',
      { ...opened('2026-12-08T09:00:00Z'), follows: 7 },
      { at: '2026-12-08T10:00:00Z', type: 'resolved', by: 'alice' },
      { at: '2026-12-08T11:00:00Z', type: 'rated', by: 'slack:U0DANA', rating: 2 },
      { at: '2026-12-08T12:00:00Z', type: 'rated', by: 'slack:U0DANA', rating: 4, comment: 'fixed' },
    );
    expect(out.state).toBe('resolved');
    expect(out.follows).toBe(7);
    expect(out.rating).toEqual({ value: 4, comment: 'fixed', at: '2026-12-08T12:00:00Z' });
  });

  it('refuses a rating of an open ticket, and one out of range, naming the line', () => {
    expect(() => run('2026-12-10T12:00:00Z', opened('2026-12-08T09:00:00Z'), { at: '2026-12-08T11:00:00Z', type: 'rated', rating: 3 })).toThrow(/line 2: "rated" cannot happen here: only a resolved or closed ticket can be rated/);
    expect(() =>
      run('2026-12-10T12:00:00Z', opened('2026-12-08T09:00:00Z'), { at: '2026-12-08T10:00:00Z', type: 'resolved' }, { at: '2026-12-08T11:00:00Z', type: 'rated', rating: 6 }),
    ).toThrow(/line 3: "rated" needs "rating", a whole number from 1 to 5/);
  });
});
