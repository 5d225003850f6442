/**
 * What slawatch owes the pagers and webhooks a ticket's ladder reached, as
 * the ticket moves on. Pure: it reads the ticket's clocks and the record of
 * deliveries already made (by their record keys, service/notification-key.ts).
 *
 * - A `pagerduty:` service is triggered once per ticket and clock (clock and
 *   cycle): by the first step of that clock that names it. Its dedup key
 *   names the ticket and the clock, so later steps and resends join the same
 *   alert.
 * - Once a trigger (or, for a webhook, any step of a clock) was delivered:
 *   `resolve` when that clock stopped (staff answered, the clock was met) or
 *   the ticket is resolved or closed; else `acknowledge` when the ticket is
 *   claimed. A resolve due makes an acknowledgement not yet sent pointless.
 */
import { CLOCK_KINDS, type ClockKind, type OutboundKind } from '../domain/vocabulary.js';
import type { TicketState } from '../domain/ticket.js';
import type { Clock, TicketClocks } from '../sla/clocks.js';

export type PagerAction = 'trigger' | 'acknowledge' | 'resolve';

/** The targets that hear how an alert ends (e-mail is told of steps only). */
export type AlertingKind = Extract<OutboundKind, 'pagerduty' | 'webhook'>;

export interface LifecycleDelivery {
  via: AlertingKind;
  target: string;
  clock: ClockKind;
  cycle: number;
  action: Exclude<PagerAction, 'trigger'>;
}

/** The record key of a delivery outside chat (service/notification-key.ts: `<via>:<target>/<what>`). */
export function deliveryRecordKey(via: OutboundKind, target: string, what: string): string {
  return `${via}:${target}/${what}`;
}

/** `<clock>:<cycle>:<action>`: what a pager's trigger, acknowledge or resolve is recorded as. */
export function lifecycleWhat(clock: ClockKind, cycle: number, action: PagerAction): string {
  return `${clock}:${cycle}:${action}`;
}

/** One alert per ticket and clock: PagerDuty's dedup key, and the webhook bodies' `alertKey`. */
export function alertKey(ticketId: number, clock: ClockKind, cycle: number): string {
  return `slawatch-${ticketId}-${clock}-${cycle}`;
}

const RECORD = new RegExp(`^(pagerduty|webhook):([^/]+)/(${CLOCK_KINDS.join('|')}):(\\d+):(.+)$`);

interface RecordLike {
  status: string;
}

/**
 * The acknowledgements and resolves due now, given the ticket's clocks and
 * state, its assignee, and its delivery records.
 */
export function lifecycleDue(
  records: Readonly<Record<string, RecordLike>>,
  ticket: { state: TicketState; clocks: TicketClocks; claimed: boolean },
): LifecycleDelivery[] {
  const opened = new Map<string, { via: AlertingKind; target: string; clock: ClockKind; cycle: number }>();
  for (const [key, record] of Object.entries(records)) {
    const match = RECORD.exec(key);
    if (!match) continue;
    const [, via, target, clock, cycle, what] = match as unknown as [string, AlertingKind, string, ClockKind, string, string];
    const isLifecycle = what === 'acknowledge' || what === 'resolve';
    // A pager's alert is open once its trigger got through (so a resolve never overtakes it); a webhook's once a step did.
    const opens = via === 'pagerduty' ? what === 'trigger' : !isLifecycle;
    if (!opens || record.status !== 'sent') continue;
    opened.set(`${via}:${target}/${clock}:${cycle}`, { via, target, clock, cycle: Number(cycle) });
  }
  const out: LifecycleDelivery[] = [];
  const ended = ticket.state === 'resolved' || ticket.state === 'closed';
  for (const alert of opened.values()) {
    const has = (action: PagerAction) => records[deliveryRecordKey(alert.via, alert.target, lifecycleWhat(alert.clock, alert.cycle, action))] !== undefined;
    const clock = clockOf(ticket.clocks, alert.clock, alert.cycle);
    const over = ended || !clock || clock.stopped;
    if (over) {
      if (!has('resolve')) out.push({ ...alert, action: 'resolve' });
    } else if (ticket.claimed && !has('acknowledge')) {
      out.push({ ...alert, action: 'acknowledge' });
    }
  }
  return out;
}

/** A clock by kind and cycle (a next-response clock of an earlier cycle too); undefined once a retarget dropped it. */
export function clockOf(clocks: TicketClocks, kind: ClockKind, cycle: number): Clock | undefined {
  const candidates = kind === 'firstResponse' ? [clocks.firstResponse] : kind === 'resolution' ? [clocks.resolution] : clocks.nextResponses;
  return candidates.find((c): c is Clock => c !== null && c.cycle === cycle);
}
