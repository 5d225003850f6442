/**
 * The cards slawatch posts: ticket acknowledgements, status, notifications.
 * Platform-neutral (see messages.ts); times are shown in the zone of the
 * calendar the ticket's clocks count in.
 */
import { DateTime } from 'luxon';
import type { ClockKind } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import { displayName } from '../domain/people.js';
import { describeState, viewTicket, type Ticket, type TicketView } from '../domain/ticket.js';
import type { Clock } from '../sla/clocks.js';
import { firstUnfired, replayTimeline, type Notification, type Timeline } from '../escalation/timeline.js';
import type { DeskContext } from './context.js';
import type { Card, TicketAction } from './messages.js';
import { formatKey } from './notification-key.js';

export const CLOCK_LABEL: Record<ClockKind, string> = {
  firstResponse: 'first response',
  nextResponse: 'next response',
  resolution: 'resolution',
};

export function ticketRef(id: number): string {
  return `#${id}`;
}

/** `Fri 27 Nov 14:15 CET` in the given zone (with seconds when there are any: `14:15:30`). */
export function formatInstant(ms: number, zone: string): string {
  const time = DateTime.fromMillis(ms, { zone });
  return time.toFormat(time.second ? 'ccc d LLL HH:mm:ss ZZZZ' : 'ccc d LLL HH:mm ZZZZ');
}

export function customerName(ctx: DeskContext, id: string): string {
  return ctx.config.customers.find((c) => c.id === id)?.name ?? id;
}

function severityLabel(view: Pick<TicketView, 'severity' | 'severityGuessed'>): string {
  return view.severityGuessed ? `${view.severity} (guessed)` : view.severity;
}

function who(ctx: DeskContext, actor: TicketView['assignee']): string {
  if (!actor) return 'nobody';
  return actor.personId ? displayName(ctx.config, actor.personId) : (actor.name ?? actor.userId);
}

/** One line per clock: what it is, when it is due, how much working time is left. */
export function describeClock(clock: Clock, at: number): string {
  const label = CLOCK_LABEL[clock.kind];
  const zone = clock.calendar.timezone;
  switch (clock.status()) {
    case 'met':
      return `${label}: met at ${formatInstant(clock.stoppedAt as number, zone)}`;
    case 'breached':
      return `${label}: BREACHED at ${formatInstant(clock.breachedAt as number, zone)}${clock.stopped ? ` (answered ${formatInstant(clock.stoppedAt as number, zone)})` : ''}`;
    case 'paused':
      return `${label}: paused, ${formatDuration(clock.remainingAt(at) ?? 0)} working time left`;
    case 'running':
      return `${label}: due ${formatInstant(clock.dueAt as number, zone)}, ${formatDuration(clock.remainingAt(at) ?? 0)} working time left`;
  }
}

const ACTIONS_OPEN: TicketAction[] = ['claim', 'wait', 'resolve', 'severity'];

/** `Incident: inc-3`: the incidents the customer wrote during (see Ticket.incidents). */
function incidentField(ticket: Ticket): { label: string; value: string } | undefined {
  const ids = ticket.incidents ?? [];
  return ids.length ? { label: ids.length === 1 ? 'Incident' : 'Incidents', value: ids.join(', ') } : undefined;
}

export function ticketAckCard(ctx: DeskContext, ticket: Ticket, now: number): Card {
  const timeline = replayTimeline(ticket.events, ctx, now, false);
  const view = viewTicket(ticket);
  const fr = timeline.clocks.firstResponse;
  const fields = [
    { label: 'Tier', value: timeline.tier },
    { label: 'Severity', value: severityLabel(view) },
  ];
  if (fr) fields.push({ label: 'First response due', value: formatInstant(fr.dueAt ?? fr.startedAt, fr.calendar.timezone) });
  const incidents = incidentField(ticket);
  if (incidents) fields.push(incidents);
  const known = incidents ? ' We are already working on a known incident that may be the cause; updates are posted in this channel.' : '';
  return {
    tone: 'info',
    title: `Ticket ${ticketRef(ticket.id)} opened for ${customerName(ctx, ticket.customer)}`,
    fields,
    body: `Thanks — our support team has your request. Replies in this thread are added to the ticket.${known}`,
    link: { platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId },
    actions: { ticketId: ticket.id, offer: ACTIONS_OPEN, severity: view.severity },
  };
}

const STATE_WORDS = {
  claimed: 'claimed',
  waiting: 'is waiting on your reply',
  resolved: 'resolved',
  reopened: 'reopened',
  closed: 'closed',
  severity: 'severity changed',
} as const;

