/**
 * The ticket commands every platform offers (`/sla …` in Slack and Discord,
 * plain words in the shell). Parsing and authorisation live here so the
 * adapters stay thin.
 */
import { SEVERITIES, type ClockKind, type Severity } from '../domain/vocabulary.js';
import { isStaff, type Author } from '../domain/people.js';
import { viewTicket, type Platform, type Ticket, type TicketEvent } from '../domain/ticket.js';
import { onCallAt } from '../oncall/schedule.js';
import { replayTimeline } from '../escalation/timeline.js';
import type { Clock } from '../sla/clocks.js';
import { LOCALES, voiceIn, type Voice } from '../i18n/index.js';
import { assigneeName, customerName, peopleNames, severityName, stateName, statusCard, ticketRef, ticketStateCard, tierName, withRatingPrompt } from './cards.js';
import { customerForChannel, type DeskContext } from './context.js';
import { actorOf, applyAction, CommandError, openTicket, type IncomingMessage, type Refusal } from './tickets.js';
import type { Card, Outbound, Reply } from './messages.js';
import { incidentHelp, runIncidentCommand } from './incident-commands.js';
import { askerVoice, customerVoice } from './readers.js';
import { rateTicket, ratingFromText } from './ratings.js';

export const COMMAND_NAMES = ['status', 'queue', 'claim', 'severity', 'wait', 'resolve', 'reopen', 'close', 'rate', 'oncall', 'help', 'incident', 'maintenance'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
const CHANGES_TICKET: ReadonlySet<CommandName> = new Set(['claim', 'severity', 'wait', 'resolve', 'reopen', 'close']);

export interface ParsedCommand {
  name: CommandName;
  ticketId?: number;
  severity?: Severity;
  schedule?: string;
  /** `incident` and `maintenance`: the rest of the text, parsed by incident-commands.ts. */
  args?: string;
  /** `rate`: the rating (1–5) and the comment after it. */
  rating?: number;
  comment?: string;
}

/** Why a command's words were not understood (said to the asker in their language). */
export type ParseError = { kind: 'unknown'; word: string } | { kind: 'notUnderstood'; word: string } | { kind: 'whichSeverity' } | { kind: 'whichRating' };

/** A word of some catalogue → what it stands for: `claim`, `认领` → `claim`. Words compare in lower case. */
function wordsOf<T extends string>(names: readonly T[], wordIn: (voice: Voice, name: T) => string): ReadonlyMap<string, T> {
  const map = new Map<string, T>();
  for (const locale of LOCALES) for (const name of names) map.set(wordIn(voiceIn(locale), name).toLowerCase(), name);
  return map;
}

/** The command word in the reader's language: `claim`, `认领`. */
export function commandWord(voice: Voice, name: CommandName): string {
  return voice.t('command.word', { command: name });
}

const COMMAND_WORDS = wordsOf(COMMAND_NAMES, commandWord);
const SEVERITY_WORDS = wordsOf(SEVERITIES, severityName);

/** The command a word names, in any language slawatch speaks (`claim`, `认领`). */
export function commandNamed(word: string): CommandName | undefined {
  return COMMAND_WORDS.get(word.toLowerCase());
}

/** The severity a word names, in any language (`urgent`, `紧急`). */
export function severityNamed(word: string): Severity | undefined {
  return SEVERITY_WORDS.get(word.toLowerCase());
}

/** The commands, as `voice` reads them: its own words. */
export function helpText(voice: Voice): string {
  const word = (name: CommandName) => commandWord(voice, name);
  return [
    voice.t('help.status', { word: word('status') }),
    voice.t('help.queue', { word: word('queue') }),
    voice.t('help.claim', { word: word('claim') }),
    voice.t('help.severity', { word: word('severity') }),
    voice.t('help.wait', { word: word('wait') }),
    voice.t('help.resolve', { word: word('resolve') }),
    voice.t('help.reopen', { word: word('reopen') }),
    voice.t('help.close', { word: word('close') }),
    voice.t('help.rate', { word: word('rate') }),
    voice.t('help.oncall', { word: word('oncall') }),
    incidentHelp(voice),
    voice.t('help.help', { word: word('help') }),
    voice.t('help.implied'),
  ].join('\n');
}

/** `severity urgent #42` (or `级别 紧急 #42`) → { name: 'severity', severity: 'urgent', ticketId: 42 }. */
export function parseCommand(text: string): ParsedCommand | { error: ParseError } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  const name = first === undefined ? 'help' : commandNamed(first);
  if (!name) return { error: { kind: 'unknown', word: first as string } };
  if (name === 'incident' || name === 'maintenance') return { name, args: text.trim().slice((first as string).length).trim() };
  if (name === 'rate') return parseRate(text.trim().slice((first as string).length));
  const parsed: ParsedCommand = { name };
  for (const word of rest) {
    const id = /^#?(\d+)$/.exec(word);
    const severity = parsed.name === 'severity' ? severityNamed(word) : undefined;
    if (id && parsed.name !== 'oncall') {
      parsed.ticketId = Number(id[1]);
    } else if (severity) {
      parsed.severity = severity;
    } else if (parsed.name === 'oncall' && !parsed.schedule) {
      parsed.schedule = word;
    } else {
      return { error: { kind: 'notUnderstood', word } };
    }
  }
  if (parsed.name === 'severity' && !parsed.severity) return { error: { kind: 'whichSeverity' } };
  return parsed;
}

