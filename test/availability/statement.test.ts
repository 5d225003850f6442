/**
 * The availability arithmetic on hand-computed cases. Every expected figure
 * is worked out in the comment beside it.
 */
import { describe, expect, it } from 'vitest';
import { parseIncidentLog, type IncidentEvent } from '../../src/availability/incident-log.js';
import { creditCents, monthBounds, monthStatement, previousMonth, type CustomerTerms, type StatementOptions } from '../../src/availability/statement.js';

const H = 3600;
const DAY = 24 * H;
const BANDS = [
  { below: 99.9, percent: 10 },
  { below: 99.0, percent: 25 },
  { below: 95.0, percent: 100 },
];

function terms(id: string, overrides: Partial<CustomerTerms> = {}): CustomerTerms {
  return { id, tier: 'enterprise', timezone: 'UTC', target: 99.9, credits: BANDS, fee: { amount: 5000, currency: 'USD' }, ...overrides };
}

const log = (...lines: object[]): IncidentEvent[] => parseIncidentLog(lines.map((l) => JSON.stringify(l)).join('\n'));
const opened = (at: string, incident: string, scope: unknown = 'all', impact = 'outage') => ({ at, type: 'incident_opened', incident, title: `${incident} title`, impact, scope });
const updated = (at: string, incident: string, impact?: string, message?: string) => ({ at, type: 'incident_updated', incident, ...(impact ? { impact } : {}), ...(message ? { message } : {}) });
const resolved = (at: string, incident: string) => ({ at, type: 'incident_resolved', incident });
const maintenance = (at: string, id: string, from: string, to: string, scope: unknown = 'all') => ({ at, type: 'maintenance', maintenance: id, from, to, scope });

const NOV: StatementOptions = { month: '2026-11', at: Date.parse('2026-12-15T00:00:00Z'), maintenanceNoticeMs: 48 * H * 1000 };

function one(customer: CustomerTerms, events: IncidentEvent[], options: Partial<StatementOptions> = {}) {
  const statement = monthStatement([customer], events, { ...NOV, ...options });
  return statement.customers[0]!;
}

describe('the month', () => {
  it('is the calendar month in the customer’s zone, in real seconds', () => {
    // November in UTC: 30 days.
    expect(monthBounds('2026-11', 'UTC')).toEqual({ from: Date.parse('2026-11-01T00:00:00Z'), to: Date.parse('2026-12-01T00:00:00Z') });
    // Shanghai is UTC+8 all year: the month starts at 16:00 UTC the day before.
    expect(monthBounds('2026-11', 'Asia/Shanghai')).toEqual({ from: Date.parse('2026-10-31T16:00:00Z'), to: Date.parse('2026-11-30T16:00:00Z') });
    // Los Angeles, March 2026: PST (UTC−8) until 8 March, PDT (UTC−7) after: 31 days less an hour = 743 h.
    const march = monthBounds('2026-03', 'America/Los_Angeles');
    expect(march).toEqual({ from: Date.parse('2026-03-01T08:00:00Z'), to: Date.parse('2026-04-01T07:00:00Z') });
    expect((march.to - march.from) / 1000 / H).toBe(743);
    // Los Angeles, November 2026: back to PST on 1 November: 30 days and an hour = 721 h.
    const november = monthBounds('2026-11', 'America/Los_Angeles');
    expect((november.to - november.from) / 1000 / H).toBe(721);
    // Berlin, October 2026: back to CET on 25 October: 31 days and an hour = 745 h.
    const october = monthBounds('2026-10', 'Europe/Berlin');
    expect((october.to - october.from) / 1000 / H).toBe(745);
  });

  it('refuses a month that is not YYYY-MM', () => {
    expect(() => monthBounds('2026-13', 'UTC')).toThrow(/2026-11/);
    expect(() => monthBounds('Nov 2026', 'UTC')).toThrow(/2026-11/);
    expect(previousMonth('2026-01')).toBe('2025-12');
  });
});

