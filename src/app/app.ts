/**
 * slawatch running: the desk adapters talk to, and the machinery behind it —
 * the store's context, the outbox and the notifier, the escalation
 * scheduler, the incident notices, the recurring jobs the leader runs, and,
 * among replicas, the leader lease and the news of other replicas' changes.
 * The composition root (src/cli/start.ts) builds one and connects the
 * adapters to it: each attaches its platform's ChatPort here and reaches the
 * desk through it (the PlatformHost of adapters/platform.ts).
 */
import { randomUUID } from 'node:crypto';
import type { MonthStatement } from '../availability/statement.js';
import type { Config } from '../config/schema.js';
import type { Platform, Ticket } from '../domain/ticket.js';
import { noMetrics, type Metrics, type StateSnapshot } from '../observability/metrics.js';
import type { TimerHost } from '../scheduler/deadline-timer.js';
import { startWeeklyDigest, type DigestJob } from '../scheduler/digest.js';
import { EscalationScheduler } from '../scheduler/escalation-scheduler.js';
import { startHandoffAnnouncements, type HandoffAnnouncer } from '../scheduler/handoffs.js';
import { Leadership } from '../scheduler/leadership.js';
import { startMonthlyStatement, type StatementJob } from '../scheduler/statement.js';
import { announcement, handoffCard, statementMessages } from '../service/announcements.js';
import { createContext, type DeskContext } from '../service/context.js';
import { Desk } from '../service/desk.js';
import { digestCard } from '../service/digest-card.js';
import { IncidentNotices, isNoticeKey } from '../service/incident-notices.js';
import { describe, type Logger } from '../service/logger.js';
import type { LinkOptions } from '../report/links.js';
import type { Card, ChatPort, Outbound, OutboundPort } from '../service/messages.js';
import { parseKey } from '../service/notification-key.js';
import { Notifier } from '../service/notify.js';
import { Outbox, type OutboxItem } from '../service/outbox.js';
import { keepingStaffMessagesInternal } from '../service/platform-rules.js';
import { Poster } from '../service/posting.js';
import { LocalCoordinator, type Coordinator } from '../store/coordination.js';
import type { TicketStore } from '../store/ports.js';
import { StoreHealth, type StoreHealthOptions } from '../store/health.js';
import { CatchUpDriver, type CatchUpHost } from './catch-up.js';

export interface AppOptions {
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
  /** How ticket links in e-mails, webhook bodies and pager events are made. */
  links?: LinkOptions;
  /** How often the store is probed, up and down (ms; tests shorten them). */
  storeProbe?: Pick<StoreHealthOptions, 'upProbeMs' | 'downProbeMs'>;
}

export class App {
  /** The door adapters use (adapters/platform.ts, PlatformHost). */
  readonly desk: Desk;
  readonly outbox: Outbox;
  readonly notifier: Notifier;
  readonly scheduler: EscalationScheduler;
  /** Notices of incidents and maintenance to the affected customers' channels. */
  readonly incidentNotices: IncidentNotices;
  readonly instanceId: string;
  private readonly ctx: DeskContext;
  private readonly poster: Poster;
  private readonly log: Logger;
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
  /** Whether the store answers; its return after an outage starts a catch-up on every platform. */
  readonly storeHealth: StoreHealth;
  /** Catching up on the bound channels while running (adapters attach theirs; PlatformHost). */
  readonly catchUp: CatchUpHost;
  private readonly catchUpDriver: CatchUpDriver;

