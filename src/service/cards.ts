/**
 * The cards slawatch posts: ticket acknowledgements, status, notifications.
 * Platform-neutral (see messages.ts) and in the reader's language: each
 * builder takes the voice of whoever reads the card (readers.ts). A time
 * shows in the reader's zone, else in the zone of the calendar the
 * ticket's clocks count in.
 */
import type { ClockKind, Severity } from '../config/schema.js';
import { displayName } from '../domain/people.js';
import { viewTicket, type Ticket, type TicketState, type TicketView } from '../domain/ticket.js';
import type { Clock } from '../sla/clocks.js';
import { firstUnfired, replayTimeline, type Notification, type Timeline } from '../escalation/timeline.js';
import { customerLoopFor, supportHoursNoteFor, type FollowUpKind } from '../escalation/follow-ups.js';
import type { Voice } from '../i18n/index.js';
import type { DeskContext } from './context.js';
import type { Card, TicketAction } from './messages.js';
import { formatKey } from './notification-key.js';

export function ticketRef(id: number): string {
  return `#${id}`;
}

/** `first response`, `首次响应`. */
export function clockName(voice: Voice, kind: ClockKind): string {
  return voice.t('clock.name', { clock: kind });
}

/** `urgent`, `紧急`. */
export function severityName(voice: Voice, severity: Severity): string {
  return voice.t('severity.name', { severity });
}

/** `waiting on the customer`, `等待客户回复`. */
export function stateName(voice: Voice, state: TicketState): string {
  return voice.t('state.name', { state });
}

/** A tier as people read it: the product's own tiers have a name in each language, any other tier shows its id. */
export function tierName(voice: Voice, tier: string): string {
  return voice.t('tier.name', { tier });
}

export function customerName(ctx: Pick<DeskContext, 'config'>, id: string): string {
  return ctx.config.customers.find((c) => c.id === id)?.name ?? id;
}

function severityLabel(voice: Voice, view: Pick<TicketView, 'severity' | 'severityGuessed'>): string {
  return voice.t('ticket.severity', { severity: severityName(voice, view.severity), guessed: view.severityGuessed ? 'yes' : 'no' });
}

/** Who holds the ticket: their name, or `nobody`. */
export function assigneeName(ctx: Pick<DeskContext, 'config'>, actor: TicketView['assignee']): string | undefined {
  if (!actor) return undefined;
  return actor.personId ? displayName(ctx.config, actor.personId) : (actor.name ?? actor.userId);
}

/** Names of people of the config, or `nobody`. */
export function peopleNames(ctx: Pick<DeskContext, 'config'>, voice: Voice, ids: readonly string[]): string {
  return ids.length ? voice.list(ids.map((id) => displayName(ctx.config, id))) : voice.t('people.nobody');
}

/** One line per clock: what it is, when it is due, how much working time is left. */
export function describeClock(voice: Voice, clock: Clock, at: number): string {
  const name = clockName(voice, clock.kind);
  const zone = clock.calendar.timezone;
  switch (clock.status()) {
    case 'met':
      return voice.t('clock.met', { clock: name, at: voice.instant(clock.stoppedAt as number, zone) });
    case 'breached':
      return clock.stopped
        ? voice.t('clock.breachedAnswered', { clock: name, at: voice.instant(clock.breachedAt as number, zone), answered: voice.instant(clock.stoppedAt as number, zone) })
        : voice.t('clock.breached', { clock: name, at: voice.instant(clock.breachedAt as number, zone) });
    case 'paused':
      return voice.t('clock.paused', { clock: name, left: voice.duration(clock.remainingAt(at) ?? 0) });
    case 'running':
      return voice.t('clock.running', { clock: name, at: voice.instant(clock.dueAt as number, zone), left: voice.duration(clock.remainingAt(at) ?? 0) });
  }
}

const ACTIONS_OPEN: TicketAction[] = ['claim', 'wait', 'resolve', 'severity'];

/** `Incident: inc-3`: the incidents the customer wrote during (see Ticket.incidents). */
function incidentField(voice: Voice, ticket: Ticket): { label: string; value: string } | undefined {
  const ids = ticket.incidents ?? [];
  return ids.length ? { label: voice.t('field.incidents', { count: ids.length }), value: voice.list(ids) } : undefined;
}

