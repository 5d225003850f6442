/**
 * Notifications on their way to a chat channel. Each channel has its own
 * queue: the first ping goes out at once; pings that come due while the
 * channel is within its interval (an outage: hundreds of tickets at once)
 * are coalesced into one message when the interval ends. So the outbound
 * rate per channel stays within the platform's limit, and one busy channel
 * never delays another.
 */
import type { Platform } from '../domain/ticket.js';
import type { Card, ChatPort, ExternalMessage, OutboundPort, SentRef } from './messages.js';
import { joinKeys } from './notification-key.js';

export interface OutboxItem {
  platform: Platform;
  channelId: string;
  card: Card;
  /** The notification's key (notification-key.ts), as stored. */
  key: string;
  /** People to DM besides the channel post (platform-neutral person ids). */
  dm?: string[];
  /** A send another process may have completed before it died: the port should check before posting. */
  resend?: boolean;
  /** What the notification is about, for metrics. */
  about?: { kind: string; tier: string; clock: string; dueAt: number; late: boolean };
  /** When this process claimed the notification (its send lease started; see OutboxOptions.renewClaims). */
  claimedAt?: number;
  /** An incident notice for a customer's channel (sent as a `notice`, never with a staff notification). */
  notice?: boolean;
  /** A post into a ticket's thread (a customer-side follow-up): sent alone, as a `thread` message. */
  thread?: { threadId: string; ticketId: number };
  /** A direct message to this person (sent alone, as a `dm`). */
  direct?: string;
  /** A delivery outside chat (a pager, a webhook, an e-mail): sent alone, by the transport of its kind, in a queue per target. */
  external?: ExternalMessage;
}

/** Which kind of message an item goes out in: items of different lanes never share one. */
function laneOf(item: OutboxItem): 'thread' | 'notice' | 'notify' {
  return item.thread ? 'thread' : item.notice ? 'notice' : 'notify';
}

/** The queue an item waits in: one per chat channel, per direct-message reader, per target outside chat. */
export function queueOf(item: OutboxItem): string {
  if (item.external) return `out:${item.external.via}:${item.channelId}`;
  if (item.direct) return `${item.platform}:dm:${item.direct}`;
  return `${item.platform}:${item.channelId}`;
}

export interface OutboxResult {
  item: OutboxItem;
  ref?: SentRef;
  error?: unknown;
}

export interface OutboxOptions {
  /** Minimum gap between two messages in one channel (ms), per platform. */
  intervalMs: Partial<Record<Platform, number>> & { default: number };
  /** Most items coalesced into one message; the rest wait for the next one. */
  maxPerMessage?: number;
  now?: () => number;
  /**
   * Replicas: a claim is another process's to take over once its send lease
   * runs out, so an item that waited here longer than `afterMs` since its
   * claim is sent only if `renew` confirms the claim is still this
   * process's (and restarts its lease); `renew` answers the items it kept.
   */
  renewClaims?: { afterMs: number; renew: (items: OutboxItem[]) => Promise<OutboxItem[]> };
}

interface ChannelQueue {
  pending: OutboxItem[];
  lastSentAt: number;
  timer?: NodeJS.Timeout;
  sending: boolean;
}

export class Outbox {
  private readonly channels = new Map<string, ChannelQueue>();
  private readonly ports = new Map<Platform, ChatPort>();
  private readonly outboundPorts = new Map<OutboundPort['via'], OutboundPort>();
  private readonly now: () => number;
  private closed = false;
  private inflight = new Set<Promise<void>>();

  constructor(
    private readonly options: OutboxOptions,
    private readonly onResult: (results: OutboxResult[]) => void | Promise<void>,
  ) {
    this.now = options.now ?? Date.now;
  }

  attach(port: ChatPort): void {
    this.ports.set(port.platform, port);
  }

  detach(platform: Platform): void {
    this.ports.delete(platform);
  }

  /** Delivers one kind of target outside chat from now on. */
  attachOutbound(port: OutboundPort): void {
    this.outboundPorts.set(port.via, port);
  }

  hasPort(platform: Platform): boolean {
    return this.ports.has(platform);
  }

  enqueue(item: OutboxItem): void {
    if (this.closed) return;
    const id = queueOf(item);
    let queue = this.channels.get(id);
    if (!queue) {
      queue = { pending: [], lastSentAt: -Infinity, sending: false };
      this.channels.set(id, queue);
    }
    queue.pending.push(item);
    this.schedule(queue);
  }

  private interval(item: OutboxItem): number {
    // Targets outside chat are not coalesced: each notification is its own request, at once.
    if (item.external) return 0;
    return this.options.intervalMs[item.platform] ?? this.options.intervalMs.default;
  }

  private schedule(queue: ChannelQueue): void {
    if (queue.timer || queue.sending || queue.pending.length === 0) return;
    const first = queue.pending[0] as OutboxItem;
    const wait = queue.lastSentAt + this.interval(first) - this.now();
    if (wait <= 0) {
      this.flush(queue);
    } else {
      queue.timer = setTimeout(() => {
        queue.timer = undefined;
        this.flush(queue);
      }, wait);
    }
  }

