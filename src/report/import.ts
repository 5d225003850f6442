/**
 * Reads the export format (see export.ts) back into what the store keeps:
 * whole tickets and channel states, each checked line by line. Every problem
 * is an EventLogError naming its line, as `slawatch replay` reports them.
 *
 * Lines are sorted by their `"kind"`. Another kind of line is added here (a
 * parser that turns its lines into an ExportRecord) and in cli/import.ts
 * (how a record of that kind is compared with the store and restored).
 */
import { z } from 'zod';
import { incidentEventFrom, isIncidentLine, type IncidentEvent, type ScopeNames } from '../availability/incident-log.js';
import { EventLogError, EventLogReader, type Json, type LogContext } from '../domain/event-log.js';
import { parseInstant } from '../domain/time.js';
import { PLATFORMS, type Platform, type Ticket } from '../domain/ticket.js';

export type ExportRecord =
  | { kind: 'ticket'; line: number; ticket: Ticket }
  | { kind: 'channel'; line: number; platform: Platform; channelId: string; cursor?: string; lastTicket?: number }
  | { kind: 'incident'; line: number; event: IncidentEvent };

const KINDS = ['ticket', 'channel'] as const;

const isoTime = z.string().transform((text, ctx) => {
  const ms = parseInstant(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `not an ISO time with a zone: "${text}"` });
    return z.NEVER;
  }
  return ms;
});
const ticketNumber = z.number().int().min(1).max(9_999_999_999);
const platform = z.enum(PLATFORMS as [Platform, ...Platform[]]);
const nonEmpty = z.string().min(1);

const notificationRecord = z.strictObject({
  status: z.enum(['due', 'sending', 'sent', 'skipped', 'failed']),
  dueAt: isoTime,
  sentAt: isoTime.optional(),
  late: z.boolean().optional(),
  ref: z.string().optional(),
  owner: z.string().optional(),
  claimedAt: isoTime.optional(),
  attempts: z.number().int().min(0).optional(),
  retryAt: isoTime.optional(),
  outbox: z.array(z.unknown()).optional(),
});

const ticketLine = z.strictObject({
  kind: z.literal('ticket'),
  ticket: ticketNumber,
  platform,
  channelId: nonEmpty,
  threadId: nonEmpty,
  ack: z.strictObject({ status: z.enum(['pending', 'posted']), at: isoTime.optional(), ref: z.string().optional() }).optional(),
  notifications: z.record(z.string(), notificationRecord),
  /** The incidents open when the customer wrote (see service/desk.ts). */
  incidents: z.array(nonEmpty).optional(),
  version: z.number().int().min(1),
});

const channelLine = z.strictObject({
  kind: z.literal('channel'),
  platform,
  channelId: nonEmpty,
  cursor: nonEmpty.optional(),
  lastTicket: ticketNumber.optional(),
});

/**
 * The records of an export, in file order, each one checked whole before it
 * is yielded. `names`: the regions, tiers and customers an incident's scope
 * may name (the incident log's lines come last, in their own format).
 */
export async function* readExport(lines: AsyncIterable<string>, ctx: LogContext, names?: ScopeNames): AsyncGenerator<ExportRecord> {
  let current: { line: number; head: z.output<typeof ticketLine>; events: EventLogReader } | undefined;
  let lastTicket = 0;
  let lineNo = 0;
  let records = 0;
  // The ticket being read is complete when the next record starts, or at the end.
  const finish = (): ExportRecord | undefined => {
    if (!current) return undefined;
    const { line, head, events } = current;
    current = undefined;
    let read;
    try {
      read = events.end();
    } catch {
      throw new EventLogError(line, `ticket ${head.ticket} has no events (its "opened" event follows its "kind":"ticket" line)`);
    }
    const opened = read[0];
    // The reader has checked that the first event is "opened"; this tells the compiler.
    if (opened?.type !== 'opened') throw new EventLogError(line, `ticket ${head.ticket} does not start with "opened"`);
    const ticket: Ticket = {
      id: head.ticket,
      customer: opened.customer,
      platform: head.platform,
      channelId: head.channelId,
      threadId: head.threadId,
      events: read,
      notifications: head.notifications,
      ...(head.ack ? { ack: head.ack } : {}),
      ...(head.incidents ? { incidents: head.incidents } : {}),
      version: head.version,
    };
    return { kind: 'ticket', line, ticket };
  };

  for await (const raw of lines) {
    lineNo += 1;
    if (!raw.trim()) continue;
    const json = objectOf(raw, lineNo);
    const kind = json.kind;
    if (kind === undefined && isIncidentLine(json)) {
      const done = finish();
      if (done) yield done;
      records += 1;
      yield { kind: 'incident', line: lineNo, event: incidentEventFrom(json, lineNo, names) };
      continue;
    }
    if (kind === undefined) {
      // An event: it belongs to the ticket whose "kind":"ticket" line came last.
      const id = json.ticket;
      if (!current) {
        throw new EventLogError(lineNo, `an event ${typeof id === 'number' ? `of ticket ${id} ` : ''}without its "kind":"ticket" line before it (each ticket's lines start with one; an export from an older slawatch? export again)`);
      }
      if (id !== current.head.ticket) {
        throw new EventLogError(lineNo, `an event of ${typeof id === 'number' ? `ticket ${id}` : 'no ticket'} among the lines of ticket ${current.head.ticket} (a ticket's lines come together, its "kind":"ticket" line first)`);
      }
      current.events.event(json, lineNo);
      continue;
    }
    const done = finish();
    if (done) yield done;
    records += 1;
    switch (kind) {
      case 'ticket': {
        const head = checked(ticketLine, json, lineNo);
        if (head.ticket <= lastTicket) {
          throw new EventLogError(lineNo, `ticket ${head.ticket} after ticket ${lastTicket}: an export lists each ticket once, in ascending order`);
        }
        lastTicket = head.ticket;
        current = { line: lineNo, head, events: new EventLogReader(ctx, { ticket: head.ticket }) };
        break;
      }
      case 'channel': {
        const { kind: _kind, ...state } = checked(channelLine, json, lineNo);
        yield { kind: 'channel', line: lineNo, ...state };
        break;
      }
      default:
        throw new EventLogError(lineNo, `unknown "kind": ${JSON.stringify(kind)} (expected ${KINDS.join(' or ')}, or none for an event)`);
    }
  }
  const done = finish();
  if (done) yield done;
  // An export of a store without tickets may hold channel lines only; a file without a record is a mistake.
  if (records === 0) throw new EventLogError(1, 'nothing to import: expected the lines slawatch export writes');
}

function objectOf(raw: string, lineNo: number): Json {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new EventLogError(lineNo, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EventLogError(lineNo, 'expected a JSON object');
  return value as Json;
}

/** The line as the schema reads it, or its first problem with the field's path. */
function checked<S extends z.ZodType>(schema: S, json: Json, lineNo: number): z.output<S> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, '');
  const message = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
  throw new EventLogError(lineNo, path ? `"${path}": ${message}` : message);
}
