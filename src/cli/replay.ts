/**
 * `slawatch replay <events.jsonl> --config <file> --at <ISO time> [--json]`:
 * what slawatch says about one ticket at one instant — its clocks, breaches,
 * the notifications its ladders sent, and the next one.
 */
import type { ClockKind, Config } from '../config/schema.js';
import { isIncidentLine } from '../availability/incident-log.js';
import { parseEventLines, parseEventLog, type LogContext } from '../domain/event-log.js';
import { isoUtc } from '../domain/time.js';
import type { TicketEvent } from '../domain/ticket.js';
import type { FollowUp, SupportHoursNote } from '../escalation/follow-ups.js';
import { engineerOrStandIn } from '../escalation/ladder.js';
import { replayTimeline, type Notification, type PolicyContext } from '../escalation/timeline.js';
import { buildCalendars } from '../sla/calendar.js';
import type { Clock } from '../sla/clocks.js';
import { clockName, describeClock } from '../service/cards.js';
import { voiceIn } from '../i18n/index.js';

export interface ClockJson {
  status: string;
  startedAt: string;
  dueAt: string | null;
  stoppedAt: string | null;
  breachedAt: string | null;
  remainingSeconds: number | null;
}

export interface ReplayJson {
  state: string;
  severity: string;
  tier: string;
  clocks: Record<ClockKind, ClockJson | null>;
  breaches: { clock: ClockKind; at: string }[];
  notifications: NotificationJson[];
  next: NotificationJson | null;
  /** Present only when the ticket opened while support was closed: the note its acknowledgement carries. */
  supportHours?: SupportHoursJson;
  /** Present only when the ticket follows a closed one (the customer wrote again in its thread): that ticket's number. */
  follows?: number;
  /** Present only when the customer rated the ticket by then: the latest rating (1–5), its comment, when it was given. */
  rating?: { value: number; comment: string | null; at: string };
}

export interface SupportHoursJson {
  clockStartsAt: string;
  firstResponseDueAt: string;
  /** The holiday's name when one closed the day ('' for a closed date without a name), else null. */
  holiday: string | null;
}

/** Exactly the fields the replay format promises; the readable output shows more (round, fraction, unstaffed schedules). */
export interface NotificationJson {
  at: string;
  kind: string;
  /** null for a follow-up (reminder, auto_resolve, auto_close), which concerns no clock. */
  clock: ClockKind | null;
  level: number | null;
  to: string[];
}

/** The replay is read by whoever runs it, in English (its words match the event-log format and the README). */
const ENGLISH = voiceIn('en');

const iso = (ms: number | null): string | null => (ms === null ? null : isoUtc(ms));

export function clockJson(clock: Clock | null, at: number): ClockJson | null {
  if (!clock) return null;
  const remaining = clock.remainingAt(at);
  return {
    status: clock.status(),
    startedAt: isoUtc(clock.startedAt),
    dueAt: iso(clock.dueAt),
    stoppedAt: iso(clock.stoppedAt),
    breachedAt: iso(clock.breachedAt),
    remainingSeconds: remaining === null ? null : Math.floor(remaining / 1000),
  };
}

export function notificationJson(n: Notification): NotificationJson {
  return {
    at: isoUtc(n.at),
    kind: n.kind,
    clock: n.clock,
    level: n.level,
    to: recipientIds(n),
  };
}

/** Person ids, then `group:<id>` and `channel:<id>`. */
function recipientIds(n: Notification): string[] {
  return [
    ...n.to.people,
    ...n.to.groups.map((g) => `group:${g}`),
    ...n.to.channels.map((c) => `channel:${c}`),
    ...n.to.pagerduty.map((s) => `pagerduty:${s}`),
    ...n.to.webhooks.map((w) => `webhook:${w}`),
    ...n.to.emails.map((e) => `email:${e}`),
  ];
}

export function policyContext(config: Config): PolicyContext {
  return { config, calendars: buildCalendars(config) };
}

/** `ticket`: from an exported log of several tickets, the one to read. */
export function parseLogFor(config: Config, text: string, ticket?: number): TicketEvent[] {
  return parseEventLog(text, logContext(config), ticket === undefined ? {} : { ticket });
}

/** The same over a file's lines as they are read (slawatch replay): holds the ticket's events, never the file. */
export function readLogFor(config: Config, lines: AsyncIterable<string>, ticket?: number): Promise<TicketEvent[]> {
  return parseEventLines(lines, logContext(config), ticket === undefined ? {} : { ticket });
}

export function logContext(config: Config): LogContext {
  return {
    tierOf: (customer) => config.customers.find((c) => c.id === customer)?.tier,
    hasTier: (tier) => tier in config.tiers,
    // An export carries the incident log after the tickets.
    otherLine: isIncidentLine,
  };
}

