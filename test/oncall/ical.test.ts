import { describe, expect, it } from 'vitest';
import type { LayerSpec, ScheduleSpec } from '../../src/config/schema.js';
import { scheduleToICal } from '../../src/oncall/ical.js';
import { renderHandoffTable } from '../../src/oncall/render.js';

const DAY = 86_400_000;
const ms = (iso: string) => Date.parse(iso);

const primary: ScheduleSpec = {
  timezone: 'America/New_York',
  layers: [
    { users: ['alice', 'bob', 'carol'], rotation: { every: 7 * DAY, handoff: '09:00', start: '2026-03-02' } },
    {
      users: ['dave'],
      rotation: { every: DAY, handoff: '00:00', start: '2026-03-07' },
      restrict: [{ days: ['sat', 'sun'], hours: '00:00-24:00' }],
    },
  ],
  overrides: [{ user: 'erin', start: '2026-03-10T12:00:00-04:00', end: '2026-03-10T18:00:00-04:00' }],
};
// dave has no entry on purpose: his id stands in for the name.
const people = { alice: { name: 'Alice' }, bob: { name: 'Bob' }, carol: { name: 'Carol' }, erin: { name: 'Erin' }, frank: { name: 'Frank' } };

interface ParsedEvent {
  uid: string;
  start: string;
  end: string;
  summary: string;
}

/** Just enough of RFC 5545 to read back what ical-generator wrote. */
function parseEvents(text: string): ParsedEvent[] {
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
  const events: ParsedEvent[] = [];
  let current: Record<string, string> | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      events.push({ uid: current.UID!, start: current.DTSTART!, end: current.DTEND!, summary: unescapeText(current.SUMMARY!) });
      current = null;
    } else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon)] = line.slice(colon + 1);
    }
  }
  return events;
}

/** TEXT values escape backslash, semicolon, comma and newline. */
function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

describe('scheduleToICal', () => {
  it('writes one UTC event per shift with someone on call, named and with a stable UID', () => {
    const text = scheduleToICal('primary', primary, people, ms('2026-03-02T09:00:00-05:00'), ms('2026-03-16T09:00:00-04:00'));
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
    expect(text).toContain('PRODID:-//slawatch//slawatch//EN');
    expect(parseEvents(text)).toEqual([
      { uid: `primary-${ms('2026-03-02T14:00:00Z')}@slawatch`, start: '20260302T140000Z', end: '20260307T050000Z', summary: 'On call: Alice' },
      { uid: `primary-${ms('2026-03-07T05:00:00Z')}@slawatch`, start: '20260307T050000Z', end: '20260309T040000Z', summary: 'On call: dave' },
      { uid: `primary-${ms('2026-03-09T04:00:00Z')}@slawatch`, start: '20260309T040000Z', end: '20260309T130000Z', summary: 'On call: Alice' },
      { uid: `primary-${ms('2026-03-09T13:00:00Z')}@slawatch`, start: '20260309T130000Z', end: '20260310T160000Z', summary: 'On call: Bob' },
      { uid: `primary-${ms('2026-03-10T16:00:00Z')}@slawatch`, start: '20260310T160000Z', end: '20260310T220000Z', summary: 'On call: Erin' },
      { uid: `primary-${ms('2026-03-10T22:00:00Z')}@slawatch`, start: '20260310T220000Z', end: '20260314T040000Z', summary: 'On call: Bob' },
      { uid: `primary-${ms('2026-03-14T04:00:00Z')}@slawatch`, start: '20260314T040000Z', end: '20260316T040000Z', summary: 'On call: dave' },
      { uid: `primary-${ms('2026-03-16T04:00:00Z')}@slawatch`, start: '20260316T040000Z', end: '20260316T130000Z', summary: 'On call: Bob' },
    ]);
  });

  it('skips periods with nobody and shows cut shifts whole, so UIDs do not move with the window', () => {
    const events = parseEvents(scheduleToICal('primary', primary, people, ms('2026-03-01T00:00:00Z'), ms('2026-03-04T00:00:00Z')));
    expect(events).toEqual([
      { uid: `primary-${ms('2026-03-02T14:00:00Z')}@slawatch`, start: '20260302T140000Z', end: '20260307T050000Z', summary: 'On call: Alice' },
    ]);
    const later = parseEvents(scheduleToICal('primary', primary, people, ms('2026-03-05T00:00:00Z'), ms('2026-03-06T00:00:00Z')));
    expect(later).toEqual(events);
  });

  it('names everyone of overlapping overrides', () => {
    const schedule: ScheduleSpec = {
      ...primary,
      overrides: [
        { user: 'erin', start: '2026-03-10T12:00:00-04:00', end: '2026-03-10T18:00:00-04:00' },
        { user: 'frank', start: '2026-03-10T14:00:00-04:00', end: '2026-03-10T20:00:00-04:00' },
      ],
    };
    const events = parseEvents(scheduleToICal('primary', schedule, people, ms('2026-03-10T15:00:00-04:00'), ms('2026-03-10T16:00:00-04:00')));
    expect(events).toEqual([
      { uid: `primary-${ms('2026-03-10T18:00:00Z')}@slawatch`, start: '20260310T180000Z', end: '20260310T220000Z', summary: 'On call: Erin, Frank' },
    ]);
  });

  it('is a pure function of its arguments', () => {
    const args = ['primary', primary, people, ms('2026-03-02T00:00:00Z'), ms('2026-03-20T00:00:00Z')] as const;
    expect(scheduleToICal(...args)).toBe(scheduleToICal(...args));
  });

  it('writes an empty calendar when nobody is ever on call', () => {
    const nobody: ScheduleSpec = {
      timezone: 'UTC',
      layers: [{ users: ['alice'], rotation: { every: DAY, handoff: '09:00', start: '2030-01-01' } } satisfies LayerSpec],
      overrides: [],
    };
    expect(parseEvents(scheduleToICal('empty', nobody, people, ms('2026-03-01T00:00:00Z'), ms('2026-04-01T00:00:00Z')))).toEqual([]);
  });
});

