/**
 * Notices to the customers an incident affects, exactly once per channel
 * and step, across crashes and replicas — with the machinery of ticket
 * notifications (delivery.ts, the per-channel outbox, the platforms'
 * resend checks).
 *
 * What is due is derived, never scheduled blindly: each step of a record
 * that is announced (see IncidentRecord.announce) owes a notice to every
 * channel, on every platform, of every customer the scope covers, each with
 * its own key (notification-key.ts). A key without a record is due. A process
 * that can deliver to the platform claims it inside the record's update
 * (`sending`, with the rendered message), hands it to the outbox, and
 * records it `sent`; a dead claimant's key is taken over after the send
 * lease and resent with the same idempotency key (Slack checks the channel's
 * history, Discord its nonce), a refused one is retried with back-off.
 *
 * A step more than a day old is no longer news: its notices are not sent
 * any more (a bot down for longer, a channel bound to a customer later).
 */
import { scopeCovers, type Scope } from '../availability/incident-log.js';
import type { Config } from '../config/schema.js';
import { PLATFORMS, type Platform } from '../domain/ticket.js';
import { DeadlineQueue, type DeadlineEntry } from '../scheduler/deadline-queue.js';
import { DeadlineTimer, realTimers, type TimerHost } from '../scheduler/deadline-timer.js';
import type { IncidentKind, IncidentRecord } from '../store/incident-store.js';
import type { DeskContext } from './context.js';
import { renewClaim, settle, takeOver, takeOverAt } from './delivery.js';
import { noticeCard } from './incident-cards.js';
import { DEFAULT_SEND_LEASE_MS } from './notify.js';
import { formatKey, parseKey, recordKey, type NotificationKey } from './notification-key.js';
import type { Outbox, OutboxItem, OutboxResult } from './outbox.js';
import type { Card } from './messages.js';

/** A step older than this is not announced any more. */
const NOTICE_HORIZON_MS = 24 * 3_600_000;
/** Wait before trying a record again after the store failed. */
const RETRY_AFTER_MS = 15_000;

export interface DueNotice {
  key: NoticeKey;
  /** Its record key, the key in the record's `notices`. */
  local: string;
  step: number;
  platform: Platform;
  channelId: string;
  /** When the step happened. */
  at: number;
  card: Card;
}

/** The scope a record's events apply to (the incident's, or the window's). */
export function scopeOf(record: IncidentRecord): Scope {
  const first = record.events[0];
  return first && (first.type === 'incident_opened' || first.type === 'maintenance') ? first.scope : 'all';
}

/** Every notice a record's announced steps call for: each step × each channel of each affected customer. */
export function noticesOf(config: Config, record: IncidentRecord): DueNotice[] {
  const scope = scopeOf(record);
  const affected = config.customers.filter((customer) => scopeCovers(scope, customer));
  const out: DueNotice[] = [];
  for (const step of record.announce) {
    const event = record.events[step];
    if (!event) continue;
    for (const customer of affected) {
      let card: Card | undefined;
      for (const platform of PLATFORMS) {
        for (const channelId of customer.channels[platform]) {
          card ??= noticeCard(config, record, step, customer);
          const key: NoticeKey = { kind: 'notice', record: record.kind, id: record.id, step, platform, channelId };
          out.push({ key, local: recordKey(key), step, platform, channelId, at: event.at, card });
        }
      }
    }
  }
  return out;
}

export interface IncidentNoticesOptions {
  instanceId: string;
  sendLeaseMs?: number;
  host?: TimerHost;
  onError?: (error: unknown, context: string) => void;
}

/** The incidents open now, for tagging tickets (see desk.ts). */
export interface OpenIncident {
  id: string;
  title: string;
  scope: Scope;
  openedAt: number;
}

export class IncidentNotices {
  private readonly queue = new DeadlineQueue();
  private readonly timer: DeadlineTimer;
  private readonly open = new Map<string, OpenIncident>();
  private readonly leaseMs: number;
  private firing = 0;

  constructor(
    private readonly ctx: DeskContext,
    private readonly outbox: Outbox,
    private readonly options: IncidentNoticesOptions,
  ) {
    this.leaseMs = options.sendLeaseMs ?? DEFAULT_SEND_LEASE_MS;
    this.timer = new DeadlineTimer(this.queue, (due) => this.fire(due), options.host ?? realTimers, (err) => options.onError?.(err, 'incident notice timer'));
  }

  /** Derives what every stored record still owes and arms the timer. */
  async start(): Promise<void> {
    await this.resync();
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
  }

  /** Re-derives every record from the store (at start, after a platform attached, when another replica changed the log). */
  async resync(): Promise<void> {
    const now = this.ctx.now();
    const seen = new Set<string>();
    for await (const record of this.ctx.store.incidents().listAll()) {
      seen.add(subject(record));
      this.track(record, now);
    }
    for (const id of [...this.open.keys()]) if (!seen.has(subject({ kind: 'incident', id }))) this.open.delete(id);
    this.timer.arm();
  }

  /** After a change to a record (an incident command, an alert, a recorded send). */
  refresh(record: IncidentRecord): void {
    this.track(record, this.ctx.now());
    this.timer.arm();
  }

  /** True while due records are being handled. */
  get busy(): boolean {
    return this.firing > 0;
  }

  /** The earliest instant a record needs attention (tests, the bot's idle check). */
  get nextAt(): number | undefined {
    return this.queue.peekAt();
  }

  /** Incidents open now whose scope covers the customer (the ones a customer's message is tagged with). */
  openFor(customer: { id: string; tier: string; region?: string | undefined }): OpenIncident[] {
    return [...this.open.values()].filter((incident) => scopeCovers(incident.scope, customer));
  }

