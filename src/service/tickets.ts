/**
 * The ticket use cases: what a chat message does (open a ticket, join one,
 * answer or reopen it), edits and deletions, and the staff actions. Every
 * platform reaches them through the desk (desk.ts); each loads the ticket,
 * applies the domain rules, saves, and returns what to post.
 */
import type { Severity } from '../config/schema.js';
import { isStaff, personByPlatformId, type Author } from '../domain/people.js';
import { guessSeverity } from '../domain/severity.js';
import {
  checkTransition,
  insertEvent,
  isOpenState,
  viewTicket,
  type Actor,
  type Platform,
  type Ticket,
  type TicketEvent,
  type TicketEventType,
  type TicketState,
  type TicketView,
} from '../domain/ticket.js';
import { ticketAckCard, ticketStateCard } from './cards.js';
import { lastTicketKey } from './channel-state.js';
import { customerForChannel, type DeskContext } from './context.js';
import type { Outbound } from './messages.js';
import { customerVoice } from './readers.js';
import { asksForRating, rateTicket, ratingFromText } from './ratings.js';

/** A chat message as every adapter reports it. */
export interface IncomingMessage {
  platform: Platform;
  channelId: string;
  /** The platform's id of this message (Slack ts, Discord snowflake). */
  messageId: string;
  /** The thread's root message id when the message is a thread reply. */
  threadId?: string;
  author: Author;
  text: string;
  /** The platform's timestamp of the message (epoch ms). */
  at: number;
}

export type MessageOutcome =
  | { kind: 'opened' | 'appended' | 'customer_message' | 'staff_reply' | 'reopened'; ticket: Ticket }
  /** A customer's reply that rated a resolved ticket (platforms without rating buttons: the shell). */
  | { kind: 'rated'; ticket: Ticket }
  | { kind: 'duplicate'; ticketId: number }
  | { kind: 'ignored'; reason: IgnoredReason };

/** Why a message is not part of a ticket (logged; the shell says it in the reader's words). */
export type IgnoredReason =
  | 'from_bot'
  | 'unbound_channel'
  | 'staff_top_level'
  | 'not_a_ticket_thread'
  | 'ticket_closed'
  | 'outside_reopen_window'
  | 'out_of_order'
  | 'already_recorded';

export interface DeskResult<T> {
  result: T;
  outbound: Outbound[];
}


export function actorOf(ctx: DeskContext, platform: Platform, author: Author): Actor {
  const personId = author.personId ?? personByPlatformId(ctx.config, platform, author.userId);
  return { platform, userId: author.userId, ...(personId ? { personId } : {}), ...(author.name ? { name: author.name } : {}) };
}

/** A message arrived in a channel the bot watches. */
export async function handleMessage(ctx: DeskContext, msg: IncomingMessage): Promise<DeskResult<MessageOutcome>> {
  const none = (reason: IgnoredReason): DeskResult<MessageOutcome> => ({ result: { kind: 'ignored', reason }, outbound: [] });
  if (msg.author.isBot) return none('from_bot');
  const customer = customerForChannel(ctx.config, msg.platform, msg.channelId);
  if (!customer) return none('unbound_channel');

  const known = await ctx.store.findByMessage(msg.platform, msg.channelId, msg.messageId);
  const knownTicket = known === undefined ? undefined : await ctx.store.get(known);
  if (knownTicket) return duplicate(ctx, knownTicket, msg);

  const staff = isStaff(ctx.config, msg.platform, msg.author);
  const inThread = msg.threadId !== undefined && msg.threadId !== msg.messageId;
  if (inThread) return threadReply(ctx, msg, staff);
  if (staff) return none('staff_top_level');

  // Top-level customer message: join the open, unanswered ticket of this channel
  // if it is recent enough, else open a new one. One channel at a time, so
  // three quick messages never race into three tickets.
  return ctx.store.withLock(`channel:${msg.platform}:${msg.channelId}`, async () => {
    const again = await ctx.store.findByMessage(msg.platform, msg.channelId, msg.messageId);
    if (again !== undefined) {
      const ticket = await ctx.store.get(again);
      if (ticket) return duplicate(ctx, ticket, msg);
      // An earlier delivery took ticket number `again` for this message and stopped before writing the ticket.
      return openTicket(ctx, msg, customer.id, customer.tier, actorOf(ctx, msg.platform, msg.author), undefined, again);
    }
    const lastId = await ctx.store.getMeta(lastTicketKey(msg.platform, msg.channelId));
    if (lastId) {
      const joined = await tryJoin(ctx, Number(lastId), msg);
      if (joined) return { result: { kind: 'appended', ticket: joined } as MessageOutcome, outbound: [] };
    }
    return openTicket(ctx, msg, customer.id, customer.tier, actorOf(ctx, msg.platform, msg.author));
  });
}

