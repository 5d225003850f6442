/**
 * A ticket is an append-only log of events; everything else (state, severity,
 * assignee, clocks) is derived from it. Times are epoch milliseconds: the
 * platform's own timestamp of the message, never the time we processed it.
 */
import type { Severity } from './vocabulary.js';

export type Platform = 'slack' | 'discord' | 'lark' | 'shell';
export const PLATFORMS: readonly Platform[] = ['slack', 'discord', 'lark', 'shell'];

export type TicketState = 'open' | 'waiting_on_customer' | 'resolved' | 'closed';

/** Who did something: a person id from config for staff, else the platform user id. */
export interface Actor {
  platform: Platform;
  userId: string;
  personId?: string;
  name?: string;
}

interface EventBase {
  /** Epoch ms of the change (the platform's message timestamp where there is one). */
  at: number;
  by?: Actor;
  /** The platform's message id (Slack ts, Discord snowflake) where the event came from a message. */
  messageId?: string;
}

export type TicketEvent =
  | (EventBase & {
      type: 'opened';
      customer: string;
      tier: string;
      severity: Severity;
      /** True when the severity was guessed from the text rather than given. */
      severityGuessed?: boolean;
      text?: string;
      /** The closed ticket this one follows: the customer wrote again in its thread after it closed. */
      follows?: number;
    })
  | (EventBase & { type: 'customer_message'; text?: string })
  | (EventBase & { type: 'staff_reply' })
  | (EventBase & { type: 'claimed' })
  | (EventBase & { type: 'severity_changed'; severity: Severity })
  | (EventBase & { type: 'tier_changed'; tier: string })
  | (EventBase & { type: 'waiting_on_customer' })
  /** `auto`: slawatch did it on its own — the follow-up's key (escalation/follow-ups.ts), e.g. `waiting:1:auto_resolve`. */
  | (EventBase & { type: 'resolved'; auto?: string })
  | (EventBase & { type: 'reopened' })
  | (EventBase & { type: 'closed'; auto?: string })
  | (EventBase & { type: 'message_edited'; text?: string })
  | (EventBase & { type: 'message_deleted' })
  /** The customer's satisfaction, 1–5, with an optional comment; a later one (within a day of the first) replaces it. Changes no state. */
  | (EventBase & { type: 'rated'; rating: number; comment?: string });

export type TicketEventType = TicketEvent['type'];

/** A record of one notification key: written before the send, marked sent after. */
export interface NotificationRecord {
  /**
   * `due`: owed since the ticket's creation, not yet claimed (the account engineer's message at open);
   * `failed`: the platform refused it; tried again at `retryAt`.
   */
  status: 'due' | 'sending' | 'sent' | 'skipped' | 'failed';
  /** When the step was due (epoch ms). */
  dueAt: number;
  /** When it was handed to the chat platform. */
  sentAt?: number;
  late?: boolean;
  /** Platform reference of the message that carried it (for updates and dedup). */
  ref?: string;
  /** The process that is sending it (a restart takes over sends a dead process left as `sending`). */
  owner?: string;
  claimedAt?: number;
  attempts?: number;
  retryAt?: number;
  /**
   * While `sending`: the rendered messages, so a process that takes over
   * resends exactly what was meant (opaque to the domain; see service/notify.ts).
   */
  outbox?: unknown[];
}

export interface Ticket {
  /** Short number people type: `/sla status 42`. Unique per store. */
  id: number;
  customer: string;
  platform: Platform;
  channelId: string;
  /** Platform id of the message whose thread holds the ticket. */
  threadId: string;
  events: TicketEvent[];
  /** Notifications handled, by ladder step key (stepKey in escalation/ladder.ts). */
  notifications: Record<string, NotificationRecord>;
  /**
   * The acknowledgement in the ticket's thread: `pending` from the ticket's
   * creation until the platform took it, then `posted`. A redelivery of the
   * opening message posts a pending one. (Tickets from before this record
   * existed have none, and are never acknowledged again.)
   */
  ack?: { status: 'pending' | 'posted'; at?: number; ref?: string };
  /** Incidents that were open, and affected the customer, when a customer message of this ticket arrived (their ids). */
  incidents?: string[];
  /** Bumped on every save; lets stores detect concurrent writers. */
  version: number;
}