/** The acknowledgement in the ticket's thread, as `voice` (the customer's) reads it. */
export function ticketAckCard(ctx: DeskContext, ticket: Ticket, now: number, voice: Voice): Card {
  const timeline = replayTimeline(ticket.events, ctx, now, false);
  const view = viewTicket(ticket);
  const fr = timeline.clocks.firstResponse;
  const fields = [
    { label: voice.t('field.tier'), value: tierName(voice, timeline.tier) },
    { label: voice.t('field.severity'), value: severityLabel(voice, view) },
  ];
  if (fr) {
    const due = fr.dueAt ?? fr.startedAt;
    fields.push({ label: voice.t('field.firstResponseDue'), value: voice.t('ack.due', { at: voice.instant(due, fr.calendar.timezone), relative: voice.relative(due - now) }) });
  }
  const incidents = incidentField(voice, ticket);
  if (incidents) fields.push(incidents);
  const opened = ticket.events[0];
  const follows = opened?.type === 'opened' ? opened.follows : undefined;
  if (follows !== undefined) fields.push({ label: voice.t('field.follows'), value: ticketRef(follows) });
  const note = supportHoursText(ctx, ticket, timeline, voice);
  const body = incidents ? voice.t('ack.bodyKnownIncident') : voice.t('ack.body');
  return {
    tone: 'info',
    locale: voice.locale,
    title: voice.t('ack.title', { ticket: ticketRef(ticket.id), customer: customerName(ctx, ticket.customer) }),
    fields,
    body: note ? `${note}\n${body}` : body,
    link: { platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId },
    actions: { ticketId: ticket.id, offer: ACTIONS_OPEN, severity: view.severity },
  };
}

/**
 * The support-hours note of a ticket opened while its customer's calendar was
 * closed: when the team is back (the clock starts) and when the first
 * response is due, in the customer's zone (else the calendar's) and
 * language; a holiday's name when one closed the day. Nothing for a 24x7
 * calendar, an open one, or a tier that turned the note off.
 */
export function supportHoursText(ctx: DeskContext, ticket: Ticket, timeline: Timeline, voice: Voice): string | undefined {
  const fr = timeline.clocks.firstResponse;
  const opened = ticket.events[0];
  if (!timeline.supportHours || !fr || !opened) return undefined;
  const zone = fr.calendar.timezone;
  const note = supportHoursNoteFor(fr.calendar, opened.at, timeline.supportHours.firstResponseDueAt, voice.locale) ?? timeline.supportHours;
  const values = { back: voice.instant(note.clockStartsAt, zone), due: voice.instant(note.firstResponseDueAt, zone) };
  return note.holiday ? voice.t('ack.closedHoliday', { ...values, holiday: note.holiday }) : voice.t('ack.closed', values);
}

/** What slawatch says in the thread on its own: a waiting reminder, an auto-resolve (with the rating prompt), an auto-close. */
export function followUpCard(ctx: DeskContext, ticket: Ticket, kind: FollowUpKind, voice: Voice): Card {
  const ref = ticketRef(ticket.id);
  const title = kind === 'reminder' ? voice.t('followUp.reminder', { ticket: ref }) : kind === 'auto_resolve' ? voice.t('followUp.autoResolve', { ticket: ref }) : voice.t('followUp.autoClose', { ticket: ref });
  const base: Card = { tone: kind === 'reminder' ? 'info' : 'good', locale: voice.locale, title, fields: [] };
  return kind === 'auto_resolve' ? withRatingPrompt(ctx, ticket, base, voice) : base;
}

/** The card with the satisfaction prompt added, when the ticket's tier asks for ratings. */
export function withRatingPrompt(ctx: DeskContext, ticket: Ticket, card: Card, voice: Voice): Card {
  const tier = viewTicket(ticket).tier;
  const customer = ctx.config.customers.find((c) => c.id === ticket.customer);
  if (!customerLoopFor(ctx, customer, tier).satisfaction) return card;
  const prompt = voice.t('rating.prompt', { ticket: ticketRef(ticket.id) });
  return { ...card, body: card.body ? `${card.body}\n${prompt}` : prompt, rate: { ticketId: ticket.id } };
}

