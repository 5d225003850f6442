/**
 * Properties of the availability arithmetic over random incident logs:
 * random customers (zones, regions, tiers), incidents with impact changes,
 * maintenance windows announced in time or late, and a random --at.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scopeCovers, type IncidentEvent, type Scope } from '../../src/availability/incident-log.js';
import { clip, length, subtract, union, type Interval } from '../../src/availability/intervals.js';
import { coveringScopes, monthBounds, monthStatement, type CustomerTerms } from '../../src/availability/statement.js';

const MONTH = '2026-03';
const START = Date.parse('2026-02-25T00:00:00Z');
const SPAN = 40 * 86_400_000; // some events fall outside March in every zone
const ZONES = ['UTC', 'Asia/Shanghai', 'America/Los_Angeles', 'Europe/Berlin', 'Pacific/Auckland'];
const REGIONS = ['eu', 'us', 'cn-east'];
const TIERS = ['standard', 'priority', 'enterprise'];

const scope: fc.Arbitrary<Scope> = fc.oneof(
  fc.constant('all' as const),
  fc
    .record({ customers: fc.subarray(['c0', 'c1', 'c2', 'c3']), regions: fc.subarray(REGIONS), tiers: fc.subarray(TIERS) })
    .filter((s) => s.customers.length + s.regions.length + s.tiers.length > 0),
);

const customer = (i: number): fc.Arbitrary<CustomerTerms> =>
  fc.record({
    timezone: fc.constantFrom(...ZONES),
    region: fc.option(fc.constantFrom(...REGIONS), { nil: undefined }),
    tier: fc.constantFrom(...TIERS),
  }).map((c) => ({
    id: `c${i}`,
    tier: c.tier,
    ...(c.region ? { region: c.region } : {}),
    timezone: c.timezone,
    target: 99.9,
    credits: [
      { below: 99.9, percent: 10 },
      { below: 99, percent: 25 },
      { below: 95, percent: 100 },
    ],
    fee: { amount: 1000, currency: 'USD' },
  }));

const time = fc.integer({ min: 0, max: SPAN }).map((ms) => START + Math.floor(ms / 1000) * 1000);

/** An incident: opened, a few impact changes, maybe resolved. */
const incident = (id: string): fc.Arbitrary<IncidentEvent[]> =>
  fc
    .record({
      at: time,
      scope,
      impact: fc.constantFrom('outage' as const, 'degraded' as const),
      changes: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3 * 86_400 }), impact: fc.constantFrom('outage' as const, 'degraded' as const) }), { maxLength: 4 }),
      resolveAfter: fc.option(fc.integer({ min: 0, max: 5 * 86_400 }), { nil: undefined }),
    })
    .map(({ at, scope, impact, changes, resolveAfter }) => {
      const events: IncidentEvent[] = [{ at, type: 'incident_opened', incident: id, title: id, impact, scope }];
      let t = at;
      for (const change of changes) {
        t += change.gap * 1000;
        events.push({ at: t, type: 'incident_updated', incident: id, impact: change.impact });
      }
      if (resolveAfter !== undefined) events.push({ at: t + resolveAfter * 1000, type: 'incident_resolved', incident: id });
      return events;
    });

const window = (id: string): fc.Arbitrary<IncidentEvent> =>
  fc.record({ from: time, hours: fc.integer({ min: 1, max: 12 }), noticeHours: fc.integer({ min: 0, max: 96 }), scope }).map(({ from, hours, noticeHours, scope }) => ({
    at: from - noticeHours * 3_600_000,
    type: 'maintenance' as const,
    maintenance: id,
    from,
    to: from + hours * 3_600_000,
    scope,
  }));

const world = fc.record({
  customers: fc.tuple(customer(0), customer(1), customer(2), customer(3)),
  incidents: fc.array(fc.nat(), { maxLength: 6 }).chain((ids) => fc.tuple(...ids.map((_, i) => incident(`inc-${i}`)))),
  windows: fc.array(fc.nat(), { maxLength: 3 }).chain((ids) => fc.tuple(...ids.map((_, i) => window(`mw-${i}`)))),
  at: time,
});

