/**
 * The "fire due notifications" use case, at most once per key.
 *
 * For a ticket whose ladder has a step due: (1) record the step's key as
 * `sending`, with the rendered messages, in the ticket — serialized per
 * ticket, so of two callers only one records it; (2) hand the messages to
 * the outbox; (3) mark the key `sent`. A crash between (1) and (3) leaves
 * `sending` behind: the next process resends the recorded messages with the
 * same idempotency key, which Discord deduplicates (enforced nonce) and the
 * Slack adapter checks against the channel history; the shell cannot tell,
 * so there a crash in that window may repeat a ping rather than lose it.
 *
 * Steps that came due while the bot was down fire once, late, saying so:
 * for one clock only the most advanced step; the ones it supersedes are
 * recorded as `skipped`.
 *
 * The customer-side follow-ups (escalation/follow-ups.ts: a waiting
 * reminder, an auto-resolve, an auto-close) go the same way, under their own
 * keys (`waiting:1:reminder`), but into the ticket's thread.
 */
import { platformIdOf } from '../domain/people.js';
import type { NotificationRecord, Platform, Ticket } from '../domain/ticket.js';
import type { DeadlineEntry } from '../scheduler/deadline-queue.js';
import type { DeadlineSource } from '../scheduler/escalation-scheduler.js';
import { insertEvent, isOpenState, viewTicket } from '../domain/ticket.js';
import { followUpsOf, type FollowUp } from '../escalation/follow-ups.js';
import { engineerOrStandIn } from '../escalation/ladder.js';
import { lifecycleDue } from '../escalation/outbound.js';
import { dueSteps, firstUnfired, foldOverdue, replayTimeline, toNotification, type Timeline } from '../escalation/timeline.js';
import type { LinkOptions } from '../report/links.js';
import { engineerCard, followUpCard, notificationCard } from './cards.js';
import { customerForChannel, staffChannelFor, type DeskContext } from './context.js';
import { renewClaim, settle, takeOver, takeOverAt } from './delivery.js';
import { formatKey, parseKey, recordKey, type NotificationKey } from './notification-key.js';
import { lifecycleDeliveries, stepDeliveries, type OutboundDelivery } from './outbound.js';
import { customerVoice, personVoice, staffVoice } from './readers.js';
import type { Outbox, OutboxItem, OutboxResult } from './outbox.js';

export interface NotifierOptions {
  /** This process's start (epoch ms): steps due before it came due while the bot was down. */
  bootAt: number;
  /** Names this process in `sending` records, so a restart can tell a dead process's sends from its own. */
  instanceId: string;
  /** A step handed over this long after its instant is reported late (ms). */
  lateAfterMs?: number;
  /**
   * How long a `sending` record belongs to the process that wrote it. Past
   * that, the process is presumed dead and another one resends (ms).
   */
  sendLeaseMs?: number;
  /** The first wait before a failed send is tried again (ms; doubles each time, up to 5 min). */
  retryAfterMs?: number;
  /** How ticket links in e-mails, webhook bodies and pager events are made (report/links.ts). */
  links?: LinkOptions;
}

export const DEFAULT_SEND_LEASE_MS = 10_000;

