/**
 * Properties of the clocks over random ticket histories, on a business
 * calendar with a lunch break and a holiday and on 24x7.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Severity } from '../../src/config/schema.js';
import type { TicketEvent } from '../../src/domain/ticket.js';
import { replayTimeline } from '../../src/escalation/timeline.js';
import { buildCalendars } from '../../src/sla/calendar.js';

const config = parseConfig(`
people: { alice: { name: Alice } }
staff: { people: [alice] }
customers:
  - { id: office, name: Office Co, tier: business, channels: { shell: [office] } }
  - { id: always, name: Always Inc, tier: around, channels: { shell: [always] } }
tiers:
  business:
    calendar: berlin
    targets:
      default: { firstResponse: 4h, nextResponse: 8h, resolution: 3d }
      urgent: { firstResponse: 1h, resolution: 1d }
  around:
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d }
      urgent: { firstResponse: 15m }
calendars:
  berlin:
    timezone: Europe/Berlin
    hours: { mon: ["09:00-12:00", "13:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-15:00"] }
    holidays: { dates: ["2026-03-27"] }
`);
const ctx = { config, calendars: buildCalendars(config) };
const T0 = Date.parse('2026-03-20T08:00:00Z');
const MIN = 60_000;
const alice = { platform: 'shell' as const, userId: 'alice', personId: 'alice' };

type Step = { gap: number; kind: 'customer' | 'staff' | 'wait' | 'resolve' | 'reopen' | 'claim' | 'severity'; severity: Severity };
const step = fc.record({
  gap: fc.integer({ min: 1, max: 36 * 60 }),
  kind: fc.constantFrom('customer', 'staff', 'wait', 'resolve', 'reopen', 'claim', 'severity'),
  severity: fc.constantFrom<Severity>('urgent', 'high', 'normal', 'low'),
}) as fc.Arbitrary<Step>;

function history(customer: string, steps: Step[], severity: Severity): TicketEvent[] {
  let at = T0;
  const events: TicketEvent[] = [{ type: 'opened', at, customer, tier: customer === 'office' ? 'business' : 'around', severity }];
  for (const s of steps) {
    at += s.gap * MIN;
    switch (s.kind) {
      case 'customer':
        events.push({ type: 'customer_message', at });
        break;
      case 'staff':
        events.push({ type: 'staff_reply', at, by: alice });
        break;
      case 'wait':
        events.push({ type: 'waiting_on_customer', at, by: alice });
        break;
      case 'resolve':
        events.push({ type: 'resolved', at, by: alice });
        break;
      case 'reopen':
        events.push({ type: 'reopened', at, by: alice });
        break;
      case 'claim':
        events.push({ type: 'claimed', at, by: alice });
        break;
      case 'severity':
        events.push({ type: 'severity_changed', at, severity: s.severity });
        break;
    }
  }
  return events;
}

const ticket = fc.record({
  customer: fc.constantFrom('office', 'always'),
  severity: fc.constantFrom<Severity>('urgent', 'high', 'normal', 'low'),
  steps: fc.array(step, { maxLength: 12 }),
  probe: fc.integer({ min: 0, max: 20 * 24 * 60 }),
});

describe('clock properties', () => {
  it('a running deadline never falls inside closed hours', () => {
    fc.assert(
      fc.property(ticket, ({ customer, severity, steps, probe }) => {
        const at = T0 + probe * MIN;
        const { clocks } = replayTimeline(history(customer, steps, severity), ctx, at, false);
        for (const clock of clocks.all()) {
          if (clock.status() !== 'running') continue;
          expect(clock.calendar.isOpen((clock.dueAt as number) - 1)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('pausing never makes a deadline earlier', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * 24 * 60 }), fc.integer({ min: 1, max: 3 * 24 * 60 }), fc.constantFrom('office', 'always'), (waitAfter, waitFor, customer) => {
        const base = history(customer, [], 'normal');
        const paused: TicketEvent[] = [...base, { type: 'waiting_on_customer', at: T0 + waitAfter * MIN }, { type: 'customer_message', at: T0 + (waitAfter + waitFor) * MIN }];
        const at = T0 + (waitAfter + waitFor) * MIN;
        const plain = replayTimeline(base, ctx, at, false).clocks.resolution;
        const withPause = replayTimeline(paused, ctx, at, false).clocks.resolution;
        if (plain?.breachedAt || withPause?.breachedAt) return;
        expect(withPause!.dueAt!).toBeGreaterThanOrEqual(plain!.dueAt!);
      }),
      { numRuns: 300 },
    );
  });

  it('events after the instant asked about change nothing about it', () => {
    fc.assert(
      fc.property(ticket, ({ customer, severity, steps, probe }) => {
        const events = history(customer, steps, severity);
        const at = T0 + probe * MIN;
        const cut = events.filter((e) => e.at <= at);
        const a = replayTimeline(events, ctx, at, true);
        const b = replayTimeline(cut, ctx, at, true);
        expect(a.clocks.all().map((c) => [c.kind, c.status(), c.dueAt, c.breachedAt, c.remainingAt(at)])).toEqual(
          b.clocks.all().map((c) => [c.kind, c.status(), c.dueAt, c.breachedAt, c.remainingAt(at)]),
        );
        expect(a.fired.map((n) => n.key)).toEqual(b.fired.map((n) => n.key));
      }),
      { numRuns: 300 },
    );
  });

  it('a breach, once recorded, stays — at the same instant — whatever happens later', () => {
    fc.assert(
      fc.property(ticket, fc.integer({ min: 0, max: 20 * 24 * 60 }), ({ customer, severity, steps, probe }, later) => {
        const events = history(customer, steps, severity);
        const at1 = T0 + probe * MIN;
        const at2 = at1 + later * MIN;
        const first = replayTimeline(events, ctx, at1, false).clocks;
        const second = replayTimeline(events, ctx, at2, false).clocks;
        const breaches = (c: typeof first) =>
          [c.firstResponse, c.resolution, ...c.nextResponses].filter((x) => x?.breachedAt).map((x) => `${x!.kind}#${x!.cycle}@${x!.breachedAt}`);
        for (const b of breaches(first)) expect(breaches(second)).toContain(b);
      }),
      { numRuns: 300 },
    );
  });

  it('working time left only goes down while nothing happens, and reaches zero at the deadline', () => {
    fc.assert(
      fc.property(fc.constantFrom('office', 'always'), fc.integer({ min: 0, max: 5 * 24 * 60 }), fc.integer({ min: 1, max: 24 * 60 }), (customer, p1, d) => {
        const events = history(customer, [], 'normal');
        const t1 = T0 + p1 * MIN;
        const t2 = t1 + d * MIN;
        const c1 = replayTimeline(events, ctx, t1, false).clocks.firstResponse!;
        const c2 = replayTimeline(events, ctx, t2, false).clocks.firstResponse!;
        const r1 = c1.remainingAt(t1);
        const r2 = c2.remainingAt(t2);
        if (r1 !== null && r2 !== null) expect(r2).toBeLessThanOrEqual(r1);
        if (r1 !== null) expect(c1.calendar.workingTimeBetween(t1, c1.dueAt!)).toBe(r1);
      }),
      { numRuns: 300 },
    );
  });

  it('the ladder fires each step at most once and in time order', () => {
    fc.assert(
      fc.property(ticket, ({ customer, severity, steps, probe }) => {
        const { fired } = replayTimeline(history(customer, steps, severity), ctx, T0 + probe * MIN, true);
        const keys = fired.map((n) => n.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (let i = 1; i < fired.length; i++) expect(fired[i]!.at).toBeGreaterThanOrEqual(fired[i - 1]!.at);
      }),
      { numRuns: 300 },
    );
  });
});
