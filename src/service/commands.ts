/**
 * The ticket commands every platform offers (`/sla …` in Slack and Discord,
 * plain words in the shell). Parsing and authorisation live here so the
 * adapters stay thin.
 */
import { isSeverity, SEVERITIES, type ClockKind, type Severity } from '../domain/vocabulary.js';
import { displayName, isStaff, type Author } from '../domain/people.js';
import { viewTicket, type Platform, type Ticket, type TicketEvent } from '../domain/ticket.js';
import { onCallAt } from '../oncall/schedule.js';
import { replayTimeline } from '../escalation/timeline.js';
import type { Clock } from '../sla/clocks.js';
import { customerName, formatInstant, statusCard, ticketRef, ticketStateCard } from './cards.js';
import { customerForChannel, type DeskContext } from './context.js';
import { actorOf, applyAction, CommandError, openTicket, type IncomingMessage } from './tickets.js';
import type { Outbound, Reply } from './messages.js';
import { formatDuration } from '../config/duration.js';
import { INCIDENT_HELP, runIncidentCommand } from './incident-commands.js';

export const COMMAND_NAMES = ['status', 'queue', 'claim', 'severity', 'wait', 'resolve', 'reopen', 'close', 'oncall', 'help', 'incident', 'maintenance'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
const CHANGES_TICKET: ReadonlySet<CommandName> = new Set(['claim', 'severity', 'wait', 'resolve', 'reopen', 'close']);

export interface ParsedCommand {
  name: CommandName;
  ticketId?: number;
  severity?: Severity;
  schedule?: string;
  /** `incident` and `maintenance`: the rest of the text, parsed by incident-commands.ts. */
  args?: string;
}

export const HELP_TEXT = [
  'status [ticket]        the ticket\'s clocks, due times and assignee',
  'queue                  open tickets, most urgent first',
  'claim [ticket]         take the ticket (staff)',
  'severity <level> [ticket]  urgent, high, normal or low (staff)',
  'wait [ticket]          waiting on the customer: pauses the clocks (staff)',
  'resolve [ticket]       resolve the ticket (staff)',
  'reopen [ticket]        reopen a resolved ticket (staff)',
  'close [ticket]         close the ticket for good (staff)',
  'oncall [schedule]      who is on call now and next',
  INCIDENT_HELP,
  'help                   this list',
  'In a ticket\'s thread the ticket is implied; elsewhere name it: 42 or #42.',
].join('\n');

/** `severity urgent #42` → { name: 'severity', severity: 'urgent', ticketId: 42 }. */
export function parseCommand(text: string): ParsedCommand | { error: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  const name = (first ?? 'help').toLowerCase();
  if (!(COMMAND_NAMES as readonly string[]).includes(name)) return { error: `unknown command "${first}". Try "help".` };
  if (name === 'incident' || name === 'maintenance') return { name, args: text.trim().slice((first as string).length).trim() };
  const parsed: ParsedCommand = { name: name as CommandName };
  for (const word of rest) {
    const id = /^#?(\d+)$/.exec(word);
    if (id && parsed.name !== 'oncall') {
      parsed.ticketId = Number(id[1]);
    } else if (parsed.name === 'severity' && isSeverity(word.toLowerCase())) {
      parsed.severity = word.toLowerCase() as Severity;
    } else if (parsed.name === 'oncall' && !parsed.schedule) {
      parsed.schedule = word;
    } else {
      return { error: `I did not understand "${word}". Try "help".` };
    }
  }
  if (parsed.name === 'severity' && !parsed.severity) return { error: `say which severity: ${SEVERITIES.join(', ')}.` };
  return parsed;
}

/** Who asks, and where. */
export interface Asking {
  platform: Platform;
  channelId: string;
  /** The thread the command was run in, if any (its root message id). */
  threadId?: string;
  author: Author;
}

export interface CommandRequest extends Asking {
  text: string;
}

/** An action a person chose on a card (a button, the severity menu): the command it stands for, typed. */
export type ChosenAction = { action: 'claim' | 'wait' | 'resolve'; ticket: number } | { action: 'severity'; ticket: number; severity: Severity };

export interface ActionRequest extends Asking {
  action: ChosenAction;
}

export interface CommandResult {
  reply: Reply;
  /** Posts that follow from the command (e.g. "resolved" into the customer's thread). */
  outbound: Outbound[];
  ticket?: Ticket;
}

export interface ActionResult extends CommandResult {
  /** The action went through: the reply's card shows the ticket as it is now. Otherwise the reply says why not. */
  applied: boolean;
}

const refuse = (text: string): CommandResult => ({ reply: { ephemeral: true, text }, outbound: [] });

/** Runs one command for one person. Never throws for bad input: the reply says what went wrong. */
export async function runCommand(ctx: DeskContext, request: CommandRequest): Promise<CommandResult> {
  const parsed = parseCommand(request.text);
  if ('error' in parsed) return refuse(parsed.error);
  return runParsed(ctx, request, parsed);
}

/** Runs a chosen action like the command it stands for (`claim 42`), with the same checks. */
export async function runAction(ctx: DeskContext, request: ActionRequest): Promise<ActionResult> {
  const { action: chosen, ...asking } = request;
  const cmd: ParsedCommand = { name: chosen.action, ticketId: chosen.ticket, ...(chosen.action === 'severity' ? { severity: chosen.severity } : {}) };
  const result = await runParsed(ctx, asking, cmd);
  // A ticket-changing command answers with the ticket only when the change went through.
  return { ...result, applied: result.ticket !== undefined };
}

export async function runParsed(ctx: DeskContext, request: Asking, cmd: ParsedCommand): Promise<CommandResult> {
  const staff = isStaff(ctx.config, request.platform, request.author);
  const now = ctx.now();
  if (cmd.name === 'help') return { reply: { ephemeral: true, text: HELP_TEXT }, outbound: [] };
  if (cmd.name === 'oncall') return { reply: { ephemeral: true, text: describeOnCall(ctx, now, cmd.schedule) }, outbound: [] };
  if (cmd.name === 'queue') return queue(ctx, request, staff, now);
  if (cmd.name === 'incident' || cmd.name === 'maintenance') {
    if (!staff) return refuse('Sorry — only the support team can report incidents and maintenance. We post updates in this channel.');
    return runIncidentCommand(ctx, cmd.name, cmd.args ?? '');
  }
  if (CHANGES_TICKET.has(cmd.name) && !staff) {
    return refuse('Sorry — only the support team can change a ticket. We have your request and will get back to you here.');
  }

  const ticket = await findTicket(ctx, request, cmd.ticketId);
  if (!ticket) {
    return refuse(cmd.ticketId !== undefined ? `There is no ticket ${ticketRef(cmd.ticketId)} here.` : 'Run this in a ticket\'s thread, or name the ticket: e.g. "status 42".');
  }
  // A customer sees only the tickets of the channel they ask in.
  if (!staff && (ticket.platform !== request.platform || ticket.channelId !== request.channelId)) {
    return refuse(`There is no ticket ${ticketRef(ticket.id)} here.`);
  }
  if (cmd.name === 'status') return { reply: { ephemeral: true, text: '', cards: [statusCard(ctx, ticket, now, staff)] }, outbound: [], ticket };

  const by = actorOf(ctx, request.platform, request.author);
  const byName = by.personId ? displayName(ctx.config, by.personId) : (request.author.name ?? request.author.userId);
  const event = actionEvent(cmd, now, by);
  try {
    const { ticket: updated } = await applyAction(ctx, ticket.id, event);
    const card = ticketStateCard(ctx, updated, STATE_CHANGE[cmd.name as keyof typeof STATE_CHANGE], byName);
    // The customer's thread hears about changes that concern them; a claim or a severity change is internal.
    const toThread = cmd.name === 'wait' || cmd.name === 'resolve' || cmd.name === 'reopen' || cmd.name === 'close';
    const outbound: Outbound[] = toThread
      ? [{ type: 'thread', platform: updated.platform, channelId: updated.channelId, threadId: updated.threadId, card, ticketId: updated.id }]
      : [];
    return { reply: { ephemeral: false, text: card.title, cards: [statusCard(ctx, updated, now, true)] }, outbound, ticket: updated };
  } catch (err) {
    if (err instanceof CommandError) return refuse(`Ticket ${ticketRef(ticket.id)}: ${err.message}.`);
    throw err;
  }
}

const STATE_CHANGE = {
  claim: 'claimed',
  severity: 'severity',
  wait: 'waiting',
  resolve: 'resolved',
  reopen: 'reopened',
  close: 'closed',
} as const;

function actionEvent(cmd: ParsedCommand, at: number, by: TicketEvent['by']): TicketEvent {
  switch (cmd.name) {
    case 'claim':
      return { type: 'claimed', at, by };
    case 'severity':
      return { type: 'severity_changed', at, by, severity: cmd.severity as Severity };
    case 'wait':
      return { type: 'waiting_on_customer', at, by };
    case 'resolve':
      return { type: 'resolved', at, by };
    case 'reopen':
      return { type: 'reopened', at, by };
    case 'close':
      return { type: 'closed', at, by };
    default:
      throw new Error(`"${cmd.name}" does not change a ticket`);
  }
}

async function findTicket(ctx: DeskContext, request: Asking, ticketId: number | undefined): Promise<Ticket | undefined> {
  if (ticketId !== undefined) return ctx.store.get(ticketId);
  if (!request.threadId) return undefined;
  const id = await ctx.store.findByMessage(request.platform, request.channelId, request.threadId);
  return id === undefined ? undefined : ctx.store.get(id);
}

export interface QueueRow {
  ticket: Ticket;
  /** The earliest running deadline, or Infinity. */
  dueAt: number;
  /** The clock that deadline belongs to; null when no clock is running. */
  dueClock: ClockKind | null;
  /** Some clock is breached and still running. */
  breached: boolean;
  /** The tier now (after any change). */
  tier: string;
  line: string;
}

/** Open tickets ordered by their earliest deadline. */
export async function queueRows(ctx: DeskContext, now: number, filter?: (t: Ticket) => boolean): Promise<QueueRow[]> {
  const rows: QueueRow[] = [];
  for await (const ticket of ctx.store.listActive()) {
    if (filter && !filter(ticket)) continue;
    const view = viewTicket(ticket);
    if (view.state === 'resolved') continue;
    const timeline = replayTimeline(ticket.events, ctx, now, false);
    const running = timeline.clocks.all().filter((c) => c.status() === 'running' || c.status() === 'breached');
    let earliest: Clock | undefined;
    for (const c of running) if (!c.stopped && c.dueAt !== null && (!earliest || c.dueAt < (earliest.dueAt as number))) earliest = c;
    const due = earliest?.dueAt ?? Infinity;
    const breached = timeline.clocks.all().some((c) => c.status() === 'breached' && !c.stopped);
    const assignee = view.assignee ? (view.assignee.personId ? displayName(ctx.config, view.assignee.personId) : (view.assignee.name ?? view.assignee.userId)) : 'unclaimed';
    const left = Number.isFinite(due) ? (breached ? `overdue ${formatDuration(now - due)}` : `${formatDuration(due - now)} left`) : view.state === 'waiting_on_customer' ? 'waiting on customer' : 'no deadline';
    rows.push({
      ticket,
      dueAt: due,
      dueClock: earliest?.kind ?? null,
      breached,
      tier: timeline.tier,
      line: `${ticketRef(ticket.id)}  ${customerName(ctx, ticket.customer)} · ${timeline.tier} · ${view.severity} · ${left} · ${assignee}`,
    });
  }
  return rows.sort((a, b) => a.dueAt - b.dueAt || a.ticket.id - b.ticket.id);
}

async function queue(ctx: DeskContext, request: Asking, staff: boolean, now: number): Promise<CommandResult> {
  const rows = await queueRows(ctx, now, staff ? undefined : (t) => t.platform === request.platform && t.channelId === request.channelId);
  const text = rows.length ? rows.map((r) => r.line).join('\n') : 'No open tickets.';
  return { reply: { ephemeral: true, text: `Open tickets (${rows.length}):\n${text}` }, outbound: [] };
}

/** "alice is on call for primary until Mon 9 Mar 09:00 EDT, then bob". */
export function describeOnCall(ctx: DeskContext, now: number, scheduleId?: string): string {
  const ids = scheduleId ? [scheduleId] : Object.keys(ctx.config.schedules);
  if (ids.length === 0) return 'No on-call schedules are configured.';
  return ids
    .map((id) => {
      const schedule = ctx.config.schedules[id];
      if (!schedule) return `There is no schedule "${id}".`;
      const current = onCallAt(schedule, now);
      const names = (users: string[]) => (users.length ? users.map((u) => displayName(ctx.config, u)).join(', ') : 'nobody');
      if (current.until === null) return `${id}: ${names(current.onCall)} (no change ahead)`;
      const next = onCallAt(schedule, current.until);
      return `${id}: ${names(current.onCall)} until ${formatInstant(current.until, schedule.timezone)}, then ${names(next.onCall)}`;
    })
    .join('\n');
}

/** A staff member opens a ticket on any message of a bound channel (reaction, shortcut). */
export async function openTicketFromMessage(ctx: DeskContext, msg: IncomingMessage, opener: Author, severity?: Severity): Promise<CommandResult> {
  if (!isStaff(ctx.config, msg.platform, opener)) return refuse('Only the support team can open a ticket from a message.');
  const customer = customerForChannel(ctx.config, msg.platform, msg.channelId);
  if (!customer) return refuse('This channel is not bound to a customer.');
  for (const id of new Set([msg.messageId, msg.threadId ?? msg.messageId])) {
    const existing = await ctx.store.findByMessage(msg.platform, msg.channelId, id);
    if (existing !== undefined) return refuse(`That ${id === msg.messageId ? 'message' : 'thread'} already belongs to ticket ${ticketRef(existing)}.`);
  }
  const result = await ctx.store.withLock(`channel:${msg.platform}:${msg.channelId}`, () =>
    openTicket(ctx, msg, customer.id, customer.tier, actorOf(ctx, msg.platform, opener), severity),
  );
  const ticket = result.result.kind === 'opened' ? result.result.ticket : undefined;
  return { reply: { ephemeral: true, text: ticket ? `Opened ticket ${ticketRef(ticket.id)} for ${customer.name}.` : 'Could not open a ticket.' }, outbound: result.outbound, ...(ticket ? { ticket } : {}) };
}