/** The next instant each live clock of a ticket needs attention (none for resolved or closed tickets). */
export function pendingDeadlines(
  ctx: DeskContext,
  ticket: Ticket,
  now: number,
  instanceId: string,
  leaseMs = DEFAULT_SEND_LEASE_MS,
  canDeliver: (platform: Platform) => boolean = () => true,
): DeadlineEntry[] {
  const out: DeadlineEntry[] = [];
  // A replica only takes on notifications it can deliver (only the leader holds Discord's gateway).
  if (!canDeliver(notifyPlatform(ctx, ticket))) return out;
  // Another process's send is taken over when its lease runs out; a failed one is retried at its time.
  const resendAt = takeOverAt(ticket.notifications, now, instanceId, leaseMs);
  if (resendAt !== Infinity) out.push({ key: `${ticket.id}:resend`, at: resendAt });
  // The account engineer's message at open, and what the pagers and webhooks a ladder reached still owe.
  if (ticket.notifications.engineer?.status === 'due') out.push({ key: `${ticket.id}:engineer`, at: ticket.notifications.engineer.dueAt });
  const state = viewTicket(ticket).state;
  const alerting = hasAlerts(ticket);
  if (state === 'closed' && !alerting) return out;
  const timeline = replayTimeline(ticket.events, ctx, now, false);
  if (alerting && lifecycleDue(ticket.notifications, lifecycleState(timeline)).length) out.push({ key: `${ticket.id}:alerts`, at: now });
  if (state === 'closed') return out;
  if (isOpenState(state)) {
    for (const clock of timeline.clocks.live()) {
      const step = firstUnfired(clock, timeline.ladder, (key) => ticket.notifications[key] !== undefined);
      if (step) out.push({ key: `${ticket.id}:${clock.kind}`, at: step.at });
    }
  }
  // Posted in the ticket's own thread: only a process that can reach the ticket's platform takes them on (else it would wake for nothing).
  const followUp = canDeliver(ticket.platform) ? pendingFollowUps(ticket, timeline)[0] : undefined;
  if (followUp) out.push({ key: `${ticket.id}:followUp`, at: followUp.at });
  return out;
}

/**
 * The customer-side follow-ups of the ticket's current wait or resolve not
 * yet handled (escalation/follow-ups.ts), in time order: recorded under
 * their keys like ladder steps, at most once.
 */
export function pendingFollowUps(ticket: Ticket, timeline: Pick<Timeline, 'loop' | 'position'>): FollowUp[] {
  if (!timeline.position) return [];
  const carriedOut = new Set(ticket.events.flatMap((e) => ((e.type === 'resolved' || e.type === 'closed') && e.auto ? [e.auto] : [])));
  return followUpsOf(timeline.loop, timeline.position).filter((f) => ticket.notifications[f.key] === undefined && !carriedOut.has(f.key));
}

/**
 * Whether slawatch may still post into the ticket's thread: not when its
 * opening message was deleted, nor when its channel is no longer the
 * customer's (the ticket was moved, or the channel unbound).
 */
export function threadStillThere(ctx: DeskContext, ticket: Ticket): boolean {
  const deleted = ticket.events.some((e) => e.type === 'message_deleted' && (e.messageId === ticket.threadId || e.messageId === ticket.events[0]?.messageId));
  return !deleted && customerForChannel(ctx.config, ticket.platform, ticket.channelId)?.id === ticket.customer;
}

/** Whether a pager or webhook was ever sent anything for the ticket (then its claim and its end are told to them). */
function hasAlerts(ticket: Ticket): boolean {
  for (const key in ticket.notifications) if (key.startsWith('pagerduty:') || key.startsWith('webhook:')) return true;
  return false;
}

function lifecycleState(timeline: Timeline): Parameters<typeof lifecycleDue>[1] {
  return { state: timeline.state, clocks: timeline.clocks, claimed: timeline.assignee !== undefined };
}

/** The platform whose staff channel gets a ticket's notifications. */
export function notifyPlatform(ctx: DeskContext, ticket: Ticket): Platform {
  return staffChannelFor(ctx.config, ticket.platform)?.platform ?? ticket.platform;
}

/** What the escalation scheduler keeps the time for (src/scheduler/escalation-scheduler.ts). */
export class Notifier implements DeadlineSource {
  constructor(
    private readonly ctx: DeskContext,
    private readonly outbox: Outbox,
    private readonly options: NotifierOptions,
  ) {}

  now(): number {
    return this.ctx.now();
  }

  activeTickets(): AsyncIterable<Ticket> {
    return this.ctx.store.listActive();
  }

  /** A ticket's next instants — only of notifications this process can deliver now (its port is attached). */
  deadlinesOf(ticket: Ticket, now: number): DeadlineEntry[] {
    return pendingDeadlines(this.ctx, ticket, now, this.options.instanceId, this.options.sendLeaseMs, (platform) => this.outbox.hasPort(platform));
  }

