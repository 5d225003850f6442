/**
 * The storage port. Every backend (memory, SQLite, Redis) implements it and
 * passes the same contract suite (test/store/contract.ts).
 */
import type { Platform, Ticket } from '../domain/ticket.js';
import type { IncidentStore } from './incident-store.js';

export interface TicketStore {
  /** Allocates the next ticket number (1, 2, 3 …), unique across the store. */
  nextTicketId(): Promise<number>;
  /** Saves a new ticket; rejects if a ticket with that id exists. */
  create(ticket: Ticket): Promise<void>;
  get(id: number): Promise<Ticket | undefined>;
  /**
   * Read-modify-write of one ticket, serialized per ticket so concurrent
   * callers never lose each other's events. `change` gets the current ticket
   * and returns the new one (its version is bumped by the store), or
   * undefined to leave it as it is. Resolves with the ticket as stored.
   * Rejects (and writes nothing) if the ticket does not exist or the write fails.
   */
  update(id: number, change: (current: Ticket) => Ticket | undefined): Promise<Ticket>;
  /** Every ticket that is not closed, in pages; never loads the whole table at once. */
  listActive(): AsyncIterable<Ticket>;
  /** Every ticket, oldest first, in pages (reports, export). */
  listAll(): AsyncIterable<Ticket>;
  /** The ticket a platform message belongs to (its opening message or any message appended to it). */
  findByMessage(platform: Platform, channelId: string, messageId: string): Promise<number | undefined>;
  indexMessage(platform: Platform, channelId: string, messageId: string, ticketId: number): Promise<void>;
  /** Small named values: reconciliation cursors, the latest ticket of a channel. */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Runs `section` with no other holder of `key` running at the same time (per channel, say). */
  withLock<T>(key: string, section: () => Promise<T>): Promise<T>;
  /** The incident log (incidents, maintenance windows, their notices), kept in the same backend. */
  incidents(): IncidentStore;
  /** Whether the backend answers; used by readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What restoring an export (`slawatch import`) needs beyond the bot's port. */
export interface RestorableStore extends TicketStore {
  /**
   * Moves the ticket counter so that `nextTicketId` answers more than
   * `lastId`: restored tickets keep their numbers and new ones never take
   * them. Never moves the counter back.
   */
  reserveTicketIdsThrough(lastId: number): Promise<void>;
}

export class StoreError extends Error {
  override name = 'StoreError';
}