describe('downtime, availability and credit', () => {
  it('one hour of outage in a 30-day month: 99.8611 %, target missed, 10 % credit', () => {
    const line = one(terms('acme'), log(opened('2026-11-03T10:00:00Z', 'inc-1'), resolved('2026-11-03T11:00:00Z', 'inc-1')));
    expect(line).toEqual({
      customer: 'acme',
      timezone: 'UTC',
      periodSeconds: 30 * DAY, // 2,592,000
      excludedSeconds: 0,
      downtimeSeconds: H,
      degradedSeconds: 0,
      availability: (100 * (30 * DAY - H)) / (30 * DAY), // 99.86111…
      target: 99.9,
      met: false,
      creditPercent: 10,
      creditAmount: 500, // 10 % of 5000
      currency: 'USD',
      incidents: ['inc-1'],
    });
    expect(line.availability).toBeCloseTo(99.861111, 5);
  });

  it('overlapping incidents count once: the union of 10:00–11:00 and 10:30–12:00 is two hours', () => {
    const line = one(
      terms('acme'),
      log(opened('2026-11-03T10:00:00Z', 'inc-1'), opened('2026-11-03T10:30:00Z', 'inc-2'), resolved('2026-11-03T11:00:00Z', 'inc-1'), resolved('2026-11-03T12:00:00Z', 'inc-2')),
    );
    expect(line.downtimeSeconds).toBe(2 * H);
    expect(line.incidents).toEqual(['inc-1', 'inc-2']);
  });

  it('an incident nested inside another adds nothing', () => {
    const line = one(
      terms('acme'),
      log(opened('2026-11-03T10:00:00Z', 'inc-1'), opened('2026-11-03T10:10:00Z', 'inc-2'), resolved('2026-11-03T10:20:00Z', 'inc-2'), resolved('2026-11-03T11:00:00Z', 'inc-1')),
    );
    expect(line.downtimeSeconds).toBe(H);
  });

  it('exactly at the target is met with no credit; one second more down is a 10 % credit', () => {
    // 0.1 % of 2,592,000 s is 2,592 s (43 min 12 s): availability exactly 99.9.
    const atTarget = one(terms('acme'), log(opened('2026-11-03T10:00:00Z', 'inc-1'), resolved('2026-11-03T10:43:12Z', 'inc-1')));
    expect(atTarget.downtimeSeconds).toBe(2592);
    expect(atTarget.availability).toBeCloseTo(99.9, 10);
    expect(atTarget.met).toBe(true);
    expect(atTarget.creditPercent).toBe(0);
    expect(atTarget.creditAmount).toBe(0);
    const past = one(terms('acme'), log(opened('2026-11-03T10:00:00Z', 'inc-1'), resolved('2026-11-03T10:43:13Z', 'inc-1')));
    expect(past.met).toBe(false);
    expect(past.creditPercent).toBe(10);
  });

  it('takes the largest band whose "below" exceeds the availability', () => {
    // 1 % of the month is 25,920 s (7 h 12 min): exactly 99.0, not below 99.0 → 10 %.
    const at99 = one(terms('acme'), log(opened('2026-11-03T00:00:00Z', 'inc-1'), resolved('2026-11-03T07:12:00Z', 'inc-1')));
    expect(at99.creditPercent).toBe(10);
    // 10 h down: 100 × 2,556,000 / 2,592,000 = 98.611 % → below 99.0 → 25 %: 1,250.
    const tenHours = one(terms('acme'), log(opened('2026-11-03T00:00:00Z', 'inc-1'), resolved('2026-11-03T10:00:00Z', 'inc-1')));
    expect(tenHours.creditPercent).toBe(25);
    expect(tenHours.creditAmount).toBe(1250);
    // Two days down: 93.33 % → below 95.0 → 100 %: the whole fee.
    const twoDays = one(terms('acme'), log(opened('2026-11-03T00:00:00Z', 'inc-1'), resolved('2026-11-05T00:00:00Z', 'inc-1')));
    expect(twoDays.availability).toBeCloseTo(93.333333, 5);
    expect(twoDays.creditPercent).toBe(100);
    expect(twoDays.creditAmount).toBe(5000);
  });

  it('without a fee: credit percent but no amount or currency; with a fee and no credit: 0', () => {
    const events = log(opened('2026-11-03T10:00:00Z', 'inc-1'), resolved('2026-11-03T11:00:00Z', 'inc-1'));
    const noFee = one(terms('acme', { fee: null }), events);
    expect(noFee).toMatchObject({ creditPercent: 10, creditAmount: null, currency: null });
    const quiet = one(terms('acme', { fee: { amount: 5000, currency: 'EUR' } }), []);
    expect(quiet).toMatchObject({ availability: 100, met: true, creditPercent: 0, creditAmount: 0, currency: 'EUR', incidents: [] });
  });

  it('without a target: met is null and no band applies', () => {
    const line = one(terms('acme', { target: null, credits: [] }), log(opened('2026-11-03T10:00:00Z', 'inc-1'), resolved('2026-11-03T11:00:00Z', 'inc-1')));
    expect(line).toMatchObject({ target: null, met: null, creditPercent: 0, creditAmount: 0 });
  });
});

