/**
 * One state machine for a ticket: its view, its clocks (and the timeline that
 * drives the ladder), the desk writing to the store and `replay` reading a log
 * all follow the domain's transition table, so they agree on every sequence.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Severity } from '../../src/config/schema.js';
import { EventLogError, parseEventLog, toLogLine } from '../../src/domain/event-log.js';
import { firstRefusal, nextState, viewTicket, type Actor, type Ticket, type TicketEvent, type TicketState } from '../../src/domain/ticket.js';
import { replayTimeline, type Timeline } from '../../src/escalation/timeline.js';
import { buildCalendars } from '../../src/sla/calendar.js';
import { createContext } from '../../src/service/context.js';
import { applyAction, CommandError } from '../../src/service/tickets.js';
import { openMemoryStore } from '../../src/store/open.js';

const config = parseConfig(`
people:
  alice: { name: Alice }
  bob: { name: Bob }
staff: { people: [alice, bob] }
customers:
  - { id: acme, name: Acme, tier: gold, channels: { shell: [acme] } }
tiers:
  gold:
    calendar: office
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 1d }
      urgent: { firstResponse: 15m, resolution: 4h }
  silver:
    targets:
      default: { firstResponse: 4h }
calendars:
  office: { timezone: Europe/Berlin, hours: { mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"] } }
`);
const policy = { config, calendars: buildCalendars(config) };
const T0 = Date.parse('2026-03-02T08:30:00Z');
const MIN = 60_000;
const actor = (id: string): Actor => ({ platform: 'shell', userId: id, personId: id });

const opened = (at = T0): TicketEvent => ({ type: 'opened', at, customer: 'acme', tier: 'gold', severity: 'normal', messageId: 'm0', by: actor('dana') });

type Step =
  | { type: 'customer_message' | 'staff_reply' | 'waiting_on_customer' | 'resolved' | 'reopened' | 'closed' | 'message_deleted'; gap: number; who: string }
  | { type: 'claimed'; gap: number; who: string }
  | { type: 'severity_changed'; gap: number; who: string; severity: Severity }
  | { type: 'tier_changed'; gap: number; who: string; tier: string };

function toEvents(steps: Step[]): TicketEvent[] {
  let at = T0;
  const events: TicketEvent[] = [opened()];
  steps.forEach((step, i) => {
    at += step.gap;
    const base = { at, by: actor(step.who) };
    switch (step.type) {
      case 'severity_changed':
        events.push({ ...base, type: step.type, severity: step.severity });
        break;
      case 'tier_changed':
        events.push({ ...base, type: step.type, tier: step.tier });
        break;
      case 'customer_message':
      case 'staff_reply':
        events.push({ ...base, type: step.type, messageId: `m${i + 1}` });
        break;
      case 'message_deleted':
        events.push({ at, type: step.type, messageId: 'm0' });
        break;
      default:
        events.push({ ...base, type: step.type });
    }
  });
  return events;
}

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    type: fc.constantFrom('customer_message', 'staff_reply', 'waiting_on_customer', 'resolved', 'reopened', 'closed', 'message_deleted', 'claimed' as const),
    gap: fc.integer({ min: 0, max: 600 }).map((m) => m * MIN),
    who: fc.constantFrom('alice', 'bob'),
  }),
  fc.record({ type: fc.constant('severity_changed' as const), gap: fc.integer({ min: 0, max: 600 }).map((m) => m * MIN), who: fc.constant('alice'), severity: fc.constantFrom<Severity>('urgent', 'high', 'normal', 'low') }),
  fc.record({ type: fc.constant('tier_changed' as const), gap: fc.integer({ min: 0, max: 600 }).map((m) => m * MIN), who: fc.constant('alice'), tier: fc.constantFrom('gold', 'silver') }),
);

/** What each fold says about a log, side by side. */
function folds(events: TicketEvent[], at: number) {
  const view = viewTicket({ id: 1, events });
  const timeline = replayTimeline(events, policy, at, false);
  return { view, timeline };
}

function clockFacts(timeline: Timeline) {
  return timeline.clocks.all().map((c) => ({ kind: c.kind, cycle: c.cycle, status: c.status(), dueAt: c.dueAt, breachedAt: c.breachedAt, stoppedAt: c.stoppedAt }));
}

function logText(events: TicketEvent[]): string {
  return events.map((e) => JSON.stringify(toLogLine(e))).join('\n');
}

const logContext = { tierOf: () => 'gold', hasTier: (tier: string) => tier in config.tiers };