  /** Fires what is due for one ticket now; returns the ticket as stored and how many messages went to the outbox. */
  async fireDue(ticketId: number): Promise<{ ticket: Ticket; sent: number }> {
    const now = this.ctx.now();
    let items: OutboxItem[] = [];
    let before = 0;
    const stored = await this.ctx.store.update(ticketId, (ticket) => {
      items = [];
      before = ticket.events.length;
      /** A record changed without anything to send (the engineer's message with nobody to reach). */
      let recorded = false;
      if (!this.outbox.hasPort(notifyPlatform(this.ctx, ticket))) return undefined;
      const records: Record<string, NotificationRecord> = { ...ticket.notifications };
      // Take over what a dead process was sending, and retry what failed.
      items.push(...takeOver(records, now, this.options.instanceId, this.options.sendLeaseMs ?? DEFAULT_SEND_LEASE_MS));
      const claim = (deliveries: OutboundDelivery[], dueAt: number, late: boolean) => {
        for (const { record, item } of deliveries) {
          records[record] = { status: 'sending', dueAt, late, owner: this.options.instanceId, claimedAt: now, outbox: [item] };
          items.push({ ...item, claimedAt: now });
        }
      };
      if (records.engineer?.status === 'due') {
        items.push(...this.engineerMessage(ticket, records, now));
        recorded = true;
      }
      const open = isOpenState(viewTicket(ticket).state);
      const timeline = open || hasAlerts(ticket) ? replayTimeline(ticket.events, this.ctx, now, false) : undefined;
      if (timeline && open) {
        for (const clock of timeline.clocks.live()) {
          const due = dueSteps(clock, timeline.ladder, (key) => records[key] !== undefined, now, true);
          const folded = foldOverdue(due, now);
          if (!folded) continue;
          for (const key of folded.supersedes) records[key] = { status: 'skipped', dueAt: folded.at };
          const step = due[due.length - 1] as (typeof due)[number];
          const late = step.at < this.options.bootAt || now - step.at > (this.options.lateAfterMs ?? 60_000);
          const notification = toNotification(step, clock, timeline, this.ctx);
          const card = notificationCard(this.ctx, ticket, notification, now, late, clock.calendar.timezone, staffVoice(this.ctx.config));
          const about = { kind: step.kind, tier: timeline.tier, clock: step.clock, dueAt: step.at, late };
          const rendered = this.itemsFor(ticket, step.key, card, notification.to).map((item) => ({ ...item, about }));
          records[step.key] = { status: 'sending', dueAt: step.at, late, owner: this.options.instanceId, claimedAt: now, outbox: rendered };
          items.push(...rendered.map((item) => ({ ...item, claimedAt: now })));
          // Pagers, webhooks and e-mail the step names: each its own record, so each is sent (and retried) on its own.
          const base = { platform: notifyPlatform(this.ctx, ticket), about };
          claim(stepDeliveries(this.ctx, ticket, notification, card, (record) => records[record] !== undefined, base, this.options.links ?? {}), step.at, late);
        }
      }
      if (timeline) {
        const due = lifecycleDue(records, lifecycleState(timeline));
        // A resolve due makes an acknowledgement not yet sent pointless: recorded as skipped, never sent after it.
        for (const d of due) {
          if (d.action !== 'resolve') continue;
          const ack = `${d.via}:${d.target}/${d.clock}:${d.cycle}:acknowledge`;
          if (records[ack] === undefined) records[ack] = { status: 'skipped', dueAt: now };
        }
        claim(lifecycleDeliveries(this.ctx, ticket, due, now, staffVoice(this.ctx.config), { platform: notifyPlatform(this.ctx, ticket) }, this.options.links ?? {}), now, false);
      }
      const followed = this.fireFollowUps(ticket, records, now);
      items.push(...followed.items);
      return items.length || recorded || followed.changed ? { ...followed.ticket, notifications: records } : undefined;
    });
    for (const item of items) this.outbox.enqueue(item);
    if (stored.events.length !== before) this.ctx.onTicketChanged?.(stored);
    return { ticket: stored, sent: items.length };
  }

