/**
 * The desk: the SupportDesk port (desk-port.ts) over the use cases. It runs
 * each call's use case, applies the platform rules to what it answers
 * (platform-rules.ts), and hands what the use case says to post to the
 * delivery it was given. The running machinery (scheduler, outbox,
 * replicas) is the app's (src/app); the desk only tells it of changes
 * through the context's hooks.
 */
import type { Config } from '../config/schema.js';
import type { Author } from '../domain/people.js';
import { viewTicket, type Platform, type Ticket } from '../domain/ticket.js';
import { noMetrics, type Metrics } from '../observability/metrics.js';
import type { LinkOptions } from '../report/links.js';
import { buildTrend, type TrendModel } from '../report/trend.js';
import { receiveAlerts, type AlertInput, type AlertOutcome } from './alerts.js';
import { availabilitySnapshot, type AvailabilitySnapshot } from './availability-view.js';
import { cursorKey } from './channel-state.js';
import { openTicketFromMessage, queueRows, runAction, runCommand, type ActionRequest, type ActionResult, type CommandRequest, type CommandResult, type QueueRow } from './commands.js';
import type { DeskContext } from './context.js';
import type { SupportDesk } from './desk-port.js';
import { describe, type Logger } from './logger.js';
import type { Outbound } from './messages.js';
import { privateInCustomerChannels } from './platform-rules.js';
import { voiceOf } from '../i18n/index.js';
import { staffReader, type Reader } from './readers.js';
import { queueSnapshot, type QueueSnapshot } from './queue-view.js';
import { deleteMessage, editMessage, handleMessage, type IncomingMessage, type MessageOutcome } from './tickets.js';

export interface DeskOptions {
  context: DeskContext;
  logger: Logger;
  /** Posts what the use cases produce (thread acknowledgements, state changes). */
  deliver: (outbound: readonly Outbound[]) => Promise<void>;
}

export class Desk implements SupportDesk {
  private readonly ctx: DeskContext;
  private readonly log: Logger;
  private readonly deliver: (outbound: readonly Outbound[]) => Promise<void>;
  private metrics: Metrics = noMetrics;
  private working = 0;
  private readonly listeners = new Set<(ticket: Ticket) => void>();

  constructor(options: DeskOptions) {
    this.ctx = options.context;
    this.log = options.logger;
    this.deliver = options.deliver;
  }

  get config(): Config {
    return this.ctx.config;
  }

  now(): number {
    return this.ctx.now();
  }

  /** Reports to these metrics from now on. */
  useMetrics(metrics: Metrics): void {
    this.metrics = metrics;
  }

  /** True while a call is being handled (the app's idle check). */
  get busy(): boolean {
    return this.working > 0;
  }

  async receiveMessage(message: IncomingMessage): Promise<MessageOutcome> {
    return this.track(async () => {
      const { result, outbound } = await handleMessage(this.ctx, message);
      if (result.kind === 'opened') this.metrics.ticketOpened(viewTicket(result.ticket).tier);
      if (result.kind === 'ignored') this.log.debug({ platform: message.platform, channel: message.channelId, reason: result.reason }, 'message ignored');
      else this.log.info({ platform: message.platform, channel: message.channelId, outcome: result.kind, ticket: 'ticket' in result ? result.ticket.id : result.ticketId }, 'message handled');
      await this.deliver(outbound);
      return result;
    });
  }

  async messageEdited(platform: Platform, channelId: string, messageId: string, text: string, at: number): Promise<void> {
    await this.track(() => editMessage(this.ctx, platform, channelId, messageId, text, at));
  }

  async messageDeleted(platform: Platform, channelId: string, messageId: string, at: number): Promise<void> {
    await this.track(() => deleteMessage(this.ctx, platform, channelId, messageId, at));
  }

  async runCommand(request: CommandRequest): Promise<CommandResult> {
    return this.track(async () => {
      const result = privateInCustomerChannels(this.config, request, await runCommand(this.ctx, request));
      await this.deliver(result.outbound);
      return result;
    });
  }

  async runAction(request: ActionRequest): Promise<ActionResult> {
    return this.track(async () => {
      const result = privateInCustomerChannels(this.config, request, await runAction(this.ctx, request));
      await this.deliver(result.outbound);
      return result;
    });
  }

  async openFromMessage(message: IncomingMessage, opener: Author): Promise<CommandResult> {
    return this.track(async () => {
      const result = await openTicketFromMessage(this.ctx, message, opener);
      await this.deliver(result.outbound);
      return result;
    });
  }

  async receiveAlerts(alerts: readonly AlertInput[]): Promise<AlertOutcome> {
    return this.track(async () => {
      const outcome = await receiveAlerts(this.ctx, alerts);
      for (const refused of outcome.refused) this.log.warn(refused, 'alert not recorded as an incident');
      if (outcome.opened.length || outcome.resolved.length) this.log.info({ opened: outcome.opened, resolved: outcome.resolved }, 'incidents from alerts');
      return outcome;
    });
  }

  async getCursor(platform: Platform, channelId: string): Promise<string | undefined> {
    return this.ctx.store.getMeta(cursorKey(platform, channelId));
  }

  async setCursor(platform: Platform, channelId: string, position: string): Promise<void> {
    await this.ctx.store.setMeta(cursorKey(platform, channelId), position);
  }

  async *activeTickets(platform: Platform): AsyncGenerator<Ticket> {
    for await (const ticket of this.ctx.store.listActive()) if (ticket.platform === platform) yield ticket;
  }

  ticket(id: number): Promise<Ticket | undefined> {
    return this.ctx.store.get(id);
  }

  queue(reader?: Reader): Promise<QueueRow[]> {
    return queueRows(this.ctx, this.ctx.now(), voiceOf(reader ?? staffReader(this.config)));
  }

  queueSnapshot(links?: LinkOptions): Promise<QueueSnapshot> {
    return queueSnapshot(this.ctx, links);
  }

  availabilitySnapshot(): Promise<AvailabilitySnapshot> {
    return availabilitySnapshot(this.ctx);
  }

  compliance(options: { weeks: number; timezone: string }): Promise<TrendModel> {
    return buildTrend(this.config, this.ctx.store.listAll(), { at: this.ctx.now(), ...options });
  }

  onTicketChanged(listener: (ticket: Ticket) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Tells the onTicketChanged listeners of a change (one made here, or one another replica made). */
  ticketChanged(ticket: Ticket): void {
    for (const listener of this.listeners) {
      try {
        listener(ticket);
      } catch (err) {
        this.log.warn({ ticket: ticket.id, err: describe(err) }, 'ticket change listener failed');
      }
    }
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    this.working++;
    try {
      return await work();
    } finally {
      this.working--;
    }
  }
}