export type StateChange = 'claimed' | 'waiting' | 'resolved' | 'reopened' | 'closed' | 'severity';

/** `Ticket #4 resolved by alice.` */
export function ticketStateCard(ctx: DeskContext, ticket: Ticket, change: StateChange, voice: Voice, by?: string): Card {
  const view = viewTicket(ticket);
  const values = { change, ticket: ticketRef(ticket.id), severity: severityName(voice, view.severity) };
  return {
    tone: change === 'resolved' || change === 'closed' ? 'good' : 'info',
    locale: voice.locale,
    title: by ? voice.t('ticket.changedBy', { ...values, by }) : voice.t('ticket.changed', values),
    fields: [],
    link: { platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId },
  };
}

/** The full status of a ticket for staff (or the customer, who sees the same facts without the ladder). */
export function statusCard(ctx: DeskContext, ticket: Ticket, now: number, forStaff: boolean, voice: Voice): Card {
  const timeline = replayTimeline(ticket.events, ctx, now, false);
  const view = viewTicket(ticket);
  const fields = [
    { label: voice.t('field.customer'), value: customerName(ctx, ticket.customer) },
    { label: voice.t('field.state'), value: stateName(voice, view.state) },
    { label: voice.t('field.tier'), value: tierName(voice, timeline.tier) },
    { label: voice.t('field.severity'), value: severityLabel(voice, view) },
    { label: voice.t('field.assignee'), value: assigneeName(ctx, view.assignee) ?? voice.t('people.nobody') },
  ];
  const incidents = incidentField(voice, ticket);
  if (incidents) fields.push(incidents);
  if (view.rating) fields.push({ label: voice.t('field.rating'), value: voice.t('rating.value', { rating: view.rating.value }) });
  const opened = ticket.events[0];
  if (opened?.type === 'opened' && opened.follows !== undefined) fields.push({ label: voice.t('field.follows'), value: ticketRef(opened.follows) });
  const lines = timeline.clocks.all().map((clock) => describeClock(voice, clock, now));
  if (forStaff) {
    const next = nextStep(ticket, timeline);
    if (next) lines.push(voice.t('status.nextStep', { step: describeStep(voice, next), at: voice.instant(next.at, next.clockTimezone) }));
  }
  return {
    tone: timeline.clocks.all().some((c) => c.status() === 'breached') ? 'danger' : 'info',
    locale: voice.locale,
    title: voice.t('status.title', { ticket: ticketRef(ticket.id), customer: customerName(ctx, ticket.customer) }),
    fields,
    quote: view.title,
    body: lines.join('\n'),
    link: { platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId },
    ...(forStaff && view.state !== 'closed' ? { actions: { ticketId: ticket.id, offer: actionsFor(view), severity: view.severity } } : {}),
  };
}

function actionsFor(view: TicketView): TicketAction[] {
  if (view.state === 'resolved') return [];
  if (view.state === 'waiting_on_customer') return ['claim', 'resolve', 'severity'];
  return ACTIONS_OPEN;
}

/** The next step the ticket's ladders will take, given what was already sent. */
export function nextStep(ticket: Ticket, timeline: Timeline): (Notification & { clockTimezone: string }) | undefined {
  let best: (Notification & { clockTimezone: string }) | undefined;
  for (const clock of timeline.clocks.live()) {
    const step = firstUnfired(clock, timeline.ladder, (key) => ticket.notifications[key] !== undefined);
    if (step && (!best || step.at < best.at)) {
      best = { ...step, dueAt: clock.dueAt ?? step.at, to: { people: [], groups: [], channels: [], pagerduty: [], webhooks: [], emails: [], unstaffed: [] }, clockTimezone: clock.calendar.timezone };
    }
  }
  return best;
}

/** `first response warning (50% of the target used)`, `resolution escalation, level 2, round 2`. */
export function describeStep(voice: Voice, step: Pick<Notification, 'kind' | 'clock' | 'level' | 'repeat' | 'fraction'>): string {
  const clock = clockName(voice, step.clock);
  if (step.kind === 'warning') return voice.t('step.warning', { clock, percent: Math.round((step.fraction ?? 0) * 100) });
  if (step.kind === 'breach') return voice.t('step.breach', { clock });
  return step.repeat ? voice.t('step.escalationRound', { clock, level: step.level, round: step.repeat + 1 }) : voice.t('step.escalation', { clock, level: step.level });
}