const options = (at: number) => ({ month: MONTH, at, maintenanceNoticeMs: 48 * 3_600_000 });

describe('availability properties', () => {
  it('availability is within [0, 100]; downtime + degraded ≤ period − excluded; credit follows the bands', () => {
    fc.assert(
      fc.property(world, ({ customers, incidents, windows, at }) => {
        const statement = monthStatement(customers, [...incidents.flat(), ...windows], options(at));
        for (const line of statement.customers) {
          expect(line.availability).toBeGreaterThanOrEqual(0);
          expect(line.availability).toBeLessThanOrEqual(100);
          expect(line.downtimeSeconds + line.degradedSeconds).toBeLessThanOrEqual(line.periodSeconds - line.excludedSeconds);
          const bounds = monthBounds(MONTH, line.timezone);
          expect(line.periodSeconds).toBe((bounds.to - bounds.from) / 1000);
          // The target is the top band's "below": met exactly when no credit is due.
          expect(line.met).toBe(line.creditPercent === 0);
          if (line.availability < 99.9 - 1e-9) expect(line.met).toBe(false);
          expect(line.creditAmount).toBe((line.creditPercent / 100) * 1000);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('adding an incident never raises anyone’s availability', () => {
    fc.assert(
      fc.property(world, incident('extra'), ({ customers, incidents, windows, at }, extra) => {
        const events = [...incidents.flat(), ...windows];
        const before = monthStatement(customers, events, options(at)).customers;
        const after = monthStatement(customers, [...events, ...extra], options(at)).customers;
        after.forEach((line, i) => {
          expect(line.availability).toBeLessThanOrEqual(before[i]!.availability);
          expect(line.downtimeSeconds).toBeGreaterThanOrEqual(before[i]!.downtimeSeconds);
          expect(line.creditPercent).toBeGreaterThanOrEqual(before[i]!.creditPercent);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('a later --at never lowers downtime', () => {
    fc.assert(
      fc.property(world, fc.integer({ min: 0, max: 10 * 86_400_000 }), ({ customers, incidents, windows, at }, later) => {
        const events = [...incidents.flat(), ...windows];
        const before = monthStatement(customers, events, options(at)).customers;
        const after = monthStatement(customers, events, options(at + later)).customers;
        after.forEach((line, i) => expect(line.downtimeSeconds).toBeGreaterThanOrEqual(before[i]!.downtimeSeconds));
      }),
      { numRuns: 200 },
    );
  });

  it('the scope index finds exactly the scopes that cover a customer', () => {
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 12 }), customer(1), (scopes, c) => {
        const expected = scopes.flatMap((s, i) => (scopeCovers(s, c) ? [i] : []));
        expect(coveringScopes(scopes, c)).toEqual(expected);
      }),
    );
  });
});

describe('interval sets', () => {
  const intervals = fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 40 })).map(([from, len]) => ({ from, to: from + len })), { maxLength: 12 });
  /** The set as the points it covers, for a brute-force comparison. */
  const points = (set: readonly Interval[]) => {
    const covered = new Set<number>();
    for (const i of set) for (let t = i.from; t < i.to; t++) covered.add(t);
    return covered;
  };

  it('union, clip and subtract agree with brute force over points', () => {
    fc.assert(
      fc.property(intervals, intervals, fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 120 }), (a, b, x, w) => {
        const ua = union(a);
        const ub = union(b);
        const pa = points(a);
        const pb = points(b);
        expect(points(ua)).toEqual(pa);
        for (let i = 1; i < ua.length; i++) expect(ua[i]!.from).toBeGreaterThan(ua[i - 1]!.to);
        expect(length(ua)).toBe(pa.size);
        expect(points(subtract(ua, ub))).toEqual(new Set([...pa].filter((t) => !pb.has(t))));
        expect(points(clip(ua, x, x + w))).toEqual(new Set([...pa].filter((t) => t >= x && t < x + w)));
      }),
    );
  });
});