export function ticketStateCard(ctx: DeskContext, ticket: Ticket, change: keyof typeof STATE_WORDS, by?: string): Card {
  const view = viewTicket(ticket);
  const text = `Ticket ${ticketRef(ticket.id)} ${STATE_WORDS[change]}${change === 'severity' ? ` to ${view.severity}` : ''}${by ? ` by ${by}` : ''}.`;
  return {
    tone: change === 'resolved' || change === 'closed' ? 'good' : 'info',
    title: text,
    fields: [],
    link: { platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId },
  };
}

/** The full status of a ticket for staff (or the customer, who sees the same facts without the ladder). */
export function statusCard(ctx: DeskContext, ticket: Ticket, now: number, forStaff: boolean): Card {
  const timeline = replayTimeline(ticket.events, ctx, now, false);
  const view = viewTicket(ticket);
  const fields = [
    { label: 'Customer', value: customerName(ctx, ticket.customer) },
    { label: 'State', value: describeState(view.state) },
    { label: 'Tier', value: timeline.tier },
    { label: 'Severity', value: severityLabel(view) },
    { label: 'Assignee', value: who(ctx, view.assignee) },
  ];
  const incidents = incidentField(ticket);
  if (incidents) fields.push(incidents);
  const lines = timeline.clocks.all().map((clock) => describeClock(clock, now));
  if (forStaff) {
    const next = nextStep(ticket, timeline);
    if (next) lines.push(`next on the ladder: ${describeStep(ctx, next)} at ${formatInstant(next.at, next.clockTimezone)}`);
  }
  return {
    tone: timeline.clocks.all().some((c) => c.status() === 'breached') ? 'danger' : 'info',
    title: `Ticket ${ticketRef(ticket.id)} — ${customerName(ctx, ticket.customer)}`,
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
      best = { ...step, dueAt: clock.dueAt ?? step.at, to: { people: [], groups: [], channels: [], unstaffed: [] }, clockTimezone: clock.calendar.timezone };
    }
  }
  return best;
}

export function describeStep(ctx: DeskContext, step: Pick<Notification, 'kind' | 'clock' | 'level' | 'repeat' | 'fraction'>): string {
  const clock = CLOCK_LABEL[step.clock];
  if (step.kind === 'warning') return `${clock} warning (${Math.round((step.fraction ?? 0) * 100)}% of the target used)`;
  if (step.kind === 'breach') return `${clock} breach (level 1)`;
  return `${clock} escalation, level ${step.level}${step.repeat ? `, round ${step.repeat + 1}` : ''}`;
}

/** A warning, breach or escalation for the staff channel. */
export function notificationCard(ctx: DeskContext, ticket: Ticket, n: Notification, now: number, late: boolean, zone: string): Card {
  const view = viewTicket(ticket);
  const headline =
    n.kind === 'warning'
      ? `${CLOCK_LABEL[n.clock]} due soon`
      : n.kind === 'breach'
        ? `${CLOCK_LABEL[n.clock]} BREACHED`
        : `${CLOCK_LABEL[n.clock]} breached — escalation level ${n.level}${n.repeat ? ` (round ${n.repeat + 1})` : ''}`;
  const fields = [
    { label: 'Customer', value: `${customerName(ctx, ticket.customer)} (${view.tier})` },
    { label: 'Severity', value: severityLabel(view) },
    { label: n.kind === 'warning' ? 'Due' : 'Was due', value: formatInstant(n.dueAt, zone) },
    { label: 'Assignee', value: who(ctx, view.assignee) },
  ];
  const incidents = incidentField(ticket);
  if (incidents) fields.push(incidents);
  const notes: string[] = [];
  if (n.kind === 'warning') notes.push(`${formatDuration(Math.max(0, n.dueAt - now))} left.`);
  if (n.to.standIn) {
    const off = displayName(ctx.config, n.to.standIn.for);
    const by = n.to.standIn.by.map((p) => displayName(ctx.config, p)).join(', ');
    notes.push(by ? `${off} (account engineer) is off now — on call instead: ${by}.` : `${off} (account engineer) is off now, and nobody is on call to stand in.`);
  }
  for (const schedule of n.to.unstaffed) notes.push(`Nobody is on call for schedule "${schedule}" — escalating on.`);
  if (late) notes.push(`Sent late: this was due ${formatInstant(n.at, zone)}, while slawatch was not running.`);
  return {
    tone: n.kind === 'warning' ? 'warning' : 'danger',
    title: `${ticketRef(ticket.id)} ${headline}`,
    fields,
    quote: view.title,
    ...(notes.length ? { body: notes.join('\n') } : {}),
    mentions: { people: n.to.people, groups: n.to.groups },
    link: { platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId },
    actions: { ticketId: ticket.id, offer: actionsFor(view), severity: view.severity },
    footer: `key ${formatKey({ kind: 'step', ticketId: ticket.id, step: n.key })}`,
  };
}
