/**
 * `slawatch import <file.jsonl>`: restores an export (slawatch export) into
 * the store the config names — a backup back into SQLite, or SQLite's tickets
 * into Redis for replicas.
 *
 * It reads the file twice, as a stream. The first pass checks every line and
 * compares each record with the store, writing nothing: a malformed line, or a
 * ticket the store holds with other content, refuses the whole import. The
 * second pass writes what the store does not hold yet.
 *
 * Importing again changes nothing: a ticket the store already holds with the
 * same events (or with more: the bot has run on since) is skipped, a
 * channel's cursor or latest ticket is only written where the store has none,
 * and an incident event the store holds is skipped. Imported incidents are
 * history: no notice goes out for them.
 */
import { checkNext, subjectId, subjectOf, type IncidentEvent } from '../availability/incident-log.js';
import { scopeNames } from '../availability/terms.js';
import { loadConfigFile, resolveConfigPath } from '../config/load.js';
import { toLogLine } from '../domain/event-log.js';
import type { Ticket } from '../domain/ticket.js';
import { readExport, type ExportRecord } from '../report/import.js';
import { cursorKey, lastTicketKey } from '../service/channel-state.js';
import type { RestorableStore } from '../store/ports.js';
import { count } from './count.js';
import { readLines } from './lines.js';
import { logContext } from './replay.js';
import { withStore } from './report.js';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface ImportOptions {
  file: string;
  config?: string;
  store?: string;
}

/** Tickets in the file that the store holds with other content: nothing was imported. */
export class ImportConflictError extends Error {
  override name = 'ImportConflictError';
}

/** Conflicts listed in the refusal; the rest are counted. */
const CONFLICTS_SHOWN = 10;

export async function importCommand(options: ImportOptions, io: Io): Promise<void> {
  const config = await loadConfigFile(resolveConfigPath(options.config).path);
  const ctx = logContext(config);
  const records = () => readExport(readLines(options.file), ctx, scopeNames(config));
  const counts = await withStore(
    config,
    options.store,
    async (store) => {
      // Pass 1: every line, and every record against the store; nothing is written.
      const conflicts: { line: number; conflict: string }[] = [];
      let lastTicket = 0;
      // The incident log is small: its lines are checked together, after the tickets, against the stored log.
      const incidents: { line: number; event: IncidentEvent }[] = [];
      await inBatches(records(), async (record) => {
        if (record.kind === 'incident') {
          incidents.push(record);
          return;
        }
        const found = await compare(store, record);
        if (typeof found === 'object') conflicts.push({ line: record.line, conflict: found.conflict });
        if (record.kind === 'ticket') lastTicket = Math.max(lastTicket, record.ticket.id);
      });
      conflicts.push(...(await incidentConflicts(store, incidents)));
      if (conflicts.length) {
        const listed = conflicts.sort((a, b) => a.line - b.line).map(({ line, conflict }) => `line ${line}: ${conflict}`);
        const more = listed.length > CONFLICTS_SHOWN ? [`… and ${listed.length - CONFLICTS_SHOWN} more`] : [];
        throw new ImportConflictError(
          [`nothing was imported: the store holds ${listed.length === 1 ? 'a record' : `${listed.length} records`} of ${options.file} with other content`, ...listed.slice(0, CONFLICTS_SHOWN), ...more].join('\n  '),
        );
      }
      // Pass 2: write. Numbers first, so a ticket opened meanwhile never takes a restored one's.
      if (lastTicket > 0) await store.reserveTicketIdsThrough(lastTicket);
      const done = { tickets: 0, ticketsHeld: 0, channels: 0, channelsHeld: 0 };
      await inBatches(records(), async (record) => {
        if (record.kind === 'incident') return;
        const found = await compare(store, record);
        if (typeof found === 'object') throw new ImportConflictError(`line ${record.line}: ${found.conflict} (the store changed during the import)`);
        const restored = found === 'absent' && (await restore(store, record));
        if (record.kind === 'ticket') done[restored ? 'tickets' : 'ticketsHeld'] += 1;
        else done[restored ? 'channels' : 'channelsHeld'] += 1;
      });
      // History, not news: imported incidents are never announced to the customers.
      const { added } = await store.incidents().append(incidents.map((i) => i.event));
      return { ...done, incidentEvents: added.length, incidentEventsHeld: incidents.length - added.length };
    },
    'write',
  );
  const incidents = counts.incidentEvents || counts.incidentEventsHeld ? `, ${count(counts.incidentEvents, 'incident event')}` : '';
  io.out(
    `imported ${count(counts.tickets, 'ticket')}, ${count(counts.channels, 'channel')}${incidents} from ${options.file}` +
      (counts.ticketsHeld || counts.channelsHeld || counts.incidentEventsHeld
        ? `; already in the store: ${count(counts.ticketsHeld, 'ticket')}, ${count(counts.channelsHeld, 'channel')}${counts.incidentEventsHeld ? `, ${count(counts.incidentEventsHeld, 'incident event')}` : ''}`
        : ''),
  );
}

