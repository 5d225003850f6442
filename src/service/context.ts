/**
 * What every use case needs: the validated config, its calendars, the store,
 * and the time. Built once at start-up.
 */
import type { Config, Customer } from '../config/schema.js';
import { PLATFORMS, type Platform, type Ticket } from '../domain/ticket.js';
import type { PolicyContext } from '../escalation/timeline.js';
import { buildCalendars } from '../sla/calendar.js';
import type { IncidentRecord } from '../store/incident-store.js';
import type { TicketStore } from '../store/ports.js';

export interface DeskContext extends PolicyContext {
  store: TicketStore;
  /** The current time (epoch ms). Tests pass a controllable one. */
  now: () => number;
  /** Called after a ticket changed, so the scheduler can re-derive its deadlines. */
  onTicketChanged?: (ticket: Ticket) => void;
  /** Called after the incident log changed, so the notices it calls for go out. */
  onIncidentChanged?: (record: IncidentRecord) => void;
  /** The ids of the incidents open now that affect a customer (a ticket opened or added to now is tagged with them). */
  openIncidentsFor?: (customer: Customer) => string[];
}

export function createContext(config: Config, store: TicketStore, now: () => number = Date.now): DeskContext {
  return { config, store, now, calendars: buildCalendars(config) };
}

/** The customer a channel is bound to. */
export function customerForChannel(config: Config, platform: Platform, channelId: string): Customer | undefined {
  return config.customers.find((c) => c.channels[platform].includes(channelId));
}

/** The staff channel where pings go for tickets of `platform` (another platform's as a fallback). */
export function staffChannelFor(config: Config, platform: Platform): { platform: Platform; channelId: string } | undefined {
  const channels = config.staff.channels;
  const own = channels[platform];
  if (own) return { platform, channelId: own };
  for (const other of PLATFORMS) {
    const id = channels[other];
    if (id) return { platform: other, channelId: id };
  }
  return undefined;
}