describe('month edges and zones', () => {
  const events = log(
    opened('2026-10-31T15:00:00Z', 'edge-start'),
    resolved('2026-10-31T17:00:00Z', 'edge-start'),
    opened('2026-11-30T15:00:00Z', 'edge-end'),
    resolved('2026-11-30T17:00:00Z', 'edge-end'),
  );

  it('Asia/Shanghai: November is 31 Oct 16:00 – 30 Nov 16:00 UTC', () => {
    // edge-start: 16:00–17:00 UTC is inside (1 h); edge-end: 15:00–16:00 UTC is inside (1 h).
    const line = one(terms('cn', { timezone: 'Asia/Shanghai' }), events);
    expect(line.periodSeconds).toBe(30 * DAY);
    expect(line.downtimeSeconds).toBe(2 * H);
    expect(line.incidents).toEqual(['edge-end', 'edge-start']);
  });

  it('UTC: the same incidents give only the 30 Nov one, whole', () => {
    const line = one(terms('uk'), events);
    expect(line.downtimeSeconds).toBe(2 * H);
    expect(line.incidents).toEqual(['edge-end']);
  });

  it('America/Los_Angeles in March: 743 hours, and an outage across the clock change counts real time', () => {
    // 8 March 2026, 01:30 PST (09:30Z) to 03:30 PDT (10:30Z): the wall clock moves two hours, one really passed.
    const line = one(
      terms('la', { timezone: 'America/Los_Angeles' }),
      log(opened('2026-03-08T09:30:00Z', 'dst'), resolved('2026-03-08T10:30:00Z', 'dst')),
      { month: '2026-03', at: Date.parse('2026-04-02T00:00:00Z') },
    );
    expect(line.periodSeconds).toBe(743 * H); // 2,674,800
    expect(line.downtimeSeconds).toBe(H);
    expect(line.availability).toBeCloseTo((100 * (743 * H - H)) / (743 * H), 10); // 99.86541…
    expect(line.creditPercent).toBe(10);
  });

  it('America/Los_Angeles in November: 721 hours; an outage on 1 Dec 07:30Z is still November there', () => {
    const line = one(
      terms('la', { timezone: 'America/Los_Angeles' }),
      log(opened('2026-12-01T07:00:00Z', 'late'), resolved('2026-12-01T09:00:00Z', 'late')),
    );
    // The month ends at 1 Dec 00:00 PST = 08:00Z: one hour of the two is November's.
    expect(line.periodSeconds).toBe(721 * H);
    expect(line.downtimeSeconds).toBe(H);
  });

  it('an incident spanning two months counts in each for its part', () => {
    const events2 = log(opened('2026-10-31T22:00:00Z', 'span'), resolved('2026-11-01T02:00:00Z', 'span'));
    expect(one(terms('acme'), events2, { month: '2026-10' })).toMatchObject({ downtimeSeconds: 2 * H, incidents: ['span'], periodSeconds: 31 * DAY });
    expect(one(terms('acme'), events2, { month: '2026-11' })).toMatchObject({ downtimeSeconds: 2 * H, incidents: ['span'] });
  });

  it('an incident resolved before the month is not in it, nor one resolved exactly at its start', () => {
    const events2 = log(opened('2026-10-10T10:00:00Z', 'old'), resolved('2026-10-10T12:00:00Z', 'old'), opened('2026-10-31T23:00:00Z', 'edge'), resolved('2026-11-01T00:00:00Z', 'edge'));
    expect(one(terms('acme'), events2)).toMatchObject({ downtimeSeconds: 0, incidents: [], availability: 100, met: true });
  });
});

describe('incidents still open', () => {
  const events = log(opened('2026-11-20T10:00:00Z', 'open'));

  it('count up to --at', () => {
    expect(one(terms('acme'), events, { at: Date.parse('2026-11-20T12:00:00Z') })).toMatchObject({ downtimeSeconds: 2 * H, incidents: ['open'], periodSeconds: 30 * DAY });
  });

  it('count to the month’s end when --at is after it', () => {
    // 20 Nov 10:00 → 1 Dec 00:00 = 10 days 14 hours.
    expect(one(terms('acme'), events, { at: Date.parse('2026-12-03T00:00:00Z') }).downtimeSeconds).toBe(10 * DAY + 14 * H);
  });

  it('ignore what happens after --at: a resolve later, an incident opened later', () => {
    const later = log(opened('2026-11-20T10:00:00Z', 'open'), resolved('2026-11-20T15:00:00Z', 'open'), opened('2026-11-21T10:00:00Z', 'future'));
    expect(one(terms('acme'), later, { at: Date.parse('2026-11-20T12:00:00Z') })).toMatchObject({ downtimeSeconds: 2 * H, incidents: ['open'] });
  });

  it('so far this month: the period ends at --at', () => {
    const line = one(terms('acme'), events, { at: Date.parse('2026-11-20T12:00:00Z'), soFar: true });
    // 19 days 12 hours so far, 2 hours of them down.
    expect(line.periodSeconds).toBe(19 * DAY + 12 * H);
    expect(line.availability).toBeCloseTo((100 * (19 * DAY + 10 * H)) / (19 * DAY + 12 * H), 10);
  });
});

