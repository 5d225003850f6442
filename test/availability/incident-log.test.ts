import { describe, expect, it } from 'vitest';
import { EventLogError } from '../../src/domain/event-log.js';
import { checkNext, incidentLogLine, isIncidentLine, parseIncidentLog, scopeCovers, type ScopeNames } from '../../src/availability/incident-log.js';

const names: ScopeNames = { customers: new Set(['acme', 'globex']), regions: new Set(['eu', 'cn-east']), tiers: new Set(['enterprise', 'standard']) };

function errorOf(text: string, withNames = true): string {
  try {
    parseIncidentLog(text, withNames ? names : undefined);
  } catch (err) {
    if (err instanceof EventLogError) return err.message;
    throw err;
  }
  return 'no error';
}

const lines = (...items: (object | string)[]) => items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join('\n');

describe('parseIncidentLog', () => {
  it('reads the four kinds of line of the documented format', () => {
    const events = parseIncidentLog(
      lines(
        { at: '2026-11-01T09:00:00Z', type: 'maintenance', maintenance: 'mw-1', from: '2026-11-05T01:00:00Z', to: '2026-11-05T03:00:00+00:00', scope: 'all' },
        { at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'inc-1', title: 'RTC down in EU', impact: 'outage', scope: { regions: ['eu'] } },
        { at: '2026-11-03T10:40:00Z', type: 'incident_updated', incident: 'inc-1', impact: 'degraded', message: 'Failing over' },
        { at: '2026-11-03T11:00:00Z', type: 'incident_resolved', incident: 'inc-1' },
      ),
      names,
    );
    expect(events).toEqual([
      { at: Date.parse('2026-11-01T09:00:00Z'), type: 'maintenance', maintenance: 'mw-1', from: Date.parse('2026-11-05T01:00:00Z'), to: Date.parse('2026-11-05T03:00:00Z'), scope: 'all' },
      { at: Date.parse('2026-11-03T10:00:00Z'), type: 'incident_opened', incident: 'inc-1', title: 'RTC down in EU', impact: 'outage', scope: { regions: ['eu'] } },
      { at: Date.parse('2026-11-03T10:40:00Z'), type: 'incident_updated', incident: 'inc-1', impact: 'degraded', message: 'Failing over' },
      { at: Date.parse('2026-11-03T11:00:00Z'), type: 'incident_resolved', incident: 'inc-1' },
    ]);
  });

  it('defaults: impact outage, scope all, title the id', () => {
    const [event] = parseIncidentLog(lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'inc-1' }));
    expect(event).toEqual({ at: Date.parse('2026-11-03T10:00:00Z'), type: 'incident_opened', incident: 'inc-1', title: 'inc-1', impact: 'outage', scope: 'all' });
  });

  it('reads lines in any order, each incident in time order; skips ticket lines and repeated lines', () => {
    const events = parseIncidentLog(
      lines(
        { at: '2026-11-03T11:00:00Z', type: 'incident_resolved', incident: 'inc-1' },
        { ticket: 7, at: '2026-03-02T09:00:00Z', type: 'opened', customer: 'acme', severity: 'normal' },
        { at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'inc-1', title: 't', impact: 'outage', scope: 'all' },
        '',
        { at: '2026-11-03T11:00:00Z', type: 'incident_resolved', incident: 'inc-1' },
      ),
    );
    expect(events.map((e) => e.type)).toEqual(['incident_opened', 'incident_resolved']);
  });

  it.each([
    ['not JSON', '{"at":', 'line 1: not valid JSON'],
    ['an array', '[1]', 'line 1: expected a JSON object'],
    ['an unknown type', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_closed', incident: 'a' }), 'line 1: unknown type "incident_closed"'],
    ['no "at"', lines({ type: 'incident_resolved', incident: 'a' }), 'line 1: missing "at"'],
    ['a time without a zone', lines({ at: '2026-11-03T10:00:00', type: 'incident_opened', incident: 'a' }), 'line 1: "at" is not an ISO time with a zone'],
    ['a bad impact', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a', impact: 'down' }), 'line 1: "impact" must be one of outage, degraded'],
    ['a bad id', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'inc 1' }), 'line 1: "incident_opened" needs "incident"'],
    ['an update without a change', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a' }, { at: '2026-11-03T10:10:00Z', type: 'incident_updated', incident: 'a' }), 'line 2: "incident_updated" needs "impact" and/or "message"'],
    ['a window ending before it starts', lines({ at: '2026-11-01T00:00:00Z', type: 'maintenance', maintenance: 'mw', from: '2026-11-05T03:00:00Z', to: '2026-11-05T01:00:00Z' }), 'line 1: "to" must be after "from"'],
    ['an unknown scope key', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a', scope: { zones: ['eu'] } }), 'line 1: unknown key "zones" in "scope"'],
    ['a scope naming nobody', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a', scope: { regions: [] } }), 'line 1: "scope" names nobody'],
    ['an unknown region', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a' }, { at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'b', scope: { regions: ['mars'] } }), 'line 2: unknown region "mars" in "scope.regions"'],
    ['an unknown tier', lines({ at: '2026-11-01T00:00:00Z', type: 'maintenance', maintenance: 'mw', from: '2026-11-05T01:00:00Z', to: '2026-11-05T03:00:00Z', scope: { tiers: ['gold'] } }), 'line 1: unknown tier "gold"'],
    ['an unknown customer', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a', scope: { customers: ['hooli'] } }), 'line 1: unknown customer "hooli"'],
    ['an update before its incident opened', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a' }, { at: '2026-11-03T09:00:00Z', type: 'incident_updated', incident: 'a', message: 'm' }), 'line 2: incident "a" is not opened before this update'],
    ['a resolve of an unknown incident', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_resolved', incident: 'a' }), 'line 1: incident "a" is not opened before this resolve'],
    ['a second resolve', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a' }, { at: '2026-11-03T11:00:00Z', type: 'incident_resolved', incident: 'a' }, { at: '2026-11-03T12:00:00Z', type: 'incident_resolved', incident: 'a' }), 'line 3: incident "a" is already resolved'],
    ['an update after the resolve', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a' }, { at: '2026-11-03T11:00:00Z', type: 'incident_resolved', incident: 'a' }, { at: '2026-11-03T12:00:00Z', type: 'incident_updated', incident: 'a', message: 'x' }), 'line 3: incident "a" is already resolved'],
    ['a second opening', lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a' }, { at: '2026-11-03T11:00:00Z', type: 'incident_opened', incident: 'a' }), 'line 2: incident "a" is already opened'],
    ['a window announced twice differently', lines({ at: '2026-11-01T00:00:00Z', type: 'maintenance', maintenance: 'mw', from: '2026-11-05T01:00:00Z', to: '2026-11-05T03:00:00Z' }, { at: '2026-11-01T00:00:00Z', type: 'maintenance', maintenance: 'mw', from: '2026-11-05T01:00:00Z', to: '2026-11-05T04:00:00Z' }), 'line 2: maintenance "mw" is already announced'],
  ])('refuses %s, naming the line', (_what, text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it('checks scope names only when it knows them', () => {
    expect(errorOf(lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'b', scope: { regions: ['mars'] } }), false)).toBe('no error');
  });
});

describe('the log line', () => {
  it('writes each event back as the line it was read from', () => {
    const text = lines(
      { at: '2026-11-01T09:00:00Z', type: 'maintenance', maintenance: 'mw-1', from: '2026-11-05T01:00:00Z', to: '2026-11-05T03:00:00Z', scope: 'all' },
      { at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'inc-1', title: 'RTC down in EU', impact: 'outage', scope: { regions: ['eu'] } },
      { at: '2026-11-03T10:40:00.250Z', type: 'incident_updated', incident: 'inc-1', impact: 'degraded', message: 'Failing over' },
      { at: '2026-11-03T11:00:00Z', type: 'incident_resolved', incident: 'inc-1' },
    );
    expect(lines(...parseIncidentLog(text).map(incidentLogLine))).toBe(text);
  });

  it('tells incident lines from ticket lines', () => {
    expect(isIncidentLine({ at: 'x', type: 'incident_opened', incident: 'a' })).toBe(true);
    expect(isIncidentLine({ at: 'x', type: 'maintenance', maintenance: 'a' })).toBe(true);
    expect(isIncidentLine({ ticket: 1, at: 'x', type: 'opened' })).toBe(false);
    expect(isIncidentLine({ at: 'x', type: 'opened' })).toBe(false);
  });
});

describe('checkNext', () => {
  const [open, resolve] = parseIncidentLog(lines({ at: '2026-11-03T10:00:00Z', type: 'incident_opened', incident: 'a' }, { at: '2026-11-03T11:00:00Z', type: 'incident_resolved', incident: 'a' }));
  it('knows a repeat from a conflict', () => {
    expect(checkNext([open!], open!)).toEqual({ duplicate: true });
    expect(checkNext([open!, resolve!], resolve!)).toEqual({ duplicate: true });
    expect(checkNext([open!, resolve!], { ...resolve!, at: resolve!.at + 1 }).problem).toMatch(/already resolved/);
    expect(checkNext([open!], resolve!)).toEqual({});
  });
});

describe('scopeCovers', () => {
  const acme = { id: 'acme', tier: 'enterprise', region: 'eu' };
  it('covers by id, region, tier or all', () => {
    expect(scopeCovers('all', acme)).toBe(true);
    expect(scopeCovers({ customers: ['acme'] }, acme)).toBe(true);
    expect(scopeCovers({ regions: ['eu'] }, acme)).toBe(true);
    expect(scopeCovers({ tiers: ['enterprise'] }, acme)).toBe(true);
    expect(scopeCovers({ regions: ['us'], tiers: ['standard'], customers: ['globex'] }, acme)).toBe(false);
    expect(scopeCovers({ regions: ['eu'] }, { id: 'x', tier: 'enterprise' })).toBe(false);
  });
});
