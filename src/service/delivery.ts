/**
 * At most once per key: the life of a delivery record, shared by ticket
 * notifications (notify.ts) and incident notices (incident-notices.ts).
 *
 *   (none) ──claim──> sending ──platform took it──> sent
 *                        │  └──platform refused──> failed ──retryAt──> sending
 *                        └──owner dead (lease over)──> sending (another owner, resend)
 *
 * A record is claimed (`sending`, with the rendered messages) inside the
 * read-modify-write of what it belongs to, so of two processes only one
 * claims it. These functions change a copy of the records that the caller
 * then writes.
 */
import type { NotificationRecord } from '../domain/ticket.js';
import type { OutboxItem } from './outbox.js';

const isOutboxItem = (v: unknown): v is OutboxItem =>
  typeof v === 'object' && v !== null && 'channelId' in v && 'card' in v && 'key' in v && 'platform' in v;

/**
 * Takes over what a dead process was sending (its lease ran out) and what
 * failed and is due again; returns the messages to send now, as recorded.
 * With `deliverable`, only records whose messages this process can deliver.
 */
export function takeOver(
  records: Record<string, NotificationRecord>,
  now: number,
  instanceId: string,
  leaseMs: number,
  deliverable: (item: OutboxItem) => boolean = () => true,
): OutboxItem[] {
  const items: OutboxItem[] = [];
  for (const [key, record] of Object.entries(records)) {
    const orphaned = record.status === 'sending' && record.owner !== instanceId && (record.claimedAt ?? 0) + leaseMs <= now;
    const retry = record.status === 'failed' && (record.retryAt ?? 0) <= now;
    if (!orphaned && !retry) continue;
    const recorded = (record.outbox ?? []).filter(isOutboxItem);
    if (!recorded.every(deliverable)) continue;
    records[key] = { ...record, status: 'sending', owner: instanceId, claimedAt: now, ...(orphaned ? { late: true } : {}) };
    items.push(...recorded.map((item) => ({ ...item, resend: orphaned, claimedAt: now })));
  }
  return items;
}

/**
 * When some record next needs this process: another one's lease running out, or a failed send's retry
 * (with `deliverable`, of records it can deliver). Infinity if never.
 */
export function takeOverAt(
  records: Record<string, NotificationRecord>,
  now: number,
  instanceId: string,
  leaseMs: number,
  deliverable: (item: OutboxItem) => boolean = () => true,
): number {
  let at = Infinity;
  for (const record of Object.values(records)) {
    if (!(record.outbox ?? []).filter(isOutboxItem).every(deliverable)) continue;
    if (record.status === 'sending' && record.owner !== instanceId) at = Math.min(at, (record.claimedAt ?? 0) + leaseMs);
    if (record.status === 'failed') at = Math.min(at, record.retryAt ?? now);
  }
  return at;
}

/**
 * Restarts this process's lease on a record it still holds as `sending`
 * (a send that waited in the outbox past part of its lease); false when
 * another process took it over or it was recorded meanwhile.
 */
export function renewClaim(records: Record<string, NotificationRecord>, key: string, now: number, instanceId: string): boolean {
  const record = records[key];
  if (record?.status !== 'sending' || record.owner !== instanceId) return false;
  records[key] = { ...record, claimedAt: now };
  return true;
}

/**
 * Records the outcome of a send: `sent`, or `failed` to be retried with
 * back-off (by default 15 s, 30 s, 1 min … up to 5 min; `notifications.retryAfter` sets the first wait). A failure of a send another
 * process has taken over meanwhile changes nothing: its attempt counts.
 */
export function settle(
  records: Record<string, NotificationRecord>,
  key: string,
  outcome: { ref?: string; error?: unknown },
  now: number,
  instanceId: string,
  firstRetryMs = 15_000,
): void {
  const record = records[key];
  if (!record || record.status !== 'sending') return;
  if (outcome.error) {
    if (record.owner !== instanceId) return;
    const attempts = (record.attempts ?? 0) + 1;
    records[key] = { ...record, status: 'failed', attempts, retryAt: now + Math.min(300_000, firstRetryMs * 2 ** (attempts - 1)) };
  } else {
    const { outbox: _sent, ...rest } = record;
    records[key] = { ...rest, status: 'sent', sentAt: now, ...(outcome.ref ? { ref: outcome.ref } : {}) };
  }
}