describe('impact', () => {
  it('changes mid-incident: outage → degraded → outage counts only the outage parts as downtime', () => {
    const events = log(
      opened('2026-11-03T10:00:00Z', 'inc-1'),
      updated('2026-11-03T10:20:00Z', 'inc-1', 'degraded', 'failing over'),
      updated('2026-11-03T10:35:00Z', 'inc-1', undefined, 'still slow'),
      updated('2026-11-03T10:50:00Z', 'inc-1', 'outage'),
      resolved('2026-11-03T11:00:00Z', 'inc-1'),
    );
    // Outage 10:00–10:20 and 10:50–11:00 = 30 min; degraded 10:20–10:50 = 30 min.
    expect(one(terms('acme'), events)).toMatchObject({ downtimeSeconds: 1800, degradedSeconds: 1800, incidents: ['inc-1'] });
  });

  it('degraded is not downtime, and where another incident is down it is downtime, not degraded', () => {
    const events = log(
      opened('2026-11-03T10:00:00Z', 'slow', 'all', 'degraded'),
      opened('2026-11-03T10:30:00Z', 'down'),
      resolved('2026-11-03T10:40:00Z', 'down'),
      resolved('2026-11-03T11:00:00Z', 'slow'),
    );
    // Degraded 10:00–11:00 minus the outage 10:30–10:40: 50 min; downtime 10 min.
    const line = one(terms('acme'), events);
    expect(line).toMatchObject({ downtimeSeconds: 600, degradedSeconds: 3000, incidents: ['down', 'slow'] });
  });

  it('a degraded-only incident is listed, and leaves availability at 100', () => {
    const events = log(opened('2026-11-03T10:00:00Z', 'slow', 'all', 'degraded'), resolved('2026-11-03T11:00:00Z', 'slow'));
    expect(one(terms('acme'), events)).toMatchObject({ availability: 100, downtimeSeconds: 0, degradedSeconds: H, incidents: ['slow'], met: true });
  });
});

describe('maintenance', () => {
  const outageInWindow = [opened('2026-11-05T02:00:00Z', 'inc-1'), resolved('2026-11-05T02:30:00Z', 'inc-1')];

  it('announced in time: the window is excluded from the month, and an outage inside it is not downtime', () => {
    // Announced 1 Nov 09:00 for 5 Nov 01:00–03:00: more than 48 h ahead.
    const line = one(terms('acme'), log(maintenance('2026-11-01T09:00:00Z', 'mw-1', '2026-11-05T01:00:00Z', '2026-11-05T03:00:00Z'), ...outageInWindow));
    expect(line).toMatchObject({ periodSeconds: 30 * DAY, excludedSeconds: 2 * H, downtimeSeconds: 0, availability: 100, incidents: ['inc-1'] });
  });

  it('announced exactly 48 h ahead is in time', () => {
    const line = one(terms('acme'), log(maintenance('2026-11-03T01:00:00Z', 'mw-1', '2026-11-05T01:00:00Z', '2026-11-05T03:00:00Z')));
    expect(line.excludedSeconds).toBe(2 * H);
  });

  it('announced too late: nothing is excluded, and an outage inside it is downtime', () => {
    // Announced 4 Nov 12:00: 13 h ahead.
    const line = one(terms('acme'), log(maintenance('2026-11-04T12:00:00Z', 'mw-1', '2026-11-05T01:00:00Z', '2026-11-05T03:00:00Z'), ...outageInWindow));
    expect(line).toMatchObject({ excludedSeconds: 0, downtimeSeconds: 1800 });
  });

  it('an outage partly inside an excluded window counts the part outside; availability is over the rest of the month', () => {
    const events = log(maintenance('2026-11-01T00:00:00Z', 'mw-1', '2026-11-05T01:00:00Z', '2026-11-05T03:00:00Z'), opened('2026-11-05T02:00:00Z', 'inc-1'), resolved('2026-11-05T04:00:00Z', 'inc-1'));
    const line = one(terms('acme'), events);
    // Down 02:00–04:00, excluded 01:00–03:00: downtime 03:00–04:00 = 1 h, over 30 days − 2 h.
    expect(line).toMatchObject({ excludedSeconds: 2 * H, downtimeSeconds: H });
    expect(line.availability).toBeCloseTo((100 * (30 * DAY - 3 * H)) / (30 * DAY - 2 * H), 10);
  });

  it('overlapping windows are excluded once, and only inside the month', () => {
    const events = log(
      maintenance('2026-10-01T00:00:00Z', 'mw-1', '2026-10-31T23:00:00Z', '2026-11-01T02:00:00Z'),
      maintenance('2026-10-01T00:00:00Z', 'mw-2', '2026-11-01T01:00:00Z', '2026-11-01T03:00:00Z'),
    );
    // Union 31 Oct 23:00 – 1 Nov 03:00, November's part 00:00–03:00.
    expect(one(terms('acme'), events).excludedSeconds).toBe(3 * H);
  });

  it('a window for another region or tier does not exclude anything for this customer', () => {
    const events = log(maintenance('2026-11-01T00:00:00Z', 'mw-1', '2026-11-05T01:00:00Z', '2026-11-05T03:00:00Z', { regions: ['us'] }), ...outageInWindow);
    const line = one(terms('acme', { region: 'eu' }), events);
    expect(line).toMatchObject({ excludedSeconds: 0, downtimeSeconds: 1800 });
  });

  it('degraded time inside an excluded window is not counted either', () => {
    const events = log(maintenance('2026-11-01T00:00:00Z', 'mw-1', '2026-11-05T01:00:00Z', '2026-11-05T03:00:00Z'), opened('2026-11-05T02:00:00Z', 'slow', 'all', 'degraded'), resolved('2026-11-05T04:00:00Z', 'slow'));
    expect(one(terms('acme'), events)).toMatchObject({ degradedSeconds: H, downtimeSeconds: 0 });
  });
});