/** Records handled at once: each is a few round trips to the store, which a Redis far away makes slow one by one. */
const BATCH = 32;

/** Runs `work` on the records, up to BATCH at a time; the first failure stops it. */
async function inBatches(records: AsyncIterable<ExportRecord>, work: (record: ExportRecord) => Promise<void>): Promise<void> {
  let batch: Promise<void>[] = [];
  for await (const record of records) {
    const running = work(record);
    running.catch(() => undefined); // handled by the Promise.all below; not an unhandled rejection meanwhile
    batch.push(running);
    if (batch.length >= BATCH) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
}

/**
 * The incident log's lines that do not fit what the store holds: each event
 * must follow its incident's stored events and the file's before it (an
 * event already stored is fine: importing again changes nothing).
 */
async function incidentConflicts(store: RestorableStore, incidents: readonly { line: number; event: IncidentEvent }[]): Promise<{ line: number; conflict: string }[]> {
  const histories = new Map<string, IncidentEvent[]>();
  const conflicts: { line: number; conflict: string }[] = [];
  for (const { line, event } of incidents) {
    const subject = subjectOf(event);
    let history = histories.get(subject);
    if (!history) {
      const kind = event.type === 'maintenance' ? 'maintenance' : 'incident';
      history = [...((await store.incidents().get(kind, subjectId(event)))?.events ?? [])];
      histories.set(subject, history);
    }
    const verdict = checkNext(history, event);
    if (verdict.problem) conflicts.push({ line, conflict: verdict.problem });
    else if (!verdict.duplicate) history.push(event);
  }
  return conflicts;
}

/** `absent`: the store holds none of it; `held`: the store holds it (or more); otherwise what conflicts. */
async function compare(store: RestorableStore, record: Exclude<ExportRecord, { kind: 'incident' }>): Promise<'absent' | 'held' | { conflict: string }> {
  switch (record.kind) {
    case 'ticket': {
      const stored = await store.get(record.ticket.id);
      if (!stored) return 'absent';
      const difference = ticketDifference(stored, record.ticket);
      return difference ? { conflict: `ticket ${record.ticket.id} is in the store with ${difference}` } : 'held';
    }
    case 'channel': {
      const [cursor, last] = await Promise.all([store.getMeta(cursorKey(record.platform, record.channelId)), store.getMeta(lastTicketKey(record.platform, record.channelId))]);
      const missing = (record.cursor !== undefined && cursor === undefined) || (record.lastTicket !== undefined && last === undefined);
      return missing ? 'absent' : 'held';
    }
  }
}

/**
 * How the stored ticket differs from the file's, or undefined when it is the
 * same ticket: the same place and the file's events, in order, at the start of
 * the stored ones (the bot may have added more since). Its notification
 * records and acknowledgement are the store's own, newer or not.
 */
function ticketDifference(stored: Ticket, file: Ticket): string | undefined {
  if (stored.platform !== file.platform || stored.channelId !== file.channelId || stored.threadId !== file.threadId) {
    return `another thread (${stored.platform} ${stored.channelId} ${stored.threadId})`;
  }
  for (let i = 0; i < Math.min(stored.events.length, file.events.length); i++) {
    // Compared as written (fixed field order), not as stored objects whose keys may come in any order.
    if (JSON.stringify(toLogLine(stored.events[i] as Ticket['events'][number])) !== JSON.stringify(toLogLine(file.events[i] as Ticket['events'][number]))) {
      return `other events (from its event ${i + 1} on)`;
    }
  }
  if (stored.events.length < file.events.length) return `fewer events (${stored.events.length}; the file has ${file.events.length})`;
  return undefined;
}

/** Writes what the store does not hold yet; answers whether it wrote anything. */
async function restore(store: RestorableStore, record: Exclude<ExportRecord, { kind: 'incident' }>): Promise<boolean> {
  switch (record.kind) {
    case 'ticket': {
      const { ticket } = record;
      // The message index first, as the bot does when it opens a ticket: a redelivered platform
      // message (the opening one, a reply, a follow-up) finds its ticket instead of opening another.
      const messages = new Set([ticket.threadId, ...ticket.events.flatMap((event) => (event.messageId ? [event.messageId] : []))]);
      for (const messageId of messages) await store.indexMessage(ticket.platform, ticket.channelId, messageId, ticket.id);
      await store.create(ticket);
      return true;
    }
    case 'channel': {
      const { platform, channelId } = record;
      let wrote = false;
      if (record.cursor !== undefined && (await store.getMeta(cursorKey(platform, channelId))) === undefined) {
        await store.setMeta(cursorKey(platform, channelId), record.cursor);
        wrote = true;
      }
      if (record.lastTicket !== undefined && (await store.getMeta(lastTicketKey(platform, channelId))) === undefined) {
        await store.setMeta(lastTicketKey(platform, channelId), String(record.lastTicket));
        wrote = true;
      }
      return wrote;
    }
  }
}