  /** Claims and sends what one record owes now; returns the record as stored. */
  async fireDue(kind: IncidentKind, id: string): Promise<IncidentRecord> {
    const now = this.ctx.now();
    const deliverable = (item: Pick<OutboxItem, 'platform'>) => this.outbox.hasPort(item.platform);
    let items: OutboxItem[] = [];
    const stored = await this.ctx.store.incidents().update(kind, id, (record) => {
      items = [];
      const records = { ...record.notices };
      items.push(...takeOver(records, now, this.options.instanceId, this.leaseMs, deliverable));
      for (const notice of noticesOf(this.ctx.config, record)) {
        if (records[notice.local] || !deliverable(notice) || now - notice.at > NOTICE_HORIZON_MS) continue;
        const item: OutboxItem = { platform: notice.platform, channelId: notice.channelId, card: notice.card, key: formatKey(notice.key), notice: true };
        records[notice.local] = { status: 'sending', dueAt: notice.at, owner: this.options.instanceId, claimedAt: now, outbox: [item] };
        items.push({ ...item, claimedAt: now });
      }
      return items.length ? { ...record, notices: records } : undefined;
    });
    for (const item of items) this.outbox.enqueue(item);
    this.track(stored, now);
    return stored;
  }

  /** Records what the outbox did with notices (`sent`, or `failed` for a retry). */
  async recordResults(results: OutboxResult[]): Promise<void> {
    const now = this.ctx.now();
    for (const [record, list] of byRecord(results, (r) => r.item.key)) {
      const updated = await this.ctx.store.incidents().update(record.kind, record.id, (current) => {
        const notices = { ...current.notices };
        for (const [{ ref, error }, key] of list) {
          settle(notices, recordKey(key), { ...(ref ? { ref: ref.messageId } : {}), ...(error ? { error } : {}) }, now, this.options.instanceId);
        }
        return { ...current, notices };
      });
      this.refresh(updated);
    }
  }

  /** See Notifier.renewClaims: the notices whose claim is still this process's, their leases restarted. */
  async renewClaims(items: OutboxItem[]): Promise<OutboxItem[]> {
    const now = this.ctx.now();
    const kept: OutboxItem[] = [];
    for (const [record, list] of byRecord(items, (item) => item.key)) {
      await this.ctx.store.incidents().update(record.kind, record.id, (current) => {
        const notices = { ...current.notices };
        let renewed = false;
        for (const [item, key] of list) {
          if (!renewClaim(notices, recordKey(key), now, this.options.instanceId)) continue;
          renewed = true;
          kept.push(item);
        }
        return renewed ? { ...current, notices } : undefined;
      });
    }
    return kept;
  }

  private track(record: IncidentRecord, now: number): void {
    const key = subject(record);
    if (record.kind === 'incident') {
      const first = record.events[0];
      const resolved = record.events.some((e) => e.type === 'incident_resolved');
      if (first?.type === 'incident_opened' && !resolved) this.open.set(record.id, { id: record.id, title: first.title, scope: first.scope, openedAt: first.at });
      else this.open.delete(record.id);
    }
    const at = this.attentionAt(record, now);
    if (at === Infinity) this.queue.delete(key);
    else this.queue.set(key, at);
  }

  /** When a record next needs this process: a notice it can send now, or a claim to take over or retry. */
  private attentionAt(record: IncidentRecord, now: number): number {
    const deliverable = (item: Pick<OutboxItem, 'platform'>) => this.outbox.hasPort(item.platform);
    let at = takeOverAt(record.notices, now, this.options.instanceId, this.leaseMs, deliverable);
    if (record.announce.some((step) => now - (record.events[step]?.at ?? 0) <= NOTICE_HORIZON_MS)) {
      const owed = noticesOf(this.ctx.config, record).some((n) => !record.notices[n.local] && deliverable(n) && now - n.at <= NOTICE_HORIZON_MS);
      if (owed) at = now;
    }
    return at;
  }

  private fire(due: DeadlineEntry[]): Promise<void> {
    this.firing++;
    return (async () => {
      for (const entry of due) {
        const [kind, ...rest] = entry.key.slice('incident:'.length).split(':');
        const id = rest.join(':');
        try {
          await this.fireDue(kind as IncidentKind, id);
        } catch (err) {
          // The store failed (not the platform): try this record again shortly.
          this.options.onError?.(err, `${kind} ${id}`);
          this.queue.set(entry.key, this.ctx.now() + RETRY_AFTER_MS);
        }
      }
    })().finally(() => {
      this.firing--;
    });
  }
}

function subject(record: Pick<IncidentRecord, 'kind' | 'id'>): string {
  return `incident:${record.kind}:${record.id}`;
}

type NoticeKey = Extract<NotificationKey, { kind: 'notice' }>;

/** Whether an outbox item's key is a notice's (not a ticket's). */
export function isNoticeKey(key: string): boolean {
  return parseKey(key)?.kind === 'notice';
}

/** Groups notice items (or results) by the record they belong to, each with its key. */
function byRecord<T>(list: readonly T[], keyOf: (entry: T) => string): Map<{ kind: IncidentKind; id: string }, [T, NoticeKey][]> {
  const groups = new Map<string, { record: { kind: IncidentKind; id: string }; entries: [T, NoticeKey][] }>();
  for (const entry of list) {
    const key = parseKey(keyOf(entry));
    if (key?.kind !== 'notice') continue;
    const id = `${key.record}:${key.id}`;
    const group = groups.get(id) ?? { record: { kind: key.record, id: key.id }, entries: [] };
    group.entries.push([entry, key]);
    groups.set(id, group);
  }
  return new Map([...groups.values()].map((g) => [g.record, g.entries]));
}