export function replay(events: readonly TicketEvent[], ctx: PolicyContext, at: number): ReplayJson {
  const timeline = replayTimeline(events, ctx, at, true);
  const { clocks } = timeline;
  const breaches = [clocks.firstResponse, ...clocks.nextResponses, clocks.resolution, ...clocks.retired]
    .filter((c): c is Clock => c !== null && c.breachedAt !== null)
    // By instant, not by text: "10:00:00.500Z" sorts before "10:00:00Z" as a string.
    .sort((a, b) => (a.breachedAt as number) - (b.breachedAt as number))
    .map((c) => ({ clock: c.kind, at: isoUtc(c.breachedAt as number) }));
  return {
    state: timeline.state,
    severity: timeline.severity,
    tier: timeline.tier,
    clocks: {
      firstResponse: clockJson(clocks.firstResponse, at),
      nextResponse: clockJson(clocks.nextResponse, at),
      resolution: clockJson(clocks.resolution, at),
    },
    breaches,
    // The ladder's steps and the customer-side follow-ups, in one time order (the ladder's first at a tie).
    notifications: [...timeline.fired.map(notificationJson), ...timeline.followUps.map(followUpJson)].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    next: earliestOf(timeline.next ? notificationJson(timeline.next) : null, timeline.nextFollowUp ? followUpJson(timeline.nextFollowUp) : null),
    ...(timeline.supportHours ? { supportHours: supportHoursJson(timeline.supportHours) } : {}),
    ...followsAndRating(events, at),
  };
}

function followsAndRating(events: readonly TicketEvent[], at: number): Pick<ReplayJson, 'follows' | 'rating'> {
  const opened = events[0];
  const rated = events.filter((e): e is Extract<TicketEvent, { type: 'rated' }> => e.type === 'rated' && e.at <= at).at(-1);
  return {
    ...(opened?.type === 'opened' && opened.follows !== undefined ? { follows: opened.follows } : {}),
    ...(rated ? { rating: { value: rated.rating, comment: rated.comment ?? null, at: isoUtc(rated.at) } } : {}),
  };
}

/** A follow-up in the notifications' shape: it concerns no clock and no level; it is posted in the ticket's thread. */
function followUpJson(f: FollowUp): NotificationJson {
  return { at: isoUtc(f.at), kind: f.kind, clock: null, level: null, to: [] };
}

function earliestOf(a: NotificationJson | null, b: NotificationJson | null): NotificationJson | null {
  if (!a || !b) return a ?? b;
  return Date.parse(b.at) < Date.parse(a.at) ? b : a;
}

function supportHoursJson(note: SupportHoursNote): SupportHoursJson {
  return { clockStartsAt: isoUtc(note.clockStartsAt), firstResponseDueAt: isoUtc(note.firstResponseDueAt), holiday: note.holiday ?? null };
}

/** The readable form of a replay (without --json). */
export function replayText(events: readonly TicketEvent[], ctx: PolicyContext, at: number): string {
  const timeline = replayTimeline(events, ctx, at, true);
  const lines = [`state ${timeline.state} · tier ${timeline.tier} · severity ${timeline.severity} · at ${isoUtc(at)}`];
  for (const clock of timeline.clocks.all()) lines.push(`  ${describeClock(ENGLISH, clock, at)}`);
  // The account engineer's direct message at open: in the readable form only (the JSON's notifications are the ladder's and the follow-ups').
  const opened = events[0];
  const engineer = timeline.customer?.accountEngineer;
  const atOpen = opened && engineer && opened.at <= at ? engineerOrStandIn(engineer, opened.at, timeline.ladder, ctx) : undefined;
  if (timeline.fired.length || atOpen) lines.push('notifications:');
  if (opened && atOpen) {
    const off = atOpen.standIn ? ` (${engineer}, the account engineer, is off: ${atOpen.standIn.by.join(', ') || 'nobody'} on call instead)` : '';
    lines.push(`  ${isoUtc(opened.at)}  ${'opened'.padEnd(10)} direct message → ${atOpen.people.join(', ') || 'nobody'}${off}`);
  }
  for (const n of timeline.fired) {
    const to = recipientIds(n).join(', ') || 'staff channel';
    const what = n.kind === 'warning' ? ` at ${Math.round((n.fraction ?? 0) * 100)} %` : ` level ${n.level}${n.repeat ? ` (round ${n.repeat + 1})` : ''}`;
    const nobody = n.to.unstaffed.length ? ` (nobody on call: ${n.to.unstaffed.join(', ')})` : '';
    const standIn = n.to.standIn ? ` (${n.to.standIn.for}, the account engineer, is off: ${n.to.standIn.by.join(', ') || 'nobody'} on call instead)` : '';
    lines.push(`  ${isoUtc(n.at)}  ${n.kind.padEnd(10)} ${clockName(ENGLISH, n.clock)}${what} → ${to}${nobody}${standIn}`);
  }
  if (timeline.next) lines.push(`next: ${isoUtc(timeline.next.at)} ${timeline.next.kind} ${clockName(ENGLISH, timeline.next.clock)}`);
  return lines.join('\n');
}