describe('scopes', () => {
  const customers = [
    terms('acme', { region: 'eu', tier: 'enterprise' }),
    terms('globex', { region: 'us', tier: 'priority' }),
    terms('initech', { tier: 'standard' }),
    terms('umbrella', { region: 'eu', tier: 'standard' }),
  ];
  const events = log(
    opened('2026-11-03T10:00:00Z', 'eu-down', { regions: ['eu'] }),
    resolved('2026-11-03T11:00:00Z', 'eu-down'),
    opened('2026-11-04T10:00:00Z', 'ent-down', { tiers: ['enterprise'] }),
    resolved('2026-11-04T10:30:00Z', 'ent-down'),
    opened('2026-11-05T10:00:00Z', 'globex-down', { customers: ['globex'], regions: ['ap'] }),
    resolved('2026-11-05T10:10:00Z', 'globex-down'),
    opened('2026-11-06T10:00:00Z', 'all-down'),
    resolved('2026-11-06T10:01:00Z', 'all-down'),
  );
  const byId = Object.fromEntries(monthStatement(customers, events, NOV).customers.map((c) => [c.customer, c]));

  it('a customer is affected by its region, its tier, its own id, and "all"', () => {
    expect(byId.acme).toMatchObject({ downtimeSeconds: H + 1800 + 60, incidents: ['all-down', 'ent-down', 'eu-down'] });
    expect(byId.globex).toMatchObject({ downtimeSeconds: 600 + 60, incidents: ['all-down', 'globex-down'] });
    expect(byId.initech).toMatchObject({ downtimeSeconds: 60, incidents: ['all-down'] });
    expect(byId.umbrella).toMatchObject({ downtimeSeconds: H + 60, incidents: ['all-down', 'eu-down'] });
  });

  it('lists customers sorted by id', () => {
    const shuffled = monthStatement([customers[3]!, customers[0]!, customers[2]!, customers[1]!], events, NOV);
    expect(shuffled.customers.map((c) => c.customer)).toEqual(['acme', 'globex', 'initech', 'umbrella']);
    expect(shuffled.month).toBe('2026-11');
  });
});

describe('credit amounts', () => {
  it('are rounded to cents, half up, exactly', () => {
    expect(creditCents(10, 5000)).toBe(50_000);
    expect(creditCents(25, 333.33)).toBe(8_333); // 83.3325 → 83.33
    expect(creditCents(25, 0.1)).toBe(3); // 0.025 → 0.03
    expect(creditCents(12.5, 999.99)).toBe(12_500); // 124.99875 → 125.00
    expect(creditCents(10, 1234.565)).toBe(12_346); // 123.4565 → 123.46
    expect(creditCents(0, 1234.56)).toBe(0);
  });
});
