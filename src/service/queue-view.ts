/**
 * What the queue page shows, as JSON: the open tickets in the order of
 * `queueRows` (earliest running deadline first — the order `/sla queue` and
 * the Slack App Home use), and who is on call now and next per schedule.
 */
import type { ClockKind, Config, Severity } from '../config/schema.js';
import { displayName } from '../domain/people.js';
import { viewTicket, type TicketState } from '../domain/ticket.js';
import { onCallAt } from '../oncall/schedule.js';
import { threadLink, type LinkOptions } from '../report/links.js';
import { customerName, ticketRef } from './cards.js';
import { queueRows } from './commands.js';
import type { DeskContext } from './context.js';
import { staffVoice } from './readers.js';

/** Long opening messages are cut here; the thread has the rest. */
const TITLE_MAX = 140;

export interface QueueTicket {
  id: number;
  /** `#42` */
  ref: string;
  customerId: string;
  customer: string;
  /** The opening message (as last edited), shortened. */
  title: string;
  tier: string;
  severity: Severity;
  severityGuessed: boolean;
  state: TicketState;
  /** Display name, or null when nobody claimed it. */
  assignee: string | null;
  openedAt: string;
  /** The earliest running deadline (ISO); null when no clock runs (waiting on the customer). */
  dueAt: string | null;
  dueClock: ClockKind | null;
  /** A clock is breached and still running (at `serverNow`). */
  breached: boolean;
  /** The thread: an https link where the platform has one, else a `shell:`/`discord:` reference. */
  link: string;
}

export interface OnCallEntry {
  schedule: string;
  name: string;
  /** Display names; empty when nobody is on call. */
  now: string[];
  /** When the current shift ends (ISO); null when it does not change within the search horizon. */
  until: string | null;
  next: string[] | null;
}

export interface QueueSnapshot {
  /** The server's clock when the snapshot was taken; the page counts down from here. */
  serverNow: string;
  tickets: QueueTicket[];
  onCall: OnCallEntry[];
}

export async function queueSnapshot(ctx: DeskContext, links: LinkOptions = {}): Promise<QueueSnapshot> {
  const now = ctx.now();
  const rows = await queueRows(ctx, now, staffVoice(ctx.config));
  const tickets = rows.map(({ ticket, dueAt, dueClock, breached, tier }): QueueTicket => {
    const view = viewTicket(ticket);
    const assignee = view.assignee ? (view.assignee.personId ? displayName(ctx.config, view.assignee.personId) : (view.assignee.name ?? view.assignee.userId)) : null;
    return {
      id: ticket.id,
      ref: ticketRef(ticket.id),
      customerId: ticket.customer,
      customer: customerName(ctx, ticket.customer),
      title: view.title.length > TITLE_MAX ? `${view.title.slice(0, TITLE_MAX - 1)}…` : view.title,
      tier,
      severity: view.severity,
      severityGuessed: view.severityGuessed,
      state: view.state,
      assignee,
      openedAt: new Date(view.openedAt).toISOString(),
      dueAt: Number.isFinite(dueAt) ? new Date(dueAt).toISOString() : null,
      dueClock,
      breached,
      link: threadLink(ticket, links),
    };
  });
  return { serverNow: new Date(now).toISOString(), tickets, onCall: onCallNowAndNext(ctx.config, now) };
}

/** The same answer as `/sla oncall` (describeOnCall), as data. */
export function onCallNowAndNext(config: Config, now: number): OnCallEntry[] {
  const names = (users: string[]) => users.map((u) => displayName(config, u));
  return Object.entries(config.schedules).map(([id, schedule]) => {
    const current = onCallAt(schedule, now);
    const next = current.until === null ? null : names(onCallAt(schedule, current.until).onCall);
    return {
      schedule: id,
      name: schedule.name ?? id,
      now: names(current.onCall),
      until: current.until === null ? null : new Date(current.until).toISOString(),
      next,
    };
  });
}