  /**
   * The customer-side follow-ups due now, in time order: a waiting reminder
   * in the thread; an auto-resolve (the ticket resolved at the follow-up's
   * instant, as `replay` shows it, with a note that any reply reopens it);
   * an auto-close when the reopen window ends. Each is recorded under its
   * key before its post, like a ladder step. A reminder that an auto-resolve
   * due at the same time makes moot (the bot was down) is `skipped`; a
   * thread that is gone gets no post, the state change happens all the same.
   */
  private fireFollowUps(ticket: Ticket, records: Record<string, NotificationRecord>, now: number): { ticket: Ticket; items: OutboxItem[]; changed: boolean } {
    const items: OutboxItem[] = [];
    let current = ticket;
    let changed = false;
    if (!this.outbox.hasPort(ticket.platform)) return { ticket, items, changed };
    for (let guard = 0; guard < 8; guard++) {
      if (viewTicket(current).state === 'closed') break;
      const timeline = replayTimeline(current.events, this.ctx, now, false);
      const due = pendingFollowUps({ ...current, notifications: records }, timeline).filter((f) => f.at <= now);
      const followUp = due[0];
      if (!followUp) break;
      changed = true;
      if (followUp.kind === 'reminder' && due.length > 1) {
        records[followUp.key] = { status: 'skipped', dueAt: followUp.at };
        continue;
      }
      if (followUp.kind !== 'reminder') {
        const event = followUp.kind === 'auto_resolve' ? ({ type: 'resolved', at: followUp.at, auto: followUp.key } as const) : ({ type: 'closed', at: followUp.at, auto: followUp.key } as const);
        const inserted = insertEvent(current, event);
        if ('refused' in inserted) {
          records[followUp.key] = { status: 'skipped', dueAt: followUp.at };
          continue;
        }
        current = inserted.ticket;
      }
      const late = followUp.at < this.options.bootAt || now - followUp.at > (this.options.lateAfterMs ?? 60_000);
      if (!threadStillThere(this.ctx, current)) {
        records[followUp.key] = { status: 'skipped', dueAt: followUp.at, late };
        continue;
      }
      const card = followUpCard(this.ctx, current, followUp.kind, customerVoice(this.ctx.config, current.customer));
      const item: OutboxItem = {
        platform: current.platform,
        channelId: current.channelId,
        card,
        key: formatKey({ kind: 'step', ticketId: current.id, step: followUp.key }),
        thread: { threadId: current.threadId, ticketId: current.id },
        // Counted in the notification metrics under its kind (reminder, auto_resolve, auto_close); it concerns no clock.
        about: { kind: followUp.kind, tier: viewTicket(current).tier, clock: 'none', dueAt: followUp.at, late },
      };
      records[followUp.key] = { status: 'sending', dueAt: followUp.at, late, owner: this.options.instanceId, claimedAt: now, outbox: [item] };
      items.push({ ...item, claimedAt: now });
    }
    return { ticket: current, items, changed };
  }

  /**
   * The account engineer's direct message at a ticket's open (its `due` record claimed here): to the
   * engineer, or, when they are off then, to whoever is on call, saying so. Nobody to send it to: skipped.
   */
  private engineerMessage(ticket: Ticket, records: Record<string, NotificationRecord>, now: number): OutboxItem[] {
    const due = records.engineer as NotificationRecord;
    const timeline = replayTimeline(ticket.events.slice(0, 1), this.ctx, due.dueAt, false);
    const engineer = timeline.customer?.accountEngineer;
    const reached = engineer ? engineerOrStandIn(engineer, due.dueAt, timeline.ladder, this.ctx) : { people: [] };
    const platform = notifyPlatform(this.ctx, ticket);
    // Only people the platform can reach (a Slack id on Slack, …): the rest have no conversation to open.
    const to = reached.people.filter((person) => platformIdOf(this.ctx.config, platform, person) !== undefined);
    if (to.length === 0) {
      records.engineer = { status: 'skipped', dueAt: due.dueAt };
      return [];
    }
    const late = due.dueAt < this.options.bootAt || now - due.dueAt > (this.options.lateAfterMs ?? 60_000);
    const key = formatKey({ kind: 'engineer', ticketId: ticket.id });
    const rendered: OutboxItem[] = to.map((person) => ({
      platform,
      channelId: `dm:${person}`,
      direct: person,
      key,
      card: engineerCard(this.ctx, ticket, reached.standIn, personVoice(this.ctx.config, person)),
    }));
    records.engineer = { status: 'sending', dueAt: due.dueAt, late, owner: this.options.instanceId, claimedAt: now, outbox: rendered };
    return rendered.map((item) => ({ ...item, claimedAt: now }));
  }