describe('the transition table', () => {
  it('says where each event leads and refuses the rest', () => {
    expect(nextState('open', 'waiting_on_customer')).toEqual({ allowed: true, state: 'waiting_on_customer' });
    expect(nextState('waiting_on_customer', 'customer_message')).toEqual({ allowed: true, state: 'open' });
    expect(nextState('resolved', 'customer_message')).toEqual({ allowed: true, state: 'resolved' });
    expect(nextState('resolved', 'reopened')).toEqual({ allowed: true, state: 'open' });
    expect(nextState('resolved', 'closed')).toEqual({ allowed: true, state: 'closed' });
    expect(nextState('closed', 'resolved')).toEqual({ allowed: false, reason: 'the ticket is already closed' });
    expect(nextState('closed', 'reopened')).toEqual({ allowed: false, reason: 'only a resolved ticket can be reopened (this one is closed)' });
    expect(nextState('resolved', 'waiting_on_customer')).toEqual({ allowed: false, reason: 'a resolved ticket cannot wait on the customer' });
    expect(nextState('closed', 'staff_reply')).toEqual({ allowed: false, reason: 'the ticket is closed' });
    expect(nextState('closed', 'message_edited')).toEqual({ allowed: true, state: 'closed' });
    expect(nextState('open', 'opened').allowed).toBe(false);
  });
});

describe('the sequences on which the folds used to disagree', () => {
  const cases: { name: string; types: TicketEvent['type'][]; state: TicketState; badLine: number }[] = [
    { name: 'closed → resolved', types: ['resolved', 'closed', 'resolved'], state: 'closed', badLine: 4 },
    { name: 'closed → reopened', types: ['closed', 'reopened'], state: 'closed', badLine: 3 },
    { name: 'resolved → waiting_on_customer', types: ['resolved', 'waiting_on_customer'], state: 'resolved', badLine: 3 },
  ];
  for (const c of cases) {
    it(`${c.name}: the view, the clocks and the timeline agree, and replay refuses the line`, () => {
      const events = [opened(), ...c.types.map((type, i) => ({ type, at: T0 + (i + 1) * 10 * MIN }) as TicketEvent)];
      const at = T0 + 24 * 60 * MIN;
      const { view, timeline } = folds(events, at);
      expect(view.state).toBe(c.state);
      expect(timeline.clocks.state).toBe(c.state);
      expect(timeline.state).toBe(c.state);
      let refused: unknown;
      try {
        parseEventLog(logText(events), logContext);
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(EventLogError);
      expect((refused as EventLogError).line).toBe(c.badLine);
    });
  }
});

describe('every fold follows the one table (random sequences)', () => {
  it('the view and the clocks agree on the state, severity, tier and assignee after every event', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        const events = toEvents(steps);
        for (let n = 1; n <= events.length; n++) {
          const prefix = events.slice(0, n);
          const at = (prefix.at(-1) as TicketEvent).at;
          const { view, timeline } = folds(prefix, at);
          expect(timeline.clocks.state).toBe(view.state);
          expect(timeline.state).toBe(view.state);
          expect(timeline.severity).toBe(view.severity);
          expect(timeline.tier).toBe(view.tier);
          expect(timeline.assignee?.personId).toBe(view.assignee?.personId);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the desk stores exactly the events the table allows, and the stored log folds and replays like the raw one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 20 }), async (steps) => {
        const raw = toEvents(steps);
        const store = openMemoryStore();
        let now = T0;
        const ctx = createContext(config, store, () => now);
        const ticket: Ticket = { id: 1, customer: 'acme', platform: 'shell', channelId: 'acme', threadId: 'm0', events: [raw[0] as TicketEvent], notifications: {}, version: 1 };
        await store.create(ticket);
        let state: TicketState = 'open';
        for (const event of raw.slice(1)) {
          now = event.at;
          const allowed = nextState(state, event.type);
          try {
            await applyAction(ctx, 1, event);
            expect(allowed.allowed).toBe(true);
          } catch (err) {
            expect(err).toBeInstanceOf(CommandError);
            // Besides the table, the desk only refuses what would change nothing (the same severity, the same claim).
            if (allowed.allowed) expect(['severity_changed', 'claimed']).toContain(event.type);
          }
          if (allowed.allowed) state = allowed.state;
        }
        const stored = (await store.get(1)) as Ticket;
        expect(firstRefusal(stored.events)).toBeUndefined();
        const at = (raw.at(-1) as TicketEvent).at + 60 * MIN;
        const fromStore = folds(stored.events, at);
        const fromRaw = folds(raw, at);
        expect(fromStore.view.state).toBe(state);
        expect(fromStore.view.state).toBe(fromRaw.view.state);
        expect(fromStore.view.severity).toBe(fromRaw.view.severity);
        expect(fromStore.view.tier).toBe(fromRaw.view.tier);
        expect(fromStore.view.resolvedAt).toBe(fromRaw.view.resolvedAt);
        expect(fromStore.view.closedAt).toBe(fromRaw.view.closedAt);
        expect(clockFacts(fromStore.timeline)).toEqual(clockFacts(fromRaw.timeline));
        // What the store holds, exported, replays: every line is allowed.
        expect(parseEventLog(logText(stored.events), logContext)).toHaveLength(stored.events.length);
      }),
      { numRuns: 150 },
    );
  });
});
