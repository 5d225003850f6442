/**
 * The one door in. Every adapter hands its platform's events to these
 * methods and nothing else; the bot runs the use case, posts what it says to
 * post through the platform's ChatPort, and keeps the scheduler in step.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Author } from '../domain/people.js';
import { viewTicket, type Platform, type Ticket } from '../domain/ticket.js';
import { noMetrics, type Metrics, type StateSnapshot } from '../observability/metrics.js';
import { EscalationScheduler } from '../scheduler/escalation-scheduler.js';
import { startHandoffAnnouncements, type HandoffAnnouncer } from '../scheduler/handoffs.js';
import { startWeeklyDigest, type DigestJob } from '../scheduler/digest.js';
import { startMonthlyStatement, type StatementJob } from '../scheduler/statement.js';
import type { MonthStatement } from '../availability/statement.js';
import { platformIdOf } from '../domain/people.js';
import { customerStatementCard, statementCard } from './statement-cards.js';
import type { TimerHost } from '../scheduler/deadline-timer.js';
import { LocalCoordinator, type Coordinator } from '../store/coordination.js';
import type { TicketStore } from '../store/ports.js';
import { Leadership } from '../scheduler/leadership.js';
import { openTicketFromMessage, queueRows, runCommand, type CommandRequest, type CommandResult } from './commands.js';
import { cursorKey } from './channel-state.js';
import { receiveAlerts, type AlertInput, type AlertOutcome } from './alerts.js';
import { createContext, type DeskContext } from './context.js';
import { deleteMessage, editMessage, handleMessage, type IncomingMessage, type MessageOutcome } from './desk.js';
import type { Logger } from './logger.js';
import type { Card, ChatPort, Outbound, SentRef } from './messages.js';
import { IncidentNotices, isNoticeKey } from './incident-notices.js';
import { Notifier } from './notify.js';
import { Outbox, type OutboxItem } from './outbox.js';
import { formatKey, parseKey } from './notification-key.js';

export interface BotOptions {
  config: Config;
  store: TicketStore;
  logger: Logger;
  now?: () => number;
  timers?: TimerHost;
  instanceId?: string;
  /** Several replicas on one store: leader lease and news of changed tickets. Default: one process alone. */
  coordinator?: Coordinator;
  /** How often a replica re-derives every open ticket, in case it missed news (ms; replicas only). */
  resyncEveryMs?: number;
}

