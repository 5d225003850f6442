/**
 * The key of one notification: what "sent at most once" counts by. Keys are
 * stored — in a ticket's or an incident record's delivery records, in the
 * messages those records keep for a resend, in Slack message metadata, in
 * the footer of a Discord embed — so their text never changes:
 *
 *   <ticket>/<step>                                   a ladder step of a ticket, to the staff channel — or a
 *                                                     customer-side follow-up (`waiting:1:reminder`), to its thread
 *   <ticket>/<step>@<channel>                         the copy of that step to a `channel:` target
 *   <ticket>/ack                                      a ticket's acknowledgement in its thread
 *   <ticket>/engineer                                 the direct message to the account engineer at open
 *   <ticket>/<via>:<target>/<what>                    a delivery outside chat (via pagerduty, webhook, email):
 *                                                     <what> is a ladder step, or <clock>:<cycle>:<action> for
 *                                                     a pager's trigger, acknowledge or resolve
 *   incident:<kind>:<id>/<step>/<platform>:<channel>  an incident or maintenance notice to a customer channel
 *
 * (A step is the ladder's step key, escalation/ladder.ts: it has no "/" and no "@".)
 * A message that carries several coalesced notifications carries their keys joined by "|".
 */
import { PLATFORMS, type Platform } from '../domain/ticket.js';
import { OUTBOUND_KINDS, type OutboundKind } from '../domain/vocabulary.js';
import type { IncidentKind } from '../store/incident-store.js';

export type NotificationKey =
  /** A ladder step of a ticket; `copyTo` is the extra channel of a copy, which rides on the step's record. */
  | { kind: 'step'; ticketId: number; step: string; copyTo?: string }
  | { kind: 'ack'; ticketId: number }
  /** The account engineer's direct message when a ticket of their customer opens. */
  | { kind: 'engineer'; ticketId: number }
  /** A delivery outside chat: `what` is a ladder step key or `<clock>:<cycle>:<trigger|acknowledge|resolve>`. */
  | { kind: 'delivery'; ticketId: number; via: OutboundKind; target: string; what: string }
  /** A notice of an incident record's `step` (its event index) to one customer channel. */
  | { kind: 'notice'; record: IncidentKind; id: string; step: number; platform: Platform; channelId: string };

const NOTICE_PREFIX = 'incident:';
const STEP = /^(\d+)\/([^/@]+)(?:@(.+))?$/;
const DELIVERY = new RegExp(`^(\\d+)/(${OUTBOUND_KINDS.join('|')}):([^/]+)/([^/]+)$`);
const NOTICE = new RegExp(`^${NOTICE_PREFIX}(incident|maintenance):([^/]+)/(\\d+)/(${PLATFORMS.join('|')}):(.+)$`);

export function formatKey(key: NotificationKey): string {
  switch (key.kind) {
    case 'step':
      return `${key.ticketId}/${key.step}${key.copyTo === undefined ? '' : `@${key.copyTo}`}`;
    case 'ack':
      return `${key.ticketId}/ack`;
    case 'engineer':
      return `${key.ticketId}/engineer`;
    case 'delivery':
      return `${key.ticketId}/${recordKey(key)}`;
    case 'notice':
      return `${NOTICE_PREFIX}${key.record}:${key.id}/${recordKey(key)}`;
  }
}

/** The key a text names; undefined for a text that is no notification key. */
export function parseKey(text: string): NotificationKey | undefined {
  const notice = NOTICE.exec(text);
  if (notice) {
    const [, record, id, step, platform, channelId] = notice as unknown as [string, IncidentKind, string, string, Platform, string];
    return { kind: 'notice', record, id, step: Number(step), platform, channelId };
  }
  const delivery = DELIVERY.exec(text);
  if (delivery) {
    const [, ticket, via, target, what] = delivery as unknown as [string, string, OutboundKind, string, string];
    return { kind: 'delivery', ticketId: Number(ticket), via, target, what };
  }
  const step = STEP.exec(text);
  if (!step) return undefined;
  const [, ticket, name, copyTo] = step as unknown as [string, string, string, string | undefined];
  if (name === 'ack' && copyTo === undefined) return { kind: 'ack', ticketId: Number(ticket) };
  if (name === 'engineer' && copyTo === undefined) return { kind: 'engineer', ticketId: Number(ticket) };
  return { kind: 'step', ticketId: Number(ticket), step: name, ...(copyTo === undefined ? {} : { copyTo }) };
}

/**
 * The key of the delivery record a notification is kept under: a ticket's
 * `notifications` are keyed by step (a copy shares its step's record), an
 * incident record's `notices` by `<step>/<platform>:<channel>`.
 */
export function recordKey(key: Extract<NotificationKey, { kind: 'step' | 'notice' | 'engineer' | 'delivery' }>): string {
  switch (key.kind) {
    case 'step':
      return key.step;
    case 'engineer':
      return 'engineer';
    case 'delivery':
      return `${key.via}:${key.target}/${key.what}`;
    case 'notice':
      return `${key.step}/${key.platform}:${key.channelId}`;
  }
}

/** The keys of a coalesced message as one idempotency key. */
export function joinKeys(keys: readonly string[]): string {
  return keys.join('|');
}

/** The keys one idempotency key (or a platform's record of it) carries. */
export function splitKeys(joined: string): string[] {
  return joined.split('|');
}