/** A warning, breach or escalation for the staff channel, as `voice` (staff's) reads it; times in the reader's zone, else `zone`. */
export function notificationCard(ctx: DeskContext, ticket: Ticket, n: Notification, now: number, late: boolean, zone: string, voice: Voice): Card {
  const view = viewTicket(ticket);
  const clock = clockName(voice, n.clock);
  const ref = ticketRef(ticket.id);
  const title =
    n.kind === 'warning'
      ? voice.t('ping.warning', { ticket: ref, clock })
      : n.kind === 'breach'
        ? voice.t('ping.breach', { ticket: ref, clock })
        : n.repeat
          ? voice.t('ping.escalationRound', { ticket: ref, clock, level: n.level, round: n.repeat + 1 })
          : voice.t('ping.escalation', { ticket: ref, clock, level: n.level });
  const fields = [
    { label: voice.t('field.customer'), value: voice.t('ping.customer', { customer: customerName(ctx, ticket.customer), tier: tierName(voice, view.tier) }) },
    { label: voice.t('field.severity'), value: severityLabel(voice, view) },
    { label: n.kind === 'warning' ? voice.t('field.due') : voice.t('field.wasDue'), value: voice.instant(n.dueAt, zone) },
    { label: voice.t('field.assignee'), value: assigneeName(ctx, view.assignee) ?? voice.t('people.nobody') },
  ];
  const incidents = incidentField(voice, ticket);
  if (incidents) fields.push(incidents);
  const notes: string[] = [];
  if (n.kind === 'warning') notes.push(voice.t('ping.left', { left: voice.duration(Math.max(0, n.dueAt - now)) }));
  if (n.to.standIn) {
    const engineer = displayName(ctx.config, n.to.standIn.for);
    notes.push(
      n.to.standIn.by.length
        ? voice.t('ping.standIn', { engineer, people: peopleNames(ctx, voice, n.to.standIn.by) })
        : voice.t('ping.standInNobody', { engineer }),
    );
  }
  for (const schedule of n.to.unstaffed) notes.push(voice.t('ping.unstaffed', { schedule }));
  if (late) notes.push(voice.t('ping.late', { at: voice.instant(n.at, zone) }));
  return {
    tone: n.kind === 'warning' ? 'warning' : 'danger',
    locale: voice.locale,
    title,
    fields,
    quote: view.title,
    ...(notes.length ? { body: notes.join('\n') } : {}),
    mentions: { people: n.to.people, groups: n.to.groups },
    link: { platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId },
    actions: { ticketId: ticket.id, offer: actionsFor(view), severity: view.severity },
    // The key, as the platforms' resend checks find it in the history: not a sentence, never translated.
    footer: `key ${formatKey({ kind: 'step', ticketId: ticket.id, step: n.key })}`,
  };
}

/**
 * The account engineer's direct message when a ticket of their customer opens — or the on-call
 * stand-in's, saying the engineer is off. In the reader's language; the ticket's link and key with it.
 */
export function engineerCard(ctx: DeskContext, ticket: Ticket, standIn: { for: string } | undefined, voice: Voice): Card {
  const view = viewTicket(ticket);
  const values = { ticket: ticketRef(ticket.id), customer: customerName(ctx, ticket.customer), tier: tierName(voice, view.tier), severity: severityLabel(voice, view) };
  return {
    tone: view.severity === 'urgent' ? 'danger' : 'info',
    locale: voice.locale,
    title: standIn ? voice.t('engineer.newTicketStandIn', { ...values, engineer: displayName(ctx.config, standIn.for) }) : voice.t('engineer.newTicket', values),
    fields: [],
    quote: view.title,
    link: { platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId },
    actions: { ticketId: ticket.id, offer: actionsFor(view), severity: view.severity },
    footer: `key ${formatKey({ kind: 'engineer', ticketId: ticket.id })}`,
  };
}
