/**
 * The export format (`slawatch export`, read back by `slawatch import`): the
 * store as JSON Lines, one JSON object a line. What a line is comes from its
 * `"kind"`; a line without one is an event.
 *
 *   {"kind":"ticket","ticket":7,"platform":"slack","channelId":"C0ACME","threadId":"1772442000.000100","ack":{…},"notifications":{…},"version":12}
 *   {"ticket":7,"at":"2026-03-02T09:00:00Z","type":"opened","customer":"acme","tier":"enterprise","severity":"normal",…}
 *   {"ticket":7,"at":"2026-03-02T09:20:00Z","type":"staff_reply","by":"alice","byUser":"slack:U0ALICE"}
 *   {"kind":"ticket","ticket":8,…}
 *   …
 *   {"kind":"channel","platform":"slack","channelId":"C0ACME","cursor":"1772445600.000200","lastTicket":8}
 *
 * - `"kind":"ticket"`: what the bot keeps of a ticket besides its events —
 *   where it lives (platform, channel, thread), its acknowledgement, the
 *   incidents it was tagged with and the record of every notification key
 *   (so nothing is sent twice after a restore). It opens the ticket's lines;
 *   its events follow it, together, in time order, and tickets come in
 *   ascending number.
 * - event lines: the portable replay format (domain/event-log.ts) with
 *   `"ticket": <id>` first. `slawatch replay tickets.jsonl --ticket 7` replays
 *   one ticket and skips every line with a `"kind"`.
 * - `"kind":"channel"`, after the tickets: what the store keeps per customer
 *   channel (service/channel-state.ts): the reconciliation cursor, so a
 *   restored bot catches up from where the old one stopped, and the latest
 *   ticket, which quick follow-ups join.
 * - the incident log, last, in its own format (availability/incident-log.ts):
 *   its lines carry no "ticket" but an "incident" or a "maintenance";
 *   `replay` skips them and `slawatch availability` reads them.
 *
 * Times are ISO-8601 UTC. Fields come in a fixed order, so exporting what an
 * import restored gives the same text.
 */
import { toLogLine } from '../domain/event-log.js';
import { isoUtc } from '../domain/time.js';
import type { NotificationRecord, Platform, Ticket } from '../domain/ticket.js';

/** One ticket's lines, its "kind":"ticket" line first, joined with "\n" (no trailing newline). */
export function exportTicket(ticket: Ticket): string {
  const lines = [JSON.stringify(ticketLine(ticket))];
  for (const event of ticket.events) lines.push(JSON.stringify({ ticket: ticket.id, ...toLogLine(event) }));
  return lines.join('\n');
}

/** What the store keeps of one customer channel. */
export interface ChannelState {
  platform: Platform;
  channelId: string;
  cursor?: string;
  lastTicket?: number;
}

export function exportChannel(state: ChannelState): string {
  return JSON.stringify({
    kind: 'channel',
    platform: state.platform,
    channelId: state.channelId,
    ...(state.cursor !== undefined ? { cursor: state.cursor } : {}),
    ...(state.lastTicket !== undefined ? { lastTicket: state.lastTicket } : {}),
  });
}

function ticketLine(ticket: Ticket): Record<string, unknown> {
  const notifications: Record<string, unknown> = {};
  for (const [key, record] of Object.entries(ticket.notifications)) notifications[key] = notificationJson(record);
  const ack = ticket.ack && {
    status: ticket.ack.status,
    ...(ticket.ack.at !== undefined ? { at: isoUtc(ticket.ack.at) } : {}),
    ...(ticket.ack.ref !== undefined ? { ref: ticket.ack.ref } : {}),
  };
  return {
    kind: 'ticket',
    ticket: ticket.id,
    platform: ticket.platform,
    channelId: ticket.channelId,
    threadId: ticket.threadId,
    ...(ack ? { ack } : {}),
    notifications,
    ...(ticket.incidents?.length ? { incidents: ticket.incidents } : {}),
    version: ticket.version,
  };
}

/** A notification record with its instants as ISO times, fields in a fixed order. */
function notificationJson(record: NotificationRecord): Record<string, unknown> {
  const time = (ms: number | undefined) => (ms === undefined ? undefined : isoUtc(ms));
  const fields: Record<string, unknown> = {
    status: record.status,
    dueAt: time(record.dueAt),
    sentAt: time(record.sentAt),
    late: record.late,
    ref: record.ref,
    owner: record.owner,
    claimedAt: time(record.claimedAt),
    attempts: record.attempts,
    retryAt: time(record.retryAt),
    outbox: record.outbox,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
