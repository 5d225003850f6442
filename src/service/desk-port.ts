/**
 * The support desk as platform adapters see it: the one door in. An adapter
 * translates its platform's events into these calls — a message, an edit, a
 * deletion, a command, a chosen action — and reads what it shows (a ticket,
 * the queue) through it; it never touches the store or the delivery
 * machinery. What the desk says back in a channel goes out through the
 * platform's ChatPort (messages.ts), which the adapter attaches to its host.
 */
import type { Config } from '../config/schema.js';
import type { Author } from '../domain/people.js';
import type { Platform, Ticket } from '../domain/ticket.js';
import type { LinkOptions } from '../report/links.js';
import type { TrendModel } from '../report/trend.js';
import { StoreError } from '../store/ports.js';
import type { AlertInput, AlertOutcome } from './alerts.js';
import type { AvailabilitySnapshot } from './availability-view.js';
import type { ActionRequest, ActionResult, CommandRequest, CommandResult, QueueRow } from './commands.js';
import type { QueueSnapshot } from './queue-view.js';
import type { Reader } from './readers.js';
import type { IncomingMessage, MessageOutcome } from './tickets.js';

export type { ActionRequest, ActionResult, AlertInput, AlertOutcome, AvailabilitySnapshot, CommandRequest, CommandResult, IncomingMessage, MessageOutcome, QueueRow, QueueSnapshot };
export type { Asking, ChosenAction } from './commands.js';

export interface SupportDesk {
  /** The validated config (which channels are bound, who is staff by config). */
  readonly config: Config;
  /** The desk's time (epoch ms): what adapters stamp an event with when the platform gives no time. */
  now(): number;

  /** A message in a channel the platform delivers (or reconciliation reads): opens, joins or answers a ticket, or is ignored. */
  receiveMessage(message: IncomingMessage): Promise<MessageOutcome>;
  /** A message was edited: a ticket's message keeps its newest text. */
  messageEdited(platform: Platform, channelId: string, messageId: string, text: string, at: number): Promise<void>;
  /** A message was deleted: the ticket stays, its log notes it. */
  messageDeleted(platform: Platform, channelId: string, messageId: string, at: number): Promise<void>;

  /** A ticket command (`claim 42`); the reply says what happened, privately where it must be. Never throws for bad input. */
  runCommand(request: CommandRequest): Promise<CommandResult>;
  /** An action chosen on a card (a button, the severity menu), with the same checks as its command. */
  runAction(request: ActionRequest): Promise<ActionResult>;
  /** A staff member opens a ticket on any message of a bound channel (a reaction, a shortcut). */
  openFromMessage(message: IncomingMessage, opener: Author): Promise<CommandResult>;
  /** Alerts from monitoring: firing opens an incident, resolved resolves it; a redelivery changes nothing. */
  receiveAlerts(alerts: readonly AlertInput[]): Promise<AlertOutcome>;

  /** The reconciliation cursor of a channel: the last platform message position the adapter handled there. */
  getCursor(platform: Platform, channelId: string): Promise<string | undefined>;
  setCursor(platform: Platform, channelId: string, position: string): Promise<void>;

  /** Tickets not yet closed on one platform (adapters reconcile their threads after downtime). */
  activeTickets(platform: Platform): AsyncIterable<Ticket>;
  /** One ticket, as stored. */
  ticket(id: number): Promise<Ticket | undefined>;
  /** Open tickets, most urgent first (App Home), each row's line as `reader` reads it (default: staff). */
  queue(reader?: Reader): Promise<QueueRow[]>;
  /** The queue page's data: open tickets by time left, who is on call now and next. */
  queueSnapshot(links?: LinkOptions): Promise<QueueSnapshot>;
  /** The queue page's availability: open incidents, each customer's month so far. */
  availabilitySnapshot(): Promise<AvailabilitySnapshot>;
  /** Compliance per tier over the last `weeks` weeks (in `timezone`) and the first-response histogram. */
  compliance(options: { weeks: number; timezone: string }): Promise<TrendModel>;
  /** Calls `listener` after each ticket change made here or heard of from another replica. Returns the unsubscribe. */
  onTicketChanged(listener: (ticket: Ticket) => void): () => void;
}

/**
 * Whether the desk could not take an event for now (its store is
 * unavailable): the platform should deliver it again, so an adapter that can
 * refuse a delivery (an HTTP 500 to Slack) does.
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof StoreError;
}