  private itemsFor(ticket: Ticket, step: string, card: OutboxItem['card'], to: { people: string[]; channels: string[] }): OutboxItem[] {
    const staff = staffChannelFor(this.ctx.config, ticket.platform);
    const items: OutboxItem[] = [];
    const dm = this.ctx.config.staff.dm && to.people.length ? { dm: to.people } : {};
    const key = (copyTo?: string) => formatKey({ kind: 'step', ticketId: ticket.id, step, ...(copyTo === undefined ? {} : { copyTo }) });
    if (staff) items.push({ platform: staff.platform, channelId: staff.channelId, card, key: key(), ...dm });
    // `channel:` targets get a copy; only the staff-channel post counts for the record.
    for (const channelId of to.channels) items.push({ platform: staff?.platform ?? ticket.platform, channelId, card, key: key(channelId) });
    return items;
  }

  /**
   * Before sending notifications that waited in the outbox past part of
   * their send lease: renews this process's claim on each whose record it
   * still holds as `sending` (restarting the lease), and returns those. The
   * others were taken over by another process, which presumed this one
   * dead, or recorded since: sending them now could repeat a ping.
   */
  async renewClaims(items: OutboxItem[]): Promise<OutboxItem[]> {
    const byTicket = new Map<number, { item: OutboxItem; key: RecordedKey }[]>();
    for (const item of items) {
      const key = recordedKeyOf(item.key, true);
      if (key) byTicket.set(key.ticketId, [...(byTicket.get(key.ticketId) ?? []), { item, key }]);
    }
    const now = this.ctx.now();
    const kept: OutboxItem[] = [];
    for (const [ticketId, list] of byTicket) {
      await this.ctx.store.update(ticketId, (ticket) => {
        const records = { ...ticket.notifications };
        let renewed = false;
        for (const { item, key } of list) {
          // A copy to an extra channel rides on its step's record.
          if (!renewClaim(records, recordKey(key), now, this.options.instanceId)) continue;
          renewed = true;
          kept.push(item);
        }
        return renewed ? { ...ticket, notifications: records } : undefined;
      });
    }
    return kept;
  }

  /**
   * Records the outcome of sends: `sent` on success, `failed` (to be retried
   * with back-off) otherwise. Returns the tickets that need a retry scheduled.
   */
  async recordResults(results: OutboxResult[]): Promise<Ticket[]> {
    const byTicket = new Map<number, (OutboxResult & { key: RecordedKey })[]>();
    for (const result of results) {
      const key = recordedKeyOf(result.item.key, false); // copies to extra channels are best effort
      if (!key) continue;
      byTicket.set(key.ticketId, [...(byTicket.get(key.ticketId) ?? []), { ...result, key }]);
    }
    const now = this.ctx.now();
    const changed: Ticket[] = [];
    for (const [ticketId, list] of byTicket) {
      const updated = await this.ctx.store.update(ticketId, (ticket) => {
        const records = { ...ticket.notifications };
        for (const { key, ref, error } of list) {
          settle(records, recordKey(key), { ...(ref ? { ref: ref.messageId } : {}), ...(error ? { error } : {}) }, now, this.options.instanceId, this.options.retryAfterMs);
        }
        return { ...ticket, notifications: records };
      });
      changed.push(updated);
    }
    return changed;
  }
}

type RecordedKey = Extract<NotificationKey, { kind: 'step' | 'engineer' | 'delivery' }>;

/**
 * The key of a ticket's delivery record an outbox item's key names: a ladder step (with `copies`, a
 * copy to an extra channel too, which rides on its step's record), the engineer's message, a delivery
 * outside chat. Undefined for any other key.
 */
function recordedKeyOf(text: string, copies: boolean): RecordedKey | undefined {
  const key = parseKey(text);
  if (key?.kind === 'step') return copies || key.copyTo === undefined ? key : undefined;
  return key?.kind === 'engineer' || key?.kind === 'delivery' ? key : undefined;
}
