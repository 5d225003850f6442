/**
 * The portable event-log format (JSON Lines) that `slawatch replay` reads and
 * `slawatch export` writes: one event a line, `at` as ISO-8601, `by` as a
 * person id (or `<platform>:<user id>` for people not in the config).
 *
 *   {"at":"2026-03-02T09:00:00Z","type":"opened","customer":"acme","severity":"normal"}
 *   {"at":"2026-03-02T09:20:00Z","type":"staff_reply","by":"alice"}
 */
import { isIncidentLine } from '../availability/incident-log.js';
import { SEVERITIES, type Severity } from '../config/schema.js';
import { isoUtc, parseInstant } from './time.js';
import type { Actor, TicketEvent } from './ticket.js';

export const REPLAY_EVENT_TYPES = [
  'opened',
  'customer_message',
  'staff_reply',
  'claimed',
  'severity_changed',
  'tier_changed',
  'waiting_on_customer',
  'resolved',
  'reopened',
  'closed',
  'message_edited',
  'message_deleted',
] as const;

export class EventLogError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'EventLogError';
  }
}

export interface LogContext {
  /** Tier of a customer (an `opened` event without `tier` takes the customer's). */
  tierOf(customer: string): string | undefined;
  hasTier(tier: string): boolean;
}

type Json = Record<string, unknown>;

export interface ParseOptions {
  /**
   * From an exported log of several tickets (every line carries `"ticket": <id>`),
   * the events of this ticket only. Without it, a log may hold one ticket.
   */
  ticket?: number;
}

/** Parses a JSON Lines event log. Every problem names its line; nothing is guessed. */
export function parseEventLog(text: string, ctx: LogContext, options: ParseOptions = {}): TicketEvent[] {
  const events: TicketEvent[] = [];
  const lines = text.split(/\r?\n/);
  const belongs = ticketFilter(options.ticket);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new EventLogError(lineNo, `not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EventLogError(lineNo, 'expected a JSON object');
    // An export carries the incident log after the tickets; it is not a ticket's.
    if (isIncidentLine(value as Json)) return;
    if (!belongs(value as Json, lineNo)) return;
    const event = toEvent(value as Json, lineNo, ctx, events.length === 0);
    const previous = events[events.length - 1];
    if (previous && event.at < previous.at) throw new EventLogError(lineNo, `events must be in time order (${isoUtc(event.at)} is before the previous event)`);
    events.push(event);
  });
  if (events.length === 0 && options.ticket !== undefined) throw new EventLogError(1, `ticket ${options.ticket} is not in this log`);
  if (events.length === 0) throw new EventLogError(1, 'the log is empty: expected an "opened" event');
  return events;
}

/**
 * Whether a line belongs to the ticket asked for. Lines of an exported log
 * carry `ticket`; either every line does or none does. A log of several
 * tickets needs one asked for; a log of one replays as it is.
 */
function ticketFilter(wanted: number | undefined): (json: Json, line: number) => boolean {
  let tagged: boolean | undefined;
  let only: number | undefined;
  return (json, line) => {
    const id = json.ticket;
    const hasId = id !== undefined;
    if (tagged !== undefined && hasId !== tagged) {
      throw new EventLogError(line, hasId ? 'unexpected "ticket": the lines before carry none' : 'missing "ticket": the lines before carry one');
    }
    tagged = hasId;
    if (!hasId) {
      if (wanted !== undefined) throw new EventLogError(line, `no "ticket" field: selecting ticket ${wanted} needs an exported log of several tickets`);
      return true;
    }
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw new EventLogError(line, '"ticket" must be a ticket number');
    if (wanted !== undefined) return id === wanted;
    if (only !== undefined && id !== only) throw new EventLogError(line, `the log holds several tickets (${only}, ${id}, …): choose one (slawatch replay --ticket <id>)`);
    only = id;
    return true;
  };
}

function toEvent(json: Json, line: number, ctx: LogContext, first: boolean): TicketEvent {
  const fail = (message: string): never => {
    throw new EventLogError(line, message);
  };
  const type = json.type;
  if (typeof type !== 'string') return fail('missing "type"');
  if (!(REPLAY_EVENT_TYPES as readonly string[]).includes(type)) return fail(`unknown type "${type}" (expected one of ${REPLAY_EVENT_TYPES.join(', ')})`);
  if (typeof json.at !== 'string') return fail('missing "at" (an ISO time such as 2026-03-02T09:00:00Z)');
  const at = parseInstant(json.at);
  if (at === undefined) return fail(`"at" is not an ISO time with a zone: "${json.at}"`);
  if (first && type !== 'opened') fail('the first event must be "opened"');
  if (!first && type === 'opened') fail('"opened" may only be the first event');
  const by = json.by === undefined ? undefined : actorFrom(json.by, fail);
  const base = { at, ...(by ? { by } : {}), ...(typeof json.messageId === 'string' ? { messageId: json.messageId } : {}) };
  const text = typeof json.text === 'string' ? { text: json.text } : {};
  const severity = (key: string): Severity => {
    const value = json[key];
    if (typeof value !== 'string' || !(SEVERITIES as readonly string[]).includes(value)) {
      return fail(`"${key}" must be one of ${SEVERITIES.join(', ')}`);
    }
    return value as Severity;
  };
  switch (type) {
    case 'opened': {
      if (typeof json.customer !== 'string') return fail('"opened" needs "customer"');
      const tier = typeof json.tier === 'string' ? json.tier : ctx.tierOf(json.customer);
      if (tier === undefined) return fail(`unknown customer "${json.customer}" (and no "tier" given)`);
      if (!ctx.hasTier(tier)) return fail(`unknown tier "${tier}"`);
      return { type, ...base, customer: json.customer, tier, severity: severity('severity'), ...(json.severityGuessed === true ? { severityGuessed: true } : {}), ...text };
    }
    case 'severity_changed':
      return { type, ...base, severity: severity('severity') };
    case 'tier_changed': {
      if (typeof json.tier !== 'string' || !ctx.hasTier(json.tier)) return fail(`"tier_changed" needs a known "tier"`);
      return { type, ...base, tier: json.tier };
    }
    case 'customer_message':
    case 'message_edited':
      return { type, ...base, ...text };
    default:
      return { type: type as 'staff_reply', ...base };
  }
}

function actorFrom(value: unknown, fail: (message: string) => never): Actor {
  if (typeof value !== 'string' || !value) return fail('"by" must be a person id');
  const platformId = /^(slack|discord|shell):(.+)$/.exec(value);
  if (platformId) return { platform: platformId[1] as Actor['platform'], userId: platformId[2] as string };
  return { platform: 'shell', userId: value, personId: value };
}

/** One stored event in the portable format (what `export` writes). */
export function toLogLine(event: TicketEvent): Json {
  const { at, by, ...rest } = event;
  const out: Json = { at: isoUtc(at), ...rest };
  if (by) out.by = by.personId ?? `${by.platform}:${by.userId}`;
  return orderKeys(out);
}

function orderKeys(json: Json): Json {
  const { at, type, ...rest } = json;
  return { at, type, ...rest };
}