/**
 * A message the store already holds. Nothing happens twice — but if it opened
 * its ticket and the acknowledgement was never posted (the process died, or
 * the store failed, in between), this delivery posts it.
 */
function duplicate(ctx: DeskContext, ticket: Ticket, msg: IncomingMessage): DeskResult<MessageOutcome> {
  const opening = ticket.events[0]?.messageId === msg.messageId;
  const outbound: Outbound[] = opening && ticket.ack?.status === 'pending' ? [ackMessage(ctx, ticket, true)] : [];
  return { result: { kind: 'duplicate', ticketId: ticket.id }, outbound };
}

function ackMessage(ctx: DeskContext, ticket: Ticket, resend: boolean): Outbound {
  const card = ticketAckCard(ctx, ticket, ctx.now(), customerVoice(ctx.config, ticket.customer));
  return { type: 'thread', platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId, card, ticketId: ticket.id, ack: { resend } };
}

async function tryJoin(ctx: DeskContext, ticketId: number, msg: IncomingMessage): Promise<Ticket | undefined> {
  const window = ctx.config.tickets.groupingWindow;
  if (!(await ctx.store.get(ticketId))) return undefined;
  let joined = false;
  const ticket = await ctx.store.update(ticketId, (current) => {
    // Joined by an earlier delivery that stopped before indexing the message.
    if (current.events.some((e) => e.messageId === msg.messageId)) {
      joined = true;
      return undefined;
    }
    const view = viewTicket(current);
    if (view.state !== 'open' || view.staffReplied || msg.at - view.lastCustomerMessageAt > window || msg.at < view.openedAt) return undefined;
    joined = true;
    const next = append(current, { type: 'customer_message', at: msg.at, by: actorOf(ctx, msg.platform, msg.author), messageId: msg.messageId, text: msg.text });
    return next && tagIncidents(ctx, next);
  });
  if (!joined) return undefined;
  await ctx.store.indexMessage(msg.platform, msg.channelId, msg.messageId, ticket.id);
  ctx.onTicketChanged?.(ticket);
  return ticket;
}

/**
 * Opens a ticket on `msg` (a customer's message, or any message a staff
 * member chose). The clock starts at the message's own timestamp.
 *
 * The message is indexed to its ticket number before the ticket is written:
 * should the process die or the store fail in between, the redelivery finds
 * the number taken and opens the ticket under it (`reservedId`), instead of
 * a second ticket for the same message.
 */
export async function openTicket(
  ctx: DeskContext,
  msg: IncomingMessage,
  customerId: string,
  tier: string,
  openedBy: Actor,
  severity?: Severity,
  reservedId?: number,
  follows?: number,
): Promise<DeskResult<MessageOutcome>> {
  const guessed = severity ? undefined : guessSeverity(msg.text);
  // Opened on a reply inside a thread (staff can do that): the ticket lives in that thread.
  const threadId = msg.threadId && msg.threadId !== msg.messageId ? msg.threadId : msg.messageId;
  const id = reservedId ?? (await ctx.store.nextTicketId());
  await ctx.store.indexMessage(msg.platform, msg.channelId, msg.messageId, id);
  if (threadId !== msg.messageId) await ctx.store.indexMessage(msg.platform, msg.channelId, threadId, id);
  const ticket: Ticket = tagIncidents(ctx, {
    id,
    customer: customerId,
    platform: msg.platform,
    channelId: msg.channelId,
    threadId,
    events: [
      {
        type: 'opened',
        at: msg.at,
        by: openedBy,
        messageId: msg.messageId,
        customer: customerId,
        tier,
        severity: severity ?? guessed ?? ctx.config.tickets.defaultSeverity,
        ...(guessed ? { severityGuessed: true } : {}),
        text: msg.text,
        ...(follows !== undefined ? { follows } : {}),
      },
    ],
    // The account engineer hears of every ticket of their customer at open (notify.ts sends it, at most once).
    notifications: ctx.config.customers.find((c) => c.id === customerId)?.accountEngineer ? { engineer: { status: 'due', dueAt: msg.at } } : {},
    ack: { status: 'pending' },
    version: 1,
  });
  await ctx.store.create(ticket);
  await ctx.store.setMeta(lastTicketKey(msg.platform, msg.channelId), String(id));
  ctx.onTicketChanged?.(ticket);
  return { result: { kind: 'opened', ticket }, outbound: [ackMessage(ctx, ticket, false)] };
}

