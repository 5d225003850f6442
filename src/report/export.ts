/**
 * `slawatch export`: every ticket's event log in the portable replay format
 * (see domain/event-log.ts), several tickets in one JSON Lines file. Each
 * line is one event and carries `"ticket": <id>` first; a ticket's lines are
 * contiguous, in time order, starting with its `opened` event:
 *
 *   {"ticket":7,"at":"2026-03-02T09:00:00Z","type":"opened","customer":"acme","tier":"enterprise","severity":"normal"}
 *   {"ticket":7,"at":"2026-03-02T09:20:00Z","type":"staff_reply","by":"alice"}
 *   {"ticket":8,"at":"2026-03-02T09:05:00Z","type":"opened",…}
 *
 * `slawatch replay tickets.jsonl --ticket 7` replays one of them.
 *
 * The incident log follows the tickets, in its own format (see
 * availability/incident-log.ts): its lines carry no "ticket" but an
 * "incident" or "maintenance", and `replay` skips them.
 */
import { toLogLine } from '../domain/event-log.js';
import type { Ticket } from '../domain/ticket.js';

/** One ticket's lines, joined with "\n" (no trailing newline). */
export function exportTicket(ticket: Pick<Ticket, 'id' | 'events'>): string {
  return ticket.events.map((event) => JSON.stringify({ ticket: ticket.id, ...toLogLine(event) })).join('\n');
}
