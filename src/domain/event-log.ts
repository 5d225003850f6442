/**
 * The portable event-log format (JSON Lines) that `slawatch replay` reads and
 * `slawatch export` writes: one event a line, `at` as ISO-8601, `by` as a
 * person id (or `<platform>:<user id>` for people not in the config; an
 * export adds `byUser` and `byName`, see actorFrom).
 *
 *   {"at":"2026-03-02T09:00:00Z","type":"opened","customer":"acme","severity":"normal"}
 *   {"at":"2026-03-02T09:20:00Z","type":"staff_reply","by":"alice"}
 */
import { isoUtc, parseInstant } from './time.js';
import { nextState, type Actor, type Platform, type TicketEvent, type TicketState } from './ticket.js';
import { isSeverity, SEVERITIES, type Severity } from './vocabulary.js';

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
  'rated',
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
  /** Lines of another log that an export carries besides the tickets' (the incident log): skipped. */
  otherLine?(json: Json): boolean;
}

export type Json = Record<string, unknown>;

export interface ParseOptions {
  /**
   * From an exported log of several tickets (every line carries `"ticket": <id>`),
   * the events of this ticket only. Without it, a log may hold one ticket.
   */
  ticket?: number;
}

/** Parses a JSON Lines event log. Every problem names its line; nothing is guessed. */
export function parseEventLog(text: string, ctx: LogContext, options: ParseOptions = {}): TicketEvent[] {
  const reader = new EventLogReader(ctx, options);
  text.split(/\r?\n/).forEach((raw, index) => reader.line(raw, index + 1));
  return reader.end();
}

/** The same, over the log's lines one at a time (a file read as a stream): holds only the events it keeps. */
export async function parseEventLines(lines: Iterable<string> | AsyncIterable<string>, ctx: LogContext, options: ParseOptions = {}): Promise<TicketEvent[]> {
  const reader = new EventLogReader(ctx, options);
  let lineNo = 0;
  for await (const raw of lines) reader.line(raw, ++lineNo);
  return reader.end();
}

/**
 * Reads an event log a line at a time. Lines that carry a `"kind"` are not
 * events but the other records of an export (see report/export.ts): they are
 * skipped. Blank lines are skipped too.
 */
export class EventLogReader {
  private readonly events: TicketEvent[] = [];
  private readonly belongs: (json: Json, line: number) => boolean;
  /** The ticket's state after the events read so far: an event the state does not allow is refused. */
  private state: TicketState = 'open';

  constructor(
    private readonly ctx: LogContext,
    private readonly options: ParseOptions = {},
  ) {
    this.belongs = ticketFilter(options.ticket);
  }