async function threadReply(ctx: DeskContext, msg: IncomingMessage, staff: boolean): Promise<DeskResult<MessageOutcome>> {
  const ticketId = await ctx.store.findByMessage(msg.platform, msg.channelId, msg.threadId as string);
  if (ticketId === undefined) return { result: { kind: 'ignored', reason: 'not_a_ticket_thread' }, outbound: [] };
  if (!staff) {
    const rated = await ratingReply(ctx, msg, ticketId);
    if (rated) return rated;
  }
  const by = actorOf(ctx, msg.platform, msg.author);
  let kind: 'customer_message' | 'staff_reply' | 'reopened' | undefined;
  let refusal: IgnoredReason | undefined;
  const ticket = await ctx.store.update(ticketId, (current) => {
    kind = undefined;
    const view = viewTicket(current);
    if (current.events.some((e) => e.messageId === msg.messageId)) return undefined;
    if (view.state === 'closed') {
      refusal = 'ticket_closed';
      return undefined;
    }
    let next: Ticket | undefined;
    if (staff) {
      next = append(current, { type: 'staff_reply', at: msg.at, by, messageId: msg.messageId });
      kind = 'staff_reply';
    } else if (view.state === 'resolved' && msg.at >= (view.resolvedAt ?? 0)) {
      if (msg.at - (view.resolvedAt ?? 0) > ctx.config.tickets.reopenWindow) {
        refusal = 'outside_reopen_window';
        return undefined;
      }
      next = append(append(current, { type: 'reopened', at: msg.at, by }), { type: 'customer_message', at: msg.at, by, messageId: msg.messageId, text: msg.text });
      kind = 'reopened';
    } else {
      // (A message written before the ticket was resolved and delivered late belongs before the resolve; it reopens nothing.)
      next = append(current, { type: 'customer_message', at: msg.at, by, messageId: msg.messageId, text: msg.text });
      kind = 'customer_message';
    }
    if (!next) {
      kind = undefined;
      refusal = 'out_of_order';
      return undefined;
    }
    return staff ? next : tagIncidents(ctx, next);
  });
  if (refusal === 'ticket_closed' && !staff) return followUpTicket(ctx, msg, ticket);
  await ctx.store.indexMessage(msg.platform, msg.channelId, msg.messageId, ticketId);
  if (!kind) return { result: { kind: 'ignored', reason: refusal ?? 'already_recorded' }, outbound: [] };
  ctx.onTicketChanged?.(ticket);
  const outbound: Outbound[] = [];
  if (kind === 'reopened') {
    outbound.push({ type: 'thread', platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId, card: ticketStateCard(ctx, ticket, 'reopened', customerVoice(ctx.config, ticket.customer)), ticketId });
  }
  return { result: { kind, ticket }, outbound };
}

/**
 * A customer wrote in the thread of a closed ticket: a new ticket opens on
 * that message, in the same thread, and names the closed one it follows
 * (the thread now leads to the new ticket).
 */
async function followUpTicket(ctx: DeskContext, msg: IncomingMessage, closed: Ticket): Promise<DeskResult<MessageOutcome>> {
  const customer = customerForChannel(ctx.config, msg.platform, msg.channelId);
  if (!customer || customer.id !== closed.customer) return { result: { kind: 'ignored', reason: 'ticket_closed' }, outbound: [] };
  return ctx.store.withLock(`channel:${msg.platform}:${msg.channelId}`, async () => {
    const again = await ctx.store.findByMessage(msg.platform, msg.channelId, msg.messageId);
    const existing = again === undefined ? undefined : await ctx.store.get(again);
    if (existing) return duplicate(ctx, existing, msg);
    return openTicket(ctx, msg, customer.id, customer.tier, actorOf(ctx, msg.platform, msg.author), undefined, again, closed.id);
  });
}

/** Platforms whose rating prompt has no buttons: there a reply that is a number from 1 to 5 (and a comment) rates the ticket. */
const RATING_BY_REPLY: ReadonlySet<Platform> = new Set(['shell']);

/** A customer's reply that rates a resolved (or closed) ticket, where ratings are replies; undefined when it is not one. */
async function ratingReply(ctx: DeskContext, msg: IncomingMessage, ticketId: number): Promise<DeskResult<MessageOutcome> | undefined> {
  if (!RATING_BY_REPLY.has(msg.platform)) return undefined;
  const words = ratingFromText(msg.text);
  const current = words && (await ctx.store.get(ticketId));
  if (!words || !current) return undefined;
  const state = viewTicket(current).state;
  if ((state !== 'resolved' && state !== 'closed') || !asksForRating(ctx, current)) return undefined;
  const voice = customerVoice(ctx.config, current.customer);
  const asking = { platform: msg.platform, channelId: msg.channelId, threadId: current.threadId, author: msg.author };
  const result = await rateTicket(ctx, asking, ticketId, words.rating, words.comment, voice);
  if (!result.ticket) return undefined;
  await ctx.store.indexMessage(msg.platform, msg.channelId, msg.messageId, ticketId);
  const thanks: Outbound = {
    type: 'thread',
    platform: current.platform,
    channelId: current.channelId,
    threadId: current.threadId,
    card: { tone: 'good', locale: voice.locale, title: result.reply.text, fields: [] },
    ticketId,
  };
  return { result: { kind: 'rated', ticket: result.ticket }, outbound: [thanks, ...result.outbound] };
}