export interface TicketView {
  id: number;
  customer: string;
  tier: string;
  severity: Severity;
  severityGuessed: boolean;
  state: TicketState;
  assignee?: Actor;
  openedAt: number;
  openedBy?: Actor;
  /** The text of the opening message (as last edited), for summaries. */
  title: string;
  resolvedAt?: number;
  closedAt?: number;
  lastCustomerMessageAt: number;
  lastStaffReplyAt?: number;
  staffReplied: boolean;
  deletedMessages: number;
  /** The customer's rating (the latest), when the ticket was rated; `firstAt`: when it was first rated. */
  rating?: { value: number; comment?: string; at: number; firstAt: number; by?: Actor };
}

export class TicketRuleError extends Error {
  override name = 'TicketRuleError';
}

/** Folds the event log into the ticket's current state. */
export function viewTicket(ticket: Pick<Ticket, 'id' | 'events'>): TicketView {
  const first = ticket.events[0];
  if (!first || first.type !== 'opened') throw new TicketRuleError(`ticket ${ticket.id} has no opening event`);
  const view: TicketView = {
    id: ticket.id,
    customer: first.customer,
    tier: first.tier,
    severity: first.severity,
    severityGuessed: Boolean(first.severityGuessed),
    state: 'open',
    openedAt: first.at,
    openedBy: first.by,
    title: first.text ?? '',
    lastCustomerMessageAt: first.at,
    staffReplied: false,
    deletedMessages: 0,
  };
  for (const event of ticket.events.slice(1)) applyToView(view, event, first.messageId);
  return view;
}

/** One event into the view. An event the state machine refuses in the current state changes nothing (a stored log is never rejected). */
function applyToView(view: TicketView, event: TicketEvent, openingMessageId: string | undefined): void {
  const transition = nextState(view.state, event.type);
  if (!transition.allowed) return;
  view.state = transition.state;
  switch (event.type) {
    case 'opened':
      break;
    case 'customer_message':
      view.lastCustomerMessageAt = event.at;
      break;
    case 'staff_reply':
      view.staffReplied = true;
      view.lastStaffReplyAt = event.at;
      break;
    case 'claimed':
      view.assignee = event.by;
      break;
    case 'severity_changed':
      view.severity = event.severity;
      view.severityGuessed = false;
      break;
    case 'tier_changed':
      view.tier = event.tier;
      break;
    case 'waiting_on_customer':
      break;
    case 'resolved':
      view.resolvedAt = event.at;
      break;
    case 'reopened':
      view.resolvedAt = undefined;
      break;
    case 'closed':
      view.closedAt = event.at;
      break;
    case 'message_edited':
      if (event.messageId && event.messageId === openingMessageId && event.text !== undefined) view.title = event.text;
      break;
    case 'message_deleted':
      view.deletedMessages += 1;
      break;
    case 'rated':
      view.rating = {
        value: event.rating,
        ...(event.comment !== undefined ? { comment: event.comment } : {}),
        at: event.at,
        firstAt: view.rating?.firstAt ?? event.at,
        ...(event.by ? { by: event.by } : {}),
      };
      break;
  }
}

/**
 * The ticket's state machine, in one table: for each event, the state it
 * leads to from each state it is allowed in. An event absent for a state is
 * refused there. Every fold of a ticket's log (its view, its clocks) and every
 * check before appending goes through `nextState`, so they cannot disagree.
 *
 *   event                 open        waiting     resolved    closed
 *   opened                (only as the first event: → open)
 *   customer_message      open        open        resolved    closed
 *   staff_reply           open        waiting     resolved    —
 *   claimed, severity_changed, tier_changed
 *                         open        waiting     resolved    —
 *   waiting_on_customer   waiting     —           —           —
 *   resolved              resolved    resolved    —           —
 *   reopened              —           —           open        —
 *   closed                closed      closed      closed      —
 *   message_edited, message_deleted
 *                         (any state, unchanged)
 *   rated                 —           —           resolved    closed
 *
 * A customer message on a resolved ticket does not reopen it by itself: the
 * desk appends `reopened` first when it falls within the reopen window.
 */