/** `rate [#ticket] <1–5> [comment]`: the ticket is written with `#` (in its thread it may be left out). */
function parseRate(rest: string): ParsedCommand | { error: ParseError } {
  const id = /^\s*#(\d+)/.exec(rest);
  const rating = ratingFromText(id ? rest.slice(id[0].length) : rest);
  if (!rating) return { error: { kind: 'whichRating' } };
  return { name: 'rate', ...(id ? { ticketId: Number(id[1]) } : {}), rating: rating.rating, ...(rating.comment ? { comment: rating.comment } : {}) };
}

/** What a parse error says to the asker. */
function parseErrorText(voice: Voice, error: ParseError): string {
  const help = commandWord(voice, 'help');
  switch (error.kind) {
    case 'unknown':
      return voice.t('command.unknown', { word: error.word, help });
    case 'notUnderstood':
      return voice.t('command.notUnderstood', { word: error.word, help });
    case 'whichSeverity':
      return voice.t('command.whichSeverity', { severities: voice.list(SEVERITIES.map((s) => severityName(voice, s))) });
    case 'whichRating':
      return voice.t('rating.outOfRange');
  }
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
export type ChosenAction =
  | { action: 'claim' | 'wait' | 'resolve'; ticket: number }
  | { action: 'severity'; ticket: number; severity: Severity }
  /** The customer's rating of a resolved ticket (the 1–5 buttons of the rating prompt). */
  | { action: 'rate'; ticket: number; rating: number };

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

const refuse = (voice: Voice, text: string): CommandResult => ({ reply: { ephemeral: true, locale: voice.locale, text }, outbound: [] });

/** Runs one command for one person. Never throws for bad input: the reply says what went wrong. */
export async function runCommand(ctx: DeskContext, request: CommandRequest): Promise<CommandResult> {
  const parsed = parseCommand(request.text);
  if ('error' in parsed) {
    const voice = askerVoice(ctx.config, request.platform, request.author, request.channelId);
    return refuse(voice, parseErrorText(voice, parsed.error));
  }
  return runParsed(ctx, request, parsed);
}

/** Runs a chosen action like the command it stands for (`claim 42`), with the same checks. */
export async function runAction(ctx: DeskContext, request: ActionRequest): Promise<ActionResult> {
  const { action: chosen, ...asking } = request;
  const cmd: ParsedCommand = {
    name: chosen.action,
    ticketId: chosen.ticket,
    ...(chosen.action === 'severity' ? { severity: chosen.severity } : {}),
    ...(chosen.action === 'rate' ? { rating: chosen.rating } : {}),
  };
  const result = await runParsed(ctx, asking, cmd);
  // A ticket-changing command answers with the ticket only when the change went through.
  return { ...result, applied: result.ticket !== undefined };
}

export async function runParsed(ctx: DeskContext, request: Asking, cmd: ParsedCommand): Promise<CommandResult> {
  const staff = isStaff(ctx.config, request.platform, request.author);
  const voice = askerVoice(ctx.config, request.platform, request.author, request.channelId);
  const now = ctx.now();
  const answer = (text: string): CommandResult => ({ reply: { ephemeral: true, locale: voice.locale, text }, outbound: [] });
  if (cmd.name === 'help') return answer(helpText(voice));
  if (cmd.name === 'oncall') return answer(describeOnCall(ctx, voice, now, cmd.schedule));
  if (cmd.name === 'queue') return queue(ctx, request, staff, now, voice);
  if (cmd.name === 'incident' || cmd.name === 'maintenance') {
    if (!staff) return refuse(voice, voice.t('refusal.incidentsStaffOnly'));
    return runIncidentCommand(ctx, cmd.name, cmd.args ?? '', voice);
  }
  if (CHANGES_TICKET.has(cmd.name) && !staff) return refuse(voice, voice.t('refusal.staffOnly'));

  const ticket = await findTicket(ctx, request, cmd.ticketId);
  if (!ticket) {
    return refuse(
      voice,
      cmd.ticketId !== undefined ? voice.t('refusal.noSuchTicket', { ticket: ticketRef(cmd.ticketId) }) : voice.t('refusal.nameTheTicket', { example: `${commandWord(voice, 'status')} 42` }),
    );
  }
  // A customer sees only the tickets of the channel they ask in.
  if (!staff && (ticket.platform !== request.platform || ticket.channelId !== request.channelId)) {
    return refuse(voice, voice.t('refusal.noSuchTicket', { ticket: ticketRef(ticket.id) }));
  }
  if (cmd.name === 'rate') return rateTicket(ctx, request, ticket.id, cmd.rating ?? 0, cmd.comment, voice);
  if (cmd.name === 'status') return { reply: { ephemeral: true, locale: voice.locale, text: '', cards: [statusCard(ctx, ticket, now, staff, voice)] }, outbound: [], ticket };

  const by = actorOf(ctx, request.platform, request.author);
  const byName = assigneeName(ctx, by) as string;
  const event = actionEvent(cmd, now, by);
  try {
    const { ticket: updated } = await applyAction(ctx, ticket.id, event);
    const change = STATE_CHANGE[cmd.name as keyof typeof STATE_CHANGE];
    const card = ticketStateCard(ctx, updated, change, voice, byName);
    // The customer's thread hears about changes that concern them (in their language); a claim or a severity change is internal.
    const toThread = cmd.name === 'wait' || cmd.name === 'resolve' || cmd.name === 'reopen' || cmd.name === 'close';
    const outbound: Outbound[] = toThread
      ? [
          {
            type: 'thread',
            platform: updated.platform,
            channelId: updated.channelId,
            threadId: updated.threadId,
            card: resolvedForCustomer(ctx, updated, cmd.name, ticketStateCard(ctx, updated, change, customerVoice(ctx.config, updated.customer), byName)),
            ticketId: updated.id,
          },
        ]
      : [];
    return { reply: { ephemeral: false, locale: voice.locale, text: card.title, cards: [statusCard(ctx, updated, now, true, voice)] }, outbound, ticket: updated };
  } catch (err) {
    if (err instanceof CommandError) return refuse(voice, voice.t('refusal.ticket', { ticket: ticketRef(ticket.id), reason: refusalText(voice, err.refusal) }));
    throw err;
  }
}

/** On resolve, the customer's card asks them to rate the help (where the tier asks for ratings). */
function resolvedForCustomer(ctx: DeskContext, ticket: Ticket, command: CommandName, card: Card): Card {
  return command === 'resolve' ? withRatingPrompt(ctx, ticket, card, customerVoice(ctx.config, ticket.customer)) : card;
}

/** Why the ticket cannot do that, in the asker's words. */
function refusalText(voice: Voice, refusal: Refusal): string {
  switch (refusal.kind) {
    case 'transition':
      return voice.t('refusal.transition', { event: refusal.event, state: stateName(voice, refusal.state) });
    case 'sameSeverity':
      return voice.t('refusal.sameSeverity', { severity: severityName(voice, refusal.severity) });
    case 'claimedAlready':
      return voice.t('refusal.claimedAlready');
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
  /** The row as `voice` reads it (the queue command, App Home). */
  line: string;
}

/** Open tickets ordered by their earliest deadline, each line in `voice`'s words. */
export async function queueRows(ctx: DeskContext, now: number, voice: Voice, filter?: (t: Ticket) => boolean): Promise<QueueRow[]> {
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
    const left = Number.isFinite(due)
      ? breached
        ? voice.t('queue.overdue', { duration: voice.duration(now - due) })
        : voice.t('queue.left', { duration: voice.duration(due - now) })
      : view.state === 'waiting_on_customer'
        ? voice.t('queue.waiting')
        : voice.t('queue.noDeadline');
    rows.push({
      ticket,
      dueAt: due,
      dueClock: earliest?.kind ?? null,
      breached,
      tier: timeline.tier,
      line: voice.t('queue.line', {
        ticket: ticketRef(ticket.id),
        customer: customerName(ctx, ticket.customer),
        tier: tierName(voice, timeline.tier),
        severity: severityName(voice, view.severity),
        left,
        assignee: assigneeName(ctx, view.assignee) ?? voice.t('queue.unclaimed'),
      }),
    });
  }
  return rows.sort((a, b) => a.dueAt - b.dueAt || a.ticket.id - b.ticket.id);
}

async function queue(ctx: DeskContext, request: Asking, staff: boolean, now: number, voice: Voice): Promise<CommandResult> {
  const rows = await queueRows(ctx, now, voice, staff ? undefined : (t) => t.platform === request.platform && t.channelId === request.channelId);
  const text = rows.length ? rows.map((r) => r.line).join('\n') : voice.t('queue.empty');
  return { reply: { ephemeral: true, locale: voice.locale, text: `${voice.t('queue.title', { count: rows.length })}\n${text}` }, outbound: [] };
}

/** "primary: alice until Mon 9 Mar 09:00 GMT-4, then bob", in `voice`'s words. */
export function describeOnCall(ctx: DeskContext, voice: Voice, now: number, scheduleId?: string): string {
  const ids = scheduleId ? [scheduleId] : Object.keys(ctx.config.schedules);
  if (ids.length === 0) return voice.t('oncall.none');
  return ids
    .map((id) => {
      const schedule = ctx.config.schedules[id];
      if (!schedule) return voice.t('oncall.unknownSchedule', { schedule: id });
      const current = onCallAt(schedule, now);
      const people = peopleNames(ctx, voice, current.onCall);
      if (current.until === null) return voice.t('oncall.noChange', { schedule: id, people });
      const next = onCallAt(schedule, current.until);
      return voice.t('oncall.until', { schedule: id, people, until: voice.instant(current.until, schedule.timezone), next: peopleNames(ctx, voice, next.onCall) });
    })
    .join('\n');
}

/** A staff member opens a ticket on any message of a bound channel (reaction, shortcut). */
export async function openTicketFromMessage(ctx: DeskContext, msg: IncomingMessage, opener: Author, severity?: Severity): Promise<CommandResult> {
  const voice = askerVoice(ctx.config, msg.platform, opener);
  if (!isStaff(ctx.config, msg.platform, opener)) return refuse(voice, voice.t('openFrom.staffOnly'));
  const customer = customerForChannel(ctx.config, msg.platform, msg.channelId);
  if (!customer) return refuse(voice, voice.t('openFrom.notBound'));
  for (const id of new Set([msg.messageId, msg.threadId ?? msg.messageId])) {
    const existing = await ctx.store.findByMessage(msg.platform, msg.channelId, id);
    if (existing !== undefined) return refuse(voice, voice.t('openFrom.taken', { what: id === msg.messageId ? 'message' : 'thread', ticket: ticketRef(existing) }));
  }
  const result = await ctx.store.withLock(`channel:${msg.platform}:${msg.channelId}`, () =>
    openTicket(ctx, msg, customer.id, customer.tier, actorOf(ctx, msg.platform, opener), severity),
  );
  const ticket = result.result.kind === 'opened' ? result.result.ticket : undefined;
  const text = ticket ? voice.t('openFrom.opened', { ticket: ticketRef(ticket.id), customer: customer.name }) : voice.t('openFrom.failed');
  return { reply: { ephemeral: true, locale: voice.locale, text }, outbound: result.outbound, ...(ticket ? { ticket } : {}) };
}