describe('renderHandoffTable', () => {
  it('lists the current shift and the next handoffs in the zone and in UTC', () => {
    const table = renderHandoffTable('primary', primary, people, ms('2026-03-08T12:00:00-04:00'), 3);
    expect(table).toBe(
      [
        'primary (America/New_York)',
        '      start (America/New_York)     end (America/New_York)       start (UTC)            end (UTC)              on call',
        '----  ---------------------------  ---------------------------  ---------------------  ---------------------  -------',
        'now   Sat 2026-03-07 00:00 -05:00  Mon 2026-03-09 00:00 -04:00  Sat 2026-03-07 05:00Z  Mon 2026-03-09 04:00Z  dave',
        'next  Mon 2026-03-09 00:00 -04:00  Mon 2026-03-09 09:00 -04:00  Mon 2026-03-09 04:00Z  Mon 2026-03-09 13:00Z  Alice',
        'next  Mon 2026-03-09 09:00 -04:00  Tue 2026-03-10 12:00 -04:00  Mon 2026-03-09 13:00Z  Tue 2026-03-10 16:00Z  Bob',
        'next  Tue 2026-03-10 12:00 -04:00  Tue 2026-03-10 18:00 -04:00  Tue 2026-03-10 16:00Z  Tue 2026-03-10 22:00Z  Erin',
        '',
      ].join('\n'),
    );
  });

  it('marks nobody and edges beyond the search horizon', () => {
    const table = renderHandoffTable('primary', primary, people, ms('2026-03-01T00:00:00Z'), 1);
    const rows = table.split('\n').slice(3, -1);
    expect(rows).toEqual([
      'now   —                            Mon 2026-03-02 09:00 -05:00  —                      Mon 2026-03-02 14:00Z  (nobody)',
      'next  Mon 2026-03-02 09:00 -05:00  Sat 2026-03-07 00:00 -05:00  Mon 2026-03-02 14:00Z  Sat 2026-03-07 05:00Z  Alice',
    ]);
  });

  it('stops early when nothing changes again within the horizon', () => {
    const single: ScheduleSpec = {
      timezone: 'Europe/Berlin',
      layers: [{ users: ['alice'], rotation: { every: 7 * DAY, handoff: '09:00', start: '2026-03-02' } }],
      overrides: [],
    };
    const rows = renderHandoffTable('solo', single, people, ms('2026-03-01T00:00:00Z'), 5).split('\n').slice(3, -1);
    expect(rows).toEqual([
      'now   —                            Mon 2026-03-02 09:00 +01:00  —                      Mon 2026-03-02 08:00Z  (nobody)',
      'next  Mon 2026-03-02 09:00 +01:00  —                            Mon 2026-03-02 08:00Z  —                      Alice',
    ]);
  });
});