const SAME = 'same';
type Row = Partial<Record<TicketState, TicketState | typeof SAME>>;
const ANY: Row = { open: SAME, waiting_on_customer: SAME, resolved: SAME, closed: SAME };
const NOT_CLOSED: Row = { open: SAME, waiting_on_customer: SAME, resolved: SAME };
const TRANSITIONS: Record<Exclude<TicketEventType, 'opened'>, Row> = {
  customer_message: { open: 'open', waiting_on_customer: 'open', resolved: SAME, closed: SAME },
  staff_reply: NOT_CLOSED,
  claimed: NOT_CLOSED,
  severity_changed: NOT_CLOSED,
  tier_changed: NOT_CLOSED,
  waiting_on_customer: { open: 'waiting_on_customer' },
  resolved: { open: 'resolved', waiting_on_customer: 'resolved' },
  reopened: { resolved: 'open' },
  closed: { open: 'closed', waiting_on_customer: 'closed', resolved: 'closed' },
  message_edited: ANY,
  message_deleted: ANY,
  rated: { resolved: SAME, closed: SAME },
};

export type Transition = { allowed: true; state: TicketState } | { allowed: false; reason: string };

/** The state after `event` in `state`, or why the event is not allowed there. */
export function nextState(state: TicketState, event: TicketEventType): Transition {
  if (event === 'opened') return { allowed: false, reason: 'a ticket is opened only once' };
  const next = TRANSITIONS[event][state];
  if (next === undefined) return { allowed: false, reason: refusal(state, event) };
  return { allowed: true, state: next === SAME ? state : next };
}

function refusal(state: TicketState, event: Exclude<TicketEventType, 'opened'>): string {
  switch (event) {
    case 'waiting_on_customer':
      return `a ${describeState(state)} ticket cannot wait on the customer`;
    case 'resolved':
      return `the ticket is already ${describeState(state)}`;
    case 'reopened':
      return `only a resolved ticket can be reopened (this one is ${describeState(state)})`;
    case 'closed':
      return 'the ticket is already closed';
    case 'rated':
      return `only a resolved or closed ticket can be rated (this one is ${describeState(state)})`;
    default:
      return 'the ticket is closed';
  }
}

/**
 * Where the log breaks the table: the index and reason of the first event the
 * state machine refuses (and the state it was refused in), or undefined for a
 * log every event of which is allowed.
 */
export function firstRefusal(events: readonly TicketEvent[]): { index: number; reason: string; state: TicketState } | undefined {
  let state: TicketState = 'open';
  for (let index = 1; index < events.length; index++) {
    const transition = nextState(state, (events[index] as TicketEvent).type);
    if (!transition.allowed) return { index, reason: transition.reason, state };
    state = transition.state;
  }
  return undefined;
}

/**
 * The ticket with `event` inserted in time order (a late-delivered message
 * lands where it belongs), or the reason the table refuses the log that would
 * make (with the event refused and the state it met). Stored logs are kept
 * legal this way, so every fold and `replay` of an export read them the same.
 */
export function insertEvent(ticket: Ticket, event: TicketEvent): { ticket: Ticket } | { refused: string; event: TicketEventType; state: TicketState } {
  const events = [...ticket.events];
  let i = events.length;
  while (i > 1 && (events[i - 1] as TicketEvent).at > event.at) i--;
  events.splice(i, 0, event);
  const refusal = firstRefusal(events);
  return refusal ? { refused: refusal.reason, event: (events[refusal.index] as TicketEvent).type, state: refusal.state } : { ticket: { ...ticket, events } };
}

/** Whether `event` may be appended to a ticket in `state`; returns the reason if not. */
export function checkTransition(state: TicketState, type: TicketEventType): string | undefined {
  const transition = nextState(state, type);
  return transition.allowed ? undefined : transition.reason;
}

export function describeState(state: TicketState): string {
  return state === 'waiting_on_customer' ? 'waiting on the customer' : state;
}

export function isOpenState(state: TicketState): boolean {
  return state === 'open' || state === 'waiting_on_customer';
}
