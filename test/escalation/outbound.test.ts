/**
 * What pagers and webhooks a ladder reached are owed as a ticket moves on
 * (src/escalation/outbound.ts), from the ticket's clocks and its delivery
 * records alone.
 */
import { describe, expect, it } from 'vitest';
import { policyContext } from '../../src/cli/replay.js';
import { parseConfig } from '../../src/config/load.js';
import type { TicketEvent } from '../../src/domain/ticket.js';
import { alertKey, lifecycleDue } from '../../src/escalation/outbound.js';
import { replayTimeline } from '../../src/escalation/timeline.js';

const CTX = policyContext(
  parseConfig(`
customers: [{ id: acme, name: Acme, tier: t }]
tiers: { t: { targets: { default: { firstResponse: 1h, nextResponse: 1h, resolution: 1d } } } }
`),
);
const T = Date.parse('2026-03-02T10:00:00Z');
const MIN = 60_000;
const by = { platform: 'shell' as const, userId: 'alice', personId: 'alice' };
const opened: TicketEvent = { type: 'opened', at: T, customer: 'acme', tier: 't', severity: 'high', text: 'down' };

const due = (events: TicketEvent[], records: Record<string, { status: string }>) => {
  const timeline = replayTimeline(events, CTX, events[events.length - 1]!.at + MIN, false);
  return lifecycleDue(records, { state: timeline.state, clocks: timeline.clocks, claimed: timeline.assignee !== undefined }).map((d) => `${d.via}:${d.target} ${d.clock}:${d.cycle} ${d.action}`);
};

describe('acknowledge and resolve for pagers and webhooks', () => {
  const triggered = { 'pagerduty:db/firstResponse:1:trigger': { status: 'sent' }, 'webhook:goalert/firstResponse:1:level1:0': { status: 'sent' } };

  it('owes nothing before a claim or an answer, nor for a trigger still on its way', () => {
    expect(due([opened], triggered)).toEqual([]);
    expect(due([opened, { type: 'claimed', at: T + 70 * MIN, by }], { 'pagerduty:db/firstResponse:1:trigger': { status: 'sending' } })).toEqual([]);
  });

  it('acknowledges on a claim, once', () => {
    const claimed: TicketEvent[] = [opened, { type: 'claimed', at: T + 70 * MIN, by }];
    expect(due(claimed, triggered)).toEqual(['pagerduty:db firstResponse:1 acknowledge', 'webhook:goalert firstResponse:1 acknowledge']);
    expect(due(claimed, { ...triggered, 'pagerduty:db/firstResponse:1:acknowledge': { status: 'sent' }, 'webhook:goalert/firstResponse:1:acknowledge': { status: 'sending' } })).toEqual([]);
  });

  it('resolves when staff answer, whether or not it was acknowledged; the other clocks stay open', () => {
    const answered: TicketEvent[] = [opened, { type: 'claimed', at: T + 70 * MIN, by }, { type: 'staff_reply', at: T + 80 * MIN, by }];
    expect(due(answered, triggered)).toEqual(['pagerduty:db firstResponse:1 resolve', 'webhook:goalert firstResponse:1 resolve']);
    const resolution = { 'pagerduty:db/resolution:1:trigger': { status: 'sent' } };
    expect(due(answered, resolution)).toEqual(['pagerduty:db resolution:1 acknowledge']);
    expect(due([...answered, { type: 'resolved', at: T + 90 * MIN, by }], resolution)).toEqual(['pagerduty:db resolution:1 resolve']);
  });

  it('one alert per ticket and clock', () => {
    expect(alertKey(42, 'nextResponse', 3)).toBe('slawatch-42-nextResponse-3');
  });
});