  private flush(queue: ChannelQueue): void {
    const head = queue.pending[0];
    // Notices, thread posts and staff notifications never share a message; a thread post, a
    // direct message and a delivery outside chat each go alone.
    const lane = head ? laneOf(head) : 'notify';
    const same = queue.pending.findIndex((item) => laneOf(item) !== lane);
    const max = head?.external || head?.direct || lane === 'thread' ? 1 : (this.options.maxPerMessage ?? 25);
    const batch = queue.pending.splice(0, Math.min(max, same === -1 ? max : same));
    if (batch.length === 0) return;
    queue.sending = true;
    queue.lastSentAt = this.now();
    const run = this.send(batch).finally(() => {
      queue.sending = false;
      queue.lastSentAt = this.now();
      this.inflight.delete(run);
      if (!this.closed) this.schedule(queue);
    });
    this.inflight.add(run);
  }

  private async send(claimed: OutboxItem[]): Promise<void> {
    const { batch, lost } = await this.renewed(claimed);
    if (batch.length === 0) {
      if (lost.length) await this.onResult(lost);
      return;
    }
    const first = batch[0] as OutboxItem;
    if (first.external) {
      await this.onResult([...(await this.sendOutbound(first, first.external)), ...lost]);
      return;
    }
    const port = this.ports.get(first.platform);
    let results: OutboxResult[];
    if (!port) {
      results = batch.map((item) => ({ item, error: new Error(`no ${item.platform} connection to send to`) }));
    } else {
      try {
        const dm = [...new Set(batch.flatMap((i) => i.dm ?? []))];
        const cards = batch.map((i) => i.card);
        const keys = batch.map((i) => i.key);
        const ref = await port.send(
          first.thread
            ? { type: 'thread', platform: first.platform, channelId: first.channelId, threadId: first.thread.threadId, ticketId: first.thread.ticketId, card: first.card }
            : first.direct
            ? { type: 'dm', platform: first.platform, channelId: `dm:${first.direct}`, person: first.direct, card: first.card }
            : first.notice
            ? { type: 'notice', platform: first.platform, channelId: first.channelId, cards, keys }
            : { type: 'notify', platform: first.platform, channelId: first.channelId, cards, keys, ...(dm.length ? { dm } : {}) },
          { idempotencyKey: joinKeys(keys), resend: batch.some((i) => i.resend) },
        );
        results = batch.map((item) => ({ item, ...(ref ? { ref } : {}) }));
      } catch (error) {
        results = batch.map((item) => ({ item, error }));
      }
    }
    await this.onResult([...results, ...lost]);
  }

  private async sendOutbound(item: OutboxItem, message: ExternalMessage): Promise<OutboxResult[]> {
    const port = this.outboundPorts.get(message.via);
    if (!port) return [{ item, error: new Error(`no ${message.via} transport configured`) }];
    try {
      await port.send(message, { idempotencyKey: item.key, resend: Boolean(item.resend) });
      return [{ item }];
    } catch (error) {
      return [{ item, error }];
    }
  }

  /**
   * The items still to send: fresh claims, and old ones `renewClaims` kept. Items whose claim
   * could not be checked come back as failed sends (`lost`); items another process took over are dropped.
   */
  private async renewed(items: OutboxItem[]): Promise<{ batch: OutboxItem[]; lost: OutboxResult[] }> {
    const policy = this.options.renewClaims;
    const now = this.now();
    const stale = policy ? items.filter((i) => i.claimedAt !== undefined && now - i.claimedAt > policy.afterMs) : [];
    if (!policy || stale.length === 0) return { batch: items, lost: [] };
    try {
      const kept = new Set(await policy.renew(stale));
      return { batch: items.filter((i) => !stale.includes(i) || kept.has(i)), lost: [] };
    } catch (error) {
      return { batch: items.filter((i) => !stale.includes(i)), lost: stale.map((item) => ({ item, error })) };
    }
  }

  /** Items waiting (not yet handed to a port). */
  get pendingCount(): number {
    let n = 0;
    for (const q of this.channels.values()) n += q.pending.length;
    return n;
  }

  /** Sends whatever is pending now (ignoring intervals) and waits for every send to finish. */
  async drain(): Promise<void> {
    for (const queue of this.channels.values()) {
      if (queue.timer) clearTimeout(queue.timer);
      queue.timer = undefined;
      while (queue.pending.length && !queue.sending) this.flush(queue);
    }
    while (this.inflight.size) await Promise.all([...this.inflight]);
    if ([...this.channels.values()].some((q) => q.pending.length)) await this.drain();
  }

  close(): void {
    this.closed = true;
    for (const queue of this.channels.values()) if (queue.timer) clearTimeout(queue.timer);
  }
}
