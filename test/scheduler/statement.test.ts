import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncidentEvent } from '../../src/availability/incident-log.js';
import { parseConfig } from '../../src/config/load.js';
import { lastMonthStatement, startMonthlyStatement } from '../../src/scheduler/statement.js';
import type { MonthStatement } from '../../src/availability/statement.js';
import type { IncidentRecord } from '../../src/store/incident-store.js';
import { harness, T0 } from '../helpers/app-harness.js';

const YAML = `
people: { alice: { name: Alice }, carol: { name: Carol } }
staff: { people: [alice, carol], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, region: eu, accountEngineer: carol, monthlyFee: { amount: 5000, currency: USD }, channels: { shell: [acme] } }
  - { id: globex, name: Globex, tier: enterprise, region: us, accountEngineer: carol, channels: { shell: [globex] } }
  - { id: initech, name: Initech, tier: enterprise, channels: { shell: [initech] } }
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h } }
    availability: { target: 99.9, credits: [{ below: 99.9, percent: 10 }, { below: 99.0, percent: 25 }] }
availability: { timezone: Europe/Berlin }
`;
const CONFIG = parseConfig(YAML);

/** An hour of outage in the EU on 3 November. */
const EVENTS: IncidentEvent[] = [
  { at: Date.parse('2026-11-03T10:00:00Z'), type: 'incident_opened', incident: 'inc-1', title: 'RTC down', impact: 'outage', scope: { regions: ['eu'] } },
  { at: Date.parse('2026-11-03T11:00:00Z'), type: 'incident_resolved', incident: 'inc-1' },
];
async function* records(): AsyncIterable<IncidentRecord> {
  yield { id: 'inc-1', kind: 'incident', seq: 1, events: EVENTS, announce: [], notices: {}, version: 1 };
}

describe('the monthly statement job', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('posts the statement of the month just ended at 09:00 on the 1st in availability.timezone, every month', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-30T12:00:00Z') });
    const posted: { month: string; at: number }[] = [];
    const job = startMonthlyStatement(CONFIG, records, () => Date.now(), async (statement, at) => void posted.push({ month: statement.month, at }), (err) => {
      throw err;
    });
    await vi.advanceTimersByTimeAsync(Date.parse('2026-12-01T07:59:00Z') - Date.now()); // 08:59 in Berlin (CET)
    expect(posted).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(posted).toEqual([{ month: '2026-11', at: Date.parse('2026-12-01T08:00:00Z') }]);
    await vi.advanceTimersByTimeAsync(Date.parse('2027-01-01T08:01:00Z') - Date.now());
    expect(posted.map((p) => p.month)).toEqual(['2026-11', '2026-12']);
    job.stop();
  });

  it('is not armed when no customer has an availability target', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-30T12:00:00Z') });
    const posted: unknown[] = [];
    const none = parseConfig(YAML.replace("    availability: { target: 99.9, credits: [{ below: 99.9, percent: 10 }, { below: 99.0, percent: 25 }] }\n", ''));
    const job = startMonthlyStatement(none, records, () => Date.now(), async (s) => void posted.push(s), () => undefined);
    await vi.advanceTimersByTimeAsync(3 * 86_400_000);
    expect(posted).toEqual([]);
    job.stop();
  });
});

describe('the statement in chat', () => {
  it('the staff channel gets who missed the target and the credits; the account engineer each customer’s line, privately', async () => {
    const statement: MonthStatement = await lastMonthStatement(CONFIG, records(), Date.parse('2026-12-01T08:00:00Z'));
    expect(statement.month).toBe('2026-11');
    const h = await harness(YAML, { t: T0 });
    await h.app.postStatement(statement, Date.parse('2026-12-01T08:00:00Z'));
    expect(h.port.lines('staff')).toEqual([
      '⚠ Availability statement 2026-11 · Target met: 2 of 3 customers · Credits owed: 500.00 USD · Acme Corp: 99.8611% of 99.9% · down 1:00:00 · credit 10% = 500.00 USD · inc-1',
    ]);
    expect(h.port.lines('dm:carol')).toEqual([
      '⚠ Availability 2026-11: Acme Corp · Availability: 99.8611% (target 99.9%: missed) · Downtime: 1:00:00 · Degraded: 0:00:00 · Maintenance excluded: 0:00:00 · Credit: 10% = 500.00 USD · Incidents: inc-1',
      'Availability 2026-11: Globex · Availability: 100.0000% (target 99.9%: met) · Downtime: 0:00:00 · Degraded: 0:00:00 · Maintenance excluded: 0:00:00 · Credit: none · Incidents: none',
    ]);
    // Initech has no account engineer: no direct message for it.
    expect(h.port.sent.filter((s) => s.message.type === 'dm')).toHaveLength(2);
  });
});