  constructor(options: AppOptions) {
    const now = options.now ?? Date.now;
    this.log = options.logger;
    this.instanceId = options.instanceId ?? randomUUID();
    this.storeHealth = new StoreHealth(options.store, {
      ...options.storeProbe,
      now,
      onDown: (since) => this.catchUpDriver.storeDown(since),
      onUp: (downSince) => this.catchUpDriver.storeUp(downSince),
    });
    this.ctx = createContext(options.config, this.storeHealth.watch(options.store), now);
    this.catchUpDriver = new CatchUpDriver({
      store: this.ctx.store,
      log: this.log,
      now,
      intervalMs: options.config.catchUp.interval,
      overlapMs: options.config.catchUp.overlap,
      leads: () => this.leadership.isLeader,
      storeUp: () => this.storeHealth.isUp,
    });
    this.catchUp = this.catchUpDriver;
    this.coordinator = options.coordinator ?? new LocalCoordinator();
    this.replicated = options.coordinator !== undefined;
    this.resyncEveryMs = options.resyncEveryMs ?? 120_000;
    this.poster = new Poster(this.ctx, this.log);
    this.desk = new Desk({ context: this.ctx, logger: this.log, deliver: (outbound) => this.poster.post(outbound) });
    this.ctx.onTicketChanged = (ticket) => {
      this.scheduler.refresh(ticket);
      this.desk.ticketChanged(ticket);
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
        this.metrics.delivery(r.item.external?.via ?? r.item.platform, !r.error);
        if (r.item.external) {
          // A target outside chat: logged by kind and target, never with its address or secret.
          if (r.error) this.log.warn({ key: r.item.key, target: `${r.item.external.via}:${r.item.channelId}`, err: describe(r.error) }, 'delivery not made; will retry');
          else this.log.info({ key: r.item.key, target: `${r.item.external.via}:${r.item.channelId}` }, 'delivery made');
          continue;
        }
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
    this.notifier = new Notifier(this.ctx, this.outbox, {
      bootAt: now(),
      instanceId: this.instanceId,
      sendLeaseMs,
      retryAfterMs: options.config.notifications.retryAfter,
      ...(options.links ? { links: options.links } : {}),
    });
    this.scheduler = new EscalationScheduler(this.notifier, {
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
    this.desk.useMetrics(metrics);
  }

  /** Open tickets by tier and running clocks (the metrics' gauges). */
  stateSnapshot(): StateSnapshot {
    const now = this.ctx.now();
    const catchUp = [...this.catchUpDriver.progress()].map(([platform, progress]) => ({
      platform,
      channelsBehind: progress.channelsBehind,
      oldestCursorAgeSeconds: progress.oldestCursorAt === undefined ? 0 : Math.max(0, (now - progress.oldestCursorAt) / 1000),
      ...(progress.lastPassAt !== undefined ? { lastPassAt: progress.lastPassAt } : {}),
    }));
    return { ...this.scheduler.snapshot(), storeUp: this.storeHealth.isUp, catchUp };
  }

  /** Delivers to a platform from now on (what the desk posts, notifications, notices) — never a staff message into a customer channel. */
  attach(port: ChatPort): void {
    const guarded = keepingStaffMessagesInternal(port, this.config, this.log);
    this.poster.attach(guarded);
    this.outbox.attach(guarded);
  }

  /** Delivers to pagers, webhooks or e-mail (adapters/outbound) from now on. */
  attachOutbound(port: OutboundPort): void {
    this.outbox.attachOutbound(port);
  }

  /** Stops delivering to a platform (the leader lost its Discord gateway); its notifications wait for a replica that can. */
  detach(platform: Platform): void {
    this.poster.detach(platform);
    this.outbox.detach(platform);
  }

  /** Delivers what is queued now, before a platform's connection closes. */
  flush(): Promise<void> {
    return this.outbox.drain();
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
    this.storeHealth.start();
    this.catchUpDriver.start();
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
    if (leading) this.catchUpDriver.leadershipGained();
    for (const listener of this.leaderListeners) await listener(leading);
  }

  /** Handoff announcements, the digest and the monthly statement: the leader's work. */
  private startRecurring(): void {
    const { config, ctx } = this;
    this.statement = startMonthlyStatement(
      config,
      () => ctx.store.incidents().listAll(),
      ctx.now,
      (statement, at) => this.postStatement(statement, at),
      (err) => this.log.error({ err: describe(err) }, 'monthly availability statement failed'),
    );
    this.handoffs = startHandoffAnnouncements(config, ctx.now, (scheduleId, at) => void this.announce(handoffCard(config, scheduleId, at), config.announcements.handoffs?.channel));
    this.digest = startWeeklyDigest(
      config,
      () => ctx.store.listAll(),
      ctx.now,
      (figures) => this.announce(digestCard(config, figures), config.digest?.channel),
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
        this.desk.ticketChanged(ticket);
      }
    } catch (err) {
      this.log.warn({ ticket: id, err: describe(err) }, 'could not load a ticket another replica changed');
    }
  }

  async stop(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.storeHealth.stop();
    this.catchUpDriver.stop();
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
      if (!due && !this.desk.busy && !working && this.outbox.pendingCount === 0) {
        await this.outbox.drain();
        if (!this.desk.busy && !this.scheduler.busy && !this.incidentNotices.busy) return;
      }
      if (Date.now() > deadline) return;
    }
  }

  /** The monthly availability statement to the connected platforms (announcements.ts). */
  async postStatement(statement: MonthStatement, at: number): Promise<void> {
    await this.post(statementMessages(this.config, statement, at, this.poster.platforms));
  }

  /** Posts a card to `channel` (default: the staff channel) of every connected platform. */
  private async announce(card: Card, channel?: string): Promise<void> {
    await this.post(announcement(this.config, card, this.poster.platforms, channel));
  }

  /** Posts messages through the connected platforms (what the desk's use cases and the recurring jobs produce). */
  post(outbound: readonly Outbound[]): Promise<void> {
    return this.poster.post(outbound);
  }
}