export class Bot {
  readonly ctx: DeskContext;
  readonly outbox: Outbox;
  readonly notifier: Notifier;
  readonly scheduler: EscalationScheduler;
  /** Notices of incidents and maintenance to the affected customers' channels. */
  readonly incidentNotices: IncidentNotices;
  readonly instanceId: string;
  private readonly ports = new Map<Platform, ChatPort>();
  private readonly log: Logger;
  private busy = 0;
  private metrics: Metrics = noMetrics;
  private handoffs: HandoffAnnouncer | undefined;
  private digest: DigestJob | undefined;
  private statement: StatementJob | undefined;
  private readonly coordinator: Coordinator;
  private readonly replicated: boolean;
  private readonly leadership: Leadership;
  private readonly leaderListeners: ((leading: boolean) => void | Promise<void>)[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly resyncEveryMs: number;
  private readonly changeListeners = new Set<(ticket: Ticket) => void>();

  constructor(options: BotOptions) {
    const now = options.now ?? Date.now;
    this.log = options.logger;
    this.instanceId = options.instanceId ?? randomUUID();
    this.ctx = createContext(options.config, options.store, now);
    this.coordinator = options.coordinator ?? new LocalCoordinator();
    this.replicated = options.coordinator !== undefined;
    this.resyncEveryMs = options.resyncEveryMs ?? 120_000;
    this.ctx.onTicketChanged = (ticket) => {
      this.scheduler.refresh(ticket);
      this.emitTicketChanged(ticket);
      if (this.replicated) {
        this.coordinator.publishTicketChange(ticket.id, this.instanceId).catch((err: unknown) => this.log.warn({ err: describe(err) }, 'could not tell other replicas of a ticket change'));
      }
    };
    this.leadership = new Leadership(
      this.coordinator,
      { owner: this.instanceId, onError: (err) => this.log.warn({ err: describe(err) }, 'leader lease') },
      (leading) => this.leadershipChanged(leading),
    );
    const coalesce = options.config.notifications.coalesceWindow;
    const sendLeaseMs = options.config.notifications.sendLease;
    // Among replicas a send lease can run out while its notification waits here (a stalled store, say);
    // renewing it before sending keeps another replica's takeover from posting the same ping.
    const renew = async (items: OutboxItem[]): Promise<OutboxItem[]> => {
      const notices = items.filter((item) => isNoticeKey(item.key));
      const kept = [...(await this.notifier.renewClaims(items.filter((item) => !notices.includes(item)))), ...(await this.incidentNotices.renewClaims(notices))];
      const dropped = items.filter((item) => !kept.includes(item)).map((item) => item.key);
      if (dropped.length) this.log.warn({ keys: dropped }, 'notifications waited past their send lease and another replica took them over; not sending them here');
      return kept;
    };
    const renewClaims = this.replicated ? { renewClaims: { afterMs: sendLeaseMs / 2, renew } } : {};
    this.outbox = new Outbox({ intervalMs: { default: coalesce, shell: 0 }, now, ...renewClaims }, async (results) => {
      const sentAt = now();
      for (const r of results) {
        const about = r.item.about;
        if (r.error) {
          this.log.warn({ key: r.item.key, channel: r.item.channelId, err: describe(r.error) }, 'notification not sent; will retry');
          if (about) this.metrics.notificationFailed(about.kind);
        } else {
          this.log.info({ key: r.item.key, channel: r.item.channelId, late: about?.late }, 'notification sent');
          // The staff-channel post counts; a copy to a `channel:` target does not.
          const key = parseKey(r.item.key);
          if (about && key?.kind === 'step' && key.copyTo === undefined) {
            this.metrics.notificationSent(about.kind, about.late, sentAt - about.dueAt);
            if (about.kind === 'breach') this.metrics.breach(about.tier, about.clock);
          }
        }
      }
      const notices = results.filter((r) => isNoticeKey(r.item.key));
      await this.incidentNotices.recordResults(notices).catch((err: unknown) => this.log.error({ err: describe(err) }, 'could not record sent incident notices'));
      const changed = await this.notifier.recordResults(results.filter((r) => !notices.includes(r))).catch((err: unknown) => {
        this.log.error({ err: describe(err) }, 'could not record sent notifications');
        return [] as Ticket[];
      });
      for (const ticket of changed) this.scheduler.refresh(ticket);
    });
    this.notifier = new Notifier(this.ctx, this.outbox, { bootAt: now(), instanceId: this.instanceId, sendLeaseMs });
    this.scheduler = new EscalationScheduler(this.ctx, this.notifier, {
      instanceId: this.instanceId,
      sendLeaseMs,
      canDeliver: (platform) => this.outbox.hasPort(platform),
      ...(options.timers ? { host: options.timers } : {}),
      onError: (err, where) => this.log.error({ err: describe(err), where }, 'scheduler error'),
    });
    this.incidentNotices = new IncidentNotices(this.ctx, this.outbox, {
      instanceId: this.instanceId,
      sendLeaseMs,
      ...(options.timers ? { host: options.timers } : {}),
      onError: (err, where) => this.log.error({ err: describe(err), where }, 'incident notice error'),
    });
    this.ctx.openIncidentsFor = (customer) => this.incidentNotices.openFor(customer).map((incident) => incident.id);
    this.ctx.onIncidentChanged = (record) => {
      this.incidentNotices.refresh(record);
      if (this.replicated) {
        this.coordinator.publishIncidentChange(this.instanceId).catch((err: unknown) => this.log.warn({ err: describe(err) }, 'could not tell other replicas of an incident change'));
      }
    };
  }

  get config(): Config {
    return this.ctx.config;
  }

  /** Reports to these metrics from now on. */
  useMetrics(metrics: Metrics): void {
    this.metrics = metrics;
  }

  /** Open tickets by tier and running clocks (the metrics' gauges). */
  stateSnapshot(): StateSnapshot {
    return this.scheduler.snapshot();
  }

  attach(port: ChatPort): void {
    this.ports.set(port.platform, port);
    this.outbox.attach(port);
  }

  /** Stops delivering to a platform (the leader lost its Discord gateway); its notifications wait for a replica that can. */
  detach(platform: Platform): void {
    this.ports.delete(platform);
    this.outbox.detach(platform);
  }

  /** Re-derives every open ticket and what the incident log still owes (after attaching a platform, say). */
  async resync(): Promise<void> {
    await this.scheduler.resync();
    await this.incidentNotices.resync();
  }

  /**
   * Re-derives every open ticket's deadlines (what came due while down fires
   * now), listens for other replicas' changes, and runs for leadership.
   */
  async start(): Promise<{ tickets: number; deadlines: number }> {
    if (this.replicated) {
      await this.coordinator.onTicketChange(
        (id, from) => {
          if (from !== this.instanceId) void this.refreshFromStore(id);
        },
        () => {
          this.log.info({ instance: this.instanceId }, 'news of ticket changes may have been missed while Redis was away; re-deriving every open ticket');
          this.resyncAfterGap();
        },
      );
      await this.coordinator.onIncidentChange((from) => {
        if (from === this.instanceId) return;
        this.incidentNotices.resync().catch((err: unknown) => this.log.warn({ err: describe(err) }, 'could not read the incident log another replica changed'));
      });
      this.resyncTimer = setInterval(() => {
        this.resync().catch((err: unknown) => this.log.warn({ err: describe(err) }, 'resync failed'));
      }, this.resyncEveryMs);
      this.resyncTimer.unref();
    }
    const loaded = await this.scheduler.start();
    this.log.info(loaded, 'scheduler started');
    await this.incidentNotices.start();
    await this.leadership.start();
    return loaded;
  }

  /** Re-derives every open ticket, trying again each second a few times while the store is not back yet. */
  private resyncAfterGap(attempt = 1): void {
    this.scheduler.resync().catch((err: unknown) => {
      this.log.warn({ err: describe(err), attempt }, 'resync failed');
      if (attempt < 10) setTimeout(() => this.resyncAfterGap(attempt + 1), 1_000).unref();
    });
  }

  /** True while this replica leads (always, alone). */
  get isLeader(): boolean {
    return this.leadership.isLeader;
  }

  /** Called when this replica becomes or stops being the leader (e.g. to connect Discord's gateway). */
  onLeadership(listener: (leading: boolean) => void | Promise<void>): void {
    this.leaderListeners.push(listener);
  }

  private async leadershipChanged(leading: boolean): Promise<void> {
    this.log.info({ instance: this.instanceId, leading }, leading ? 'leading: running the recurring jobs' : 'no longer leading');
    if (leading) this.startRecurring();
    else this.stopRecurring();
    for (const listener of this.leaderListeners) await listener(leading);
  }

  /** Handoff announcements, the digest and the monthly statement: the leader's work. */
  private startRecurring(): void {
    this.statement = startMonthlyStatement(
      this.config,
      () => this.ctx.store.incidents().listAll(),
      this.ctx.now,
      (statement, at) => this.postStatement(statement, at),
      (err) => this.log.error({ err: describe(err) }, 'monthly availability statement failed'),
    );
    this.handoffs = startHandoffAnnouncements(this.config, this.ctx.now, (card) => void this.announce(card, this.config.announcements.handoffs?.channel));
    this.digest = startWeeklyDigest(
      this.config,
      () => this.ctx.store.listAll(),
      this.ctx.now,
      (card) => this.announce(card, this.config.digest?.channel),
      (err) => this.log.error({ err: describe(err) }, 'weekly digest failed'),
    );
  }

  private stopRecurring(): void {
    this.handoffs?.stop();
    this.digest?.stop();
    this.statement?.stop();
    this.handoffs = undefined;
    this.digest = undefined;
    this.statement = undefined;
  }

  private async refreshFromStore(id: number): Promise<void> {
    try {
      const ticket = await this.ctx.store.get(id);
      if (ticket) {
        this.scheduler.refresh(ticket);
        this.emitTicketChanged(ticket);
      }
    } catch (err) {
      this.log.warn({ ticket: id, err: describe(err) }, 'could not load a ticket another replica changed');
    }
  }

  async stop(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await this.leadership.stop();
    this.stopRecurring();
    this.scheduler.stop();
    this.incidentNotices.stop();
    await this.outbox.drain();
    this.outbox.close();
  }

  /** Resolves once nothing is due, sending or being handled (tests, a piped shell at end of input). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, 10));
      const next = this.scheduler.queue.peek();
      const noticeAt = this.incidentNotices.nextAt;
      const due = (next !== undefined && next.at <= this.ctx.now()) || (noticeAt !== undefined && noticeAt <= this.ctx.now());
      const working = this.scheduler.busy || this.incidentNotices.busy;
      if (!due && this.busy === 0 && !working && this.outbox.pendingCount === 0) {
        await this.outbox.drain();
        if (this.busy === 0 && !this.scheduler.busy && !this.incidentNotices.busy) return;
      }
      if (Date.now() > deadline) return;
    }
  }

  async receiveMessage(msg: IncomingMessage): Promise<MessageOutcome> {
    return this.track(async () => {
      const { result, outbound } = await handleMessage(this.ctx, msg);
      if (result.kind === 'opened') this.metrics.ticketOpened(viewTicket(result.ticket).tier);
      if (result.kind === 'ignored') this.log.debug({ platform: msg.platform, channel: msg.channelId, reason: result.reason }, 'message ignored');
      else this.log.info({ platform: msg.platform, channel: msg.channelId, outcome: result.kind, ticket: 'ticket' in result ? result.ticket.id : result.ticketId }, 'message handled');
      await this.post(outbound);
      return result;
    });
  }

  async runCommand(request: CommandRequest): Promise<CommandResult> {
    return this.track(async () => {
      const result = await runCommand(this.ctx, request);
      await this.post(result.outbound);
      return result;
    });
  }

  /** Alerts from monitoring (Alertmanager): firing opens an incident, resolved resolves it; a redelivery changes nothing. */
  async receiveAlerts(alerts: readonly AlertInput[]): Promise<AlertOutcome> {
    return this.track(async () => {
      const outcome = await receiveAlerts(this.ctx, alerts);
      for (const refused of outcome.refused) this.log.warn(refused, 'alert not recorded as an incident');
      if (outcome.opened.length || outcome.resolved.length) this.log.info({ opened: outcome.opened, resolved: outcome.resolved }, 'incidents from alerts');
      return outcome;
    });
  }

  async openFromMessage(msg: IncomingMessage, opener: Author): Promise<CommandResult> {
    return this.track(async () => {
      const result = await openTicketFromMessage(this.ctx, msg, opener);
      await this.post(result.outbound);
      return result;
    });
  }

  async messageEdited(platform: Platform, channelId: string, messageId: string, text: string, at: number): Promise<void> {
    await this.track(() => editMessage(this.ctx, platform, channelId, messageId, text, at));
  }

  async messageDeleted(platform: Platform, channelId: string, messageId: string, at: number): Promise<void> {
    await this.track(() => deleteMessage(this.ctx, platform, channelId, messageId, at));
  }

  /** Open tickets, most urgent first (App Home, queue pages). */
  async queue(): Promise<Awaited<ReturnType<typeof queueRows>>> {
    return queueRows(this.ctx, this.ctx.now());
  }

  /** Calls `listener` after each ticket change this bot makes or hears of from another replica (the queue page's live updates). Returns the unsubscribe. */
  onTicketChanged(listener: (ticket: Ticket) => void): () => void {
    this.changeListeners.add(listener);
    return () => {
      this.changeListeners.delete(listener);
    };
  }

  private emitTicketChanged(ticket: Ticket): void {
    for (const listener of this.changeListeners) {
      try {
        listener(ticket);
      } catch (err) {
        this.log.warn({ ticket: ticket.id, err: describe(err) }, 'ticket change listener failed');
      }
    }
  }

  /** Tickets not yet closed on one platform (adapters reconcile their threads after downtime). */
  async *activeTickets(platform: Platform): AsyncGenerator<Ticket> {
    for await (const ticket of this.ctx.store.listActive()) if (ticket.platform === platform) yield ticket;
  }

  /** The last platform message id an adapter has seen in a channel (its reconciliation cursor). */
  async getCursor(platform: Platform, channelId: string): Promise<string | undefined> {
    return this.ctx.store.getMeta(cursorKey(platform, channelId));
  }

  async setCursor(platform: Platform, channelId: string, messageId: string): Promise<void> {
    await this.ctx.store.setMeta(cursorKey(platform, channelId), messageId);
  }

  /**
   * The monthly availability statement: the summary to the staff channel (or
   * `availability.statement.channel`), each customer's line to its account
   * engineer as a direct message, on the first connected platform they have an id on.
   */
  async postStatement(statement: MonthStatement, at: number): Promise<void> {
    await this.announce(statementCard(this.config, statement, at), this.config.availability.statement.channel);
    const dms: Outbound[] = [];
    for (const line of statement.customers) {
      const engineer = this.config.customers.find((c) => c.id === line.customer)?.accountEngineer;
      const platform = engineer ? [...this.ports.keys()].find((p) => platformIdOf(this.config, p, engineer) !== undefined) : undefined;
      if (!engineer || !platform) continue;
      dms.push({ type: 'dm', platform, channelId: `dm:${engineer}`, person: engineer, card: customerStatementCard(this.config, statement, line) });
    }
    await this.post(dms);
  }

  /** Posts a card to `channel` (default: the staff channel) of every connected platform. */
  async announce(card: Card, channel?: string): Promise<void> {
    const posts: Outbound[] = [];
    for (const platform of this.ports.keys()) {
      const channelId = channel ?? this.config.staff.channels[platform];
      if (channelId) posts.push({ type: 'post', platform, channelId, card });
    }
    await this.post(posts);
  }

  /**
   * Posts messages a use case produced (thread acknowledgements, state changes). A failed post is logged, never lost silently.
   * A store failure while acknowledging a ticket is thrown, so the event that opened it is refused and delivered again.
   */
  async post(outbound: readonly Outbound[]): Promise<void> {
    for (const message of outbound) {
      const port = this.ports.get(message.platform);
      if (!port) {
        this.log.warn({ platform: message.platform }, 'no connection for this platform; message not posted');
        continue;
      }
      if (message.type === 'thread' && message.ack) {
        await this.acknowledge(port, message, message.ack.resend);
        continue;
      }
      try {
        await port.send(message);
      } catch (err) {
        this.log.error({ platform: message.platform, channel: message.channelId, err: describe(err) }, 'post failed');
      }
    }
  }

  /**
   * Posts a ticket's acknowledgement unless the ticket records it posted, then
   * records it — under a lock per ticket, so two deliveries of the opening
   * message on two replicas do not both post it. A redelivery (`resend`) asks
   * the platform first whether an attempt of a process that died got through.
   */
  private async acknowledge(port: ChatPort, message: Extract<Outbound, { type: 'thread' }>, resend: boolean): Promise<void> {
    const id = message.ticketId;
    await this.ctx.store.withLock(`ack:${id}`, async () => {
      if ((await this.ctx.store.get(id))?.ack?.status !== 'pending') return;
      if (resend) this.log.info({ ticket: id }, 'the acknowledgement of this ticket was not recorded by an earlier delivery; posting it unless the thread has it');
      let ref: SentRef | undefined;
      try {
        ref = await port.send(message, { idempotencyKey: formatKey({ kind: 'ack', ticketId: id }), resend });
      } catch (err) {
        this.log.error({ platform: message.platform, channel: message.channelId, ticket: id, err: describe(err) }, 'acknowledgement not posted; a redelivery of the message will post it');
        return;
      }
      const posted = { status: 'posted' as const, at: this.ctx.now(), ...(ref ? { ref: ref.messageId } : {}) };
      await this.ctx.store.update(id, (ticket) => (ticket.ack?.status === 'pending' ? { ...ticket, ack: posted } : undefined));
    });
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await work();
    } finally {
      this.busy--;
    }
  }
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
