/** Tickets for the store tests: the smallest valid ticket, and events to append. */
import type { Ticket, TicketEvent } from '../../src/domain/ticket.js';

export const T0 = Date.UTC(2026, 2, 10, 9, 0);

export function makeTicket(id: number, overrides: Partial<Ticket> = {}): Ticket {
  return {
    id,
    customer: 'acme',
    platform: 'shell',
    channelId: 'acme-support',
    threadId: `m${id}`,
    events: [{ type: 'opened', at: T0 + id, customer: 'acme', tier: 'enterprise', severity: 'normal' }],
    notifications: {},
    version: 1,
    ...overrides,
  };
}

/** A change for `store.update` that appends one event. */
export function append(event: TicketEvent): (ticket: Ticket) => Ticket {
  return (ticket) => ({ ...ticket, events: [...ticket.events, event] });
}

export const closed = (at = T0 + 60_000): TicketEvent => ({ type: 'closed', at });

/** Collects an async iterable (the store's listings) into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