  /** One line of text, numbered from 1. */
  line(raw: string, lineNo: number): void {
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new EventLogError(lineNo, `not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EventLogError(lineNo, 'expected a JSON object');
    if ((value as Json).kind !== undefined) return;
    if (this.ctx.otherLine?.(value as Json)) return;
    this.event(value as Json, lineNo);
  }

  /** One event line, already parsed (an importer that sorted an export's lines by kind). */
  event(json: Json, lineNo: number): void {
    if (!this.belongs(json, lineNo)) return;
    const event = toEvent(json, lineNo, this.ctx, this.events.length === 0);
    const previous = this.events[this.events.length - 1];
    if (previous && event.at < previous.at) throw new EventLogError(lineNo, `events must be in time order (${isoUtc(event.at)} is before the previous event)`);
    if (previous) {
      const transition = nextState(this.state, event.type);
      if (!transition.allowed) throw new EventLogError(lineNo, `"${event.type}" cannot happen here: ${transition.reason}`);
      this.state = transition.state;
    }
    this.events.push(event);
  }

  /** The events read; an error if there were none. */
  end(): TicketEvent[] {
    if (this.events.length === 0 && this.options.ticket !== undefined) throw new EventLogError(1, `ticket ${this.options.ticket} is not in this log`);
    if (this.events.length === 0) throw new EventLogError(1, 'the log is empty: expected an "opened" event');
    return this.events;
  }
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
  const by = actorFrom(json, fail);
  const base = { at, ...(by ? { by } : {}), ...(typeof json.messageId === 'string' ? { messageId: json.messageId } : {}) };
  const text = typeof json.text === 'string' ? { text: json.text } : {};
  const severity = (key: string): Severity => {
    const value = json[key];
    return isSeverity(value) ? value : fail(`"${key}" must be one of ${SEVERITIES.join(', ')}`);
  };
  switch (type) {
    case 'opened': {
      if (typeof json.customer !== 'string') return fail('"opened" needs "customer"');
      const tier = typeof json.tier === 'string' ? json.tier : ctx.tierOf(json.customer);
      if (tier === undefined) return fail(`unknown customer "${json.customer}" (and no "tier" given)`);
      if (!ctx.hasTier(tier)) return fail(`unknown tier "${tier}"`);
      if (json.follows !== undefined && (typeof json.follows !== 'number' || !Number.isSafeInteger(json.follows) || json.follows < 1)) return fail('"follows" must be a ticket number');
      const follows = typeof json.follows === 'number' ? { follows: json.follows } : {};
      return { type, ...base, customer: json.customer, tier, severity: severity('severity'), ...(json.severityGuessed === true ? { severityGuessed: true } : {}), ...text, ...follows };
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
    case 'resolved':
    case 'closed': {
      if (json.auto !== undefined && (typeof json.auto !== 'string' || !json.auto)) return fail('"auto" must be the key of what slawatch did on its own');
      return { type, ...base, ...(typeof json.auto === 'string' ? { auto: json.auto } : {}) };
    }
    case 'rated': {
      const rating = json.rating;
      if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5) return fail('"rated" needs "rating", a whole number from 1 to 5');
      if (json.comment !== undefined && typeof json.comment !== 'string') return fail('"comment" must be a string');
      return { type, ...base, rating, ...(typeof json.comment === 'string' ? { comment: json.comment } : {}) };
    }
    default:
      return { type: type as 'staff_reply', ...base };
  }
}

/**
 * `by` is a person id (`alice`) or `<platform>:<user id>` for people not in
 * the config. An export adds what a person id alone does not say, so a
 * restored ticket is the one stored: `byUser` (`slack:U0ALICE`, the
 * platform account that acted) and `byName` (the name the platform gave).
 */
function actorFrom(json: Json, fail: (message: string) => never): Actor | undefined {
  const { by, byUser, byName } = json;
  if (by === undefined) {
    if (byUser !== undefined || byName !== undefined) fail('"byUser" and "byName" need "by"');
    return undefined;
  }
  if (typeof by !== 'string' || !by) return fail('"by" must be a person id');
  if (byName !== undefined && typeof byName !== 'string') fail('"byName" must be a string');
  const name = typeof byName === 'string' ? { name: byName } : {};
  const platformId = PLATFORM_USER.exec(by);
  if (platformId) {
    if (byUser !== undefined) fail('"byUser" goes with a person id in "by", not with a platform user');
    return { platform: platformId[1] as Platform, userId: platformId[2] as string, ...name };
  }
  if (byUser === undefined) return { platform: 'shell', userId: by, personId: by, ...name };
  const account = typeof byUser === 'string' ? PLATFORM_USER.exec(byUser) : null;
  if (!account) return fail('"byUser" must be "<platform>:<user id>" (slack, discord, lark or shell)');
  return { platform: account[1] as Platform, userId: account[2] as string, personId: by, ...name };
}

const PLATFORM_USER = /^(slack|discord|lark|shell):(.+)$/;

/** The fields of an event line after `at` and `type`, in the order they are written (any others follow). */
const FIELD_ORDER = ['customer', 'tier', 'severity', 'severityGuessed', 'text', 'follows', 'rating', 'comment', 'messageId'];

/**
 * One stored event in the portable format (what `export` writes). Fields come
 * in a fixed order whatever the stored object's, so an export that is
 * imported and exported again is the same text.
 */
export function toLogLine(event: TicketEvent): Json {
  const { at, type, by, ...rest } = event;
  const fields: Json = rest;
  const out: Json = { at: isoUtc(at), type };
  for (const key of FIELD_ORDER) if (fields[key] !== undefined) out[key] = fields[key];
  for (const [key, value] of Object.entries(fields)) if (!(key in out) && value !== undefined) out[key] = value;
  if (by) {
    out.by = by.personId ?? `${by.platform}:${by.userId}`;
    if (by.personId !== undefined && (by.platform !== 'shell' || by.userId !== by.personId)) out.byUser = `${by.platform}:${by.userId}`;
    if (by.name !== undefined) out.byName = by.name;
  }
  return out;
}