/** A message was edited: a ticket's message keeps its newest text in the log. */
export async function editMessage(ctx: DeskContext, platform: Platform, channelId: string, messageId: string, text: string, at: number): Promise<Ticket | undefined> {
  const ticketId = await ctx.store.findByMessage(platform, channelId, messageId);
  if (ticketId === undefined) return undefined;
  // The same edit seen again (a redelivery, a reconciliation reading it once more) is already in the log.
  return ctx.store.update(ticketId, (t) =>
    t.events.some((e) => e.type === 'message_edited' && e.messageId === messageId && e.at === at && e.text === text)
      ? undefined
      : append(t, { type: 'message_edited', at, messageId, text }),
  );
}

/** A message was deleted: the ticket stays, and the log notes it. */
export async function deleteMessage(ctx: DeskContext, platform: Platform, channelId: string, messageId: string, at: number): Promise<Ticket | undefined> {
  const ticketId = await ctx.store.findByMessage(platform, channelId, messageId);
  if (ticketId === undefined) return undefined;
  return ctx.store.update(ticketId, (t) =>
    t.events.some((e) => e.type === 'message_deleted' && e.messageId === messageId) ? undefined : append(t, { type: 'message_deleted', at, messageId }),
  );
}

/** A customer wrote during incidents affecting them: the ticket names those incidents (once each). */
function tagIncidents(ctx: DeskContext, ticket: Ticket): Ticket {
  const customer = ctx.config.customers.find((c) => c.id === ticket.customer);
  const open = customer ? (ctx.openIncidentsFor?.(customer) ?? []) : [];
  const fresh = open.filter((id) => !ticket.incidents?.includes(id));
  return fresh.length ? { ...ticket, incidents: [...(ticket.incidents ?? []), ...fresh] } : ticket;
}

/**
 * Appends an event in time order; undefined (nothing to write) when the
 * resulting log would break the ticket's state machine — the checks before
 * each call make that not happen, this keeps a stored log legal regardless.
 */
export function append(ticket: Ticket | undefined, event: TicketEvent): Ticket | undefined {
  if (!ticket) return undefined;
  const inserted = insertEvent(ticket, event);
  return 'ticket' in inserted ? inserted.ticket : undefined;
}

/** Why a staff action was refused, for the asker in their language (commands.ts). */
export type Refusal =
  | { kind: 'transition'; event: TicketEventType; state: TicketState }
  | { kind: 'sameSeverity'; severity: Severity }
  | { kind: 'claimedAlready' };

export class CommandError extends Error {
  override name = 'CommandError';

  /** The message is for logs: the state machine's reason where it refused, else the refusal's kind. */
  constructor(
    readonly refusal: Refusal,
    reason: string = refusal.kind,
  ) {
    super(reason);
  }
}

/** Applies a staff action (claim, wait, resolve, reopen, close, severity) after checking the state allows it. */
export async function applyAction(ctx: DeskContext, ticketId: number, event: TicketEvent): Promise<{ ticket: Ticket; view: TicketView }> {
  let problem: { refusal: Refusal; reason?: string } | undefined;
  const ticket = await ctx.store.update(ticketId, (current) => {
    const view = viewTicket(current);
    const reason = checkTransition(view.state, event.type);
    problem = reason ? { refusal: { kind: 'transition', event: event.type, state: view.state }, reason } : undefined;
    if (problem) return undefined;
    if (event.type === 'severity_changed' && event.severity === view.severity && !view.severityGuessed) {
      problem = { refusal: { kind: 'sameSeverity', severity: event.severity } };
      return undefined;
    }
    if (event.type === 'claimed' && view.assignee?.userId === event.by?.userId && view.assignee?.platform === event.by?.platform) {
      problem = { refusal: { kind: 'claimedAlready' } };
      return undefined;
    }
    const inserted = insertEvent(current, event);
    if ('refused' in inserted) {
      problem = { refusal: { kind: 'transition', event: inserted.event, state: inserted.state }, reason: inserted.refused };
      return undefined;
    }
    return inserted.ticket;
  });
  if (problem) throw new CommandError(problem.refusal, problem.reason);
  ctx.onTicketChanged?.(ticket);
  return { ticket, view: viewTicket(ticket) };
}

export function isActive(ticket: Ticket): boolean {
  return isOpenState(viewTicket(ticket).state);
}
