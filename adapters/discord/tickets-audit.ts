/**
 * Edits and deletions made while the bot was away, for Discord. The gateway
 * does not replay a MESSAGE_UPDATE or MESSAGE_DELETE of a session that is
 * gone, and a channel's listing after the cursor shows only new messages. So
 * after each catch-up pass, every live Discord ticket's messages are compared
 * with Discord's: the thread's replies are listed (a thread is a channel of
 * its own), and a recorded message not among them (the opening message, one
 * that joined the ticket) is fetched by id. A newer `edited_timestamp` goes
 * to the desk as an edit, a message Discord no longer has as a deletion —
 * the same calls a live MESSAGE_UPDATE / MESSAGE_DELETE makes, which ignore
 * what the ticket already records.
 *
 * Its cost is about two REST calls per live Discord ticket (Discord's limits
 * are per route and about 50 requests a second overall).
 */
import { DiscordAPIError, RESTJSONErrorCodes, Routes, type Client } from 'discord.js';
import type { Ticket } from '../../src/domain/ticket.js';
import type { SupportDesk } from '../../src/service/desk-port.js';
import { describe, type Logger } from '../../src/service/logger.js';
import type { KeyedSerial } from '../common/serial.js';
import { asWireMessage, isFromBot, textOf, type WireMessage } from './inbound.js';
import { compareSnowflakes } from './snowflake.js';

const PAGE_SIZE = 100;
/** Pages of a thread's replies read at most per ticket. */
const MAX_PAGES = 20;

export interface AuditDeps {
  desk: Pick<SupportDesk, 'activeTickets' | 'messageEdited' | 'messageDeleted' | 'now'>;
  client: Client;
  serial: KeyedSerial;
  log: Logger;
}

/** What a ticket records of one message. */
interface Recorded {
  /** When its newest recorded text was written (the message, or its last recorded edit). */
  editedAt?: number;
  deleted: boolean;
}

export interface AuditReport {
  tickets: number;
  edits: number;
  deletions: number;
}

export async function auditTickets(deps: AuditDeps): Promise<AuditReport> {
  const report: AuditReport = { tickets: 0, edits: 0, deletions: 0 };
  const tickets: Ticket[] = [];
  for await (const ticket of deps.desk.activeTickets('discord')) tickets.push(ticket);
  for (const ticket of tickets) {
    report.tickets++;
    try {
      await deps.serial.run(ticket.channelId, () => auditTicket(deps, ticket, report));
    } catch (err) {
      deps.log.warn({ ticket: ticket.id, channel: ticket.channelId, err: describe(err) }, 'discord: could not compare a ticket\'s messages with Discord\'s');
    }
  }
  if (report.edits || report.deletions) deps.log.info({ ...report }, 'discord: caught up on edits and deletions made while away');
  return report;
}

function recordedMessages(ticket: Ticket): Map<string, Recorded> {
  const recorded = new Map<string, Recorded>();
  for (const event of ticket.events) {
    if (!event.messageId) continue;
    const entry = recorded.get(event.messageId) ?? { deleted: false };
    if (event.type === 'message_deleted') entry.deleted = true;
    else if (event.type === 'message_edited') entry.editedAt = Math.max(entry.editedAt ?? 0, event.at);
    recorded.set(event.messageId, entry);
  }
  return recorded;
}

async function auditTicket(deps: AuditDeps, ticket: Ticket, report: AuditReport): Promise<void> {
  const { desk, client } = deps;
  const recorded = recordedMessages(ticket);
  if (![...recorded.values()].some((r) => !r.deleted)) return;
  const found = new Map<string, WireMessage>();
  for (const message of await threadReplies(client, ticket.threadId)) found.set(message.id, message);
  const gone: string[] = [];
  for (const [id, entry] of recorded) {
    if (entry.deleted || found.has(id)) continue;
    const message = await fetchMessage(client, ticket.channelId, id);
    if (message) found.set(id, message);
    else gone.push(id);
  }
  for (const [id, entry] of recorded) {
    const message = found.get(id);
    if (!message || entry.deleted || !message.edited_timestamp || isFromBot(message, client.user?.id)) continue;
    const at = Date.parse(message.edited_timestamp);
    if (!Number.isFinite(at) || (entry.editedAt !== undefined && at <= entry.editedAt)) continue;
    await desk.messageEdited('discord', ticket.channelId, id, textOf(message), at);
    report.edits++;
  }
  for (const id of gone) {
    await desk.messageDeleted('discord', ticket.channelId, id, desk.now());
    report.deletions++;
  }
}

/** Every reply in a ticket's thread (none when the thread is gone or cannot be read). */
async function threadReplies(client: Client, threadId: string): Promise<WireMessage[]> {
  const messages: WireMessage[] = [];
  let after = threadId;
  for (let page = 0; page < MAX_PAGES; page++) {
    let listed: unknown[];
    try {
      listed = (await client.rest.get(Routes.channelMessages(threadId), { query: new URLSearchParams({ after, limit: String(PAGE_SIZE) }) })) as unknown[];
    } catch (err) {
      if (err instanceof DiscordAPIError && (err.code === RESTJSONErrorCodes.UnknownChannel || err.code === RESTJSONErrorCodes.MissingAccess)) return messages;
      throw err;
    }
    const batch = listed.map(asWireMessage).filter((m): m is WireMessage => m !== undefined);
    messages.push(...batch);
    const last = batch.map((m) => m.id).sort(compareSnowflakes).at(-1);
    if (listed.length < PAGE_SIZE || !last) break;
    after = last;
  }
  return messages;
}

/** One message by id; undefined when Discord says it no longer exists. */
async function fetchMessage(client: Client, channelId: string, id: string): Promise<WireMessage | undefined> {
  try {
    return asWireMessage(await client.rest.get(Routes.channelMessage(channelId, id)));
  } catch (err) {
    if (err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.UnknownMessage) return undefined;
    throw err;
  }
}
