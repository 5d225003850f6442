/**
 * What the use cases say, independent of any chat platform. A Card is one
 * rich message (title, fields, quoted text, mentions, actions); each adapter
 * renders it its own way (Block Kit, a Discord embed, shell text) and a
 * plain-text rendering always exists (render-text.ts).
 *
 * All strings here are plain text in the reader's language (from the
 * message catalogues, src/i18n), never platform markup: renderers escape
 * them. Only `mentions` turn into pings.
 */
import type { Severity } from '../config/schema.js';
import type { Platform } from '../domain/ticket.js';

export type Tone = 'info' | 'good' | 'warning' | 'danger';

export type TicketAction = 'claim' | 'wait' | 'resolve' | 'severity';

export interface ThreadLink {
  platform: Platform;
  channelId: string;
  threadId: string;
}

export interface Mentions {
  /** Person ids from the config (renderers map them to platform ids). */
  people: string[];
  /** Slack user group ids / Discord role ids. */
  groups: string[];
}

export interface Card {
  tone: Tone;
  /** The reader's locale (src/i18n): the renderer's own words (buttons, links) are in it too. Absent: English. */
  locale?: string;
  title: string;
  /** Short label/value pairs: tier, severity, due, assignee… */
  fields: { label: string; value: string }[];
  /** Customer text quoted verbatim (escaped by the renderer). */
  quote?: string;
  /** Free text under the fields. */
  body?: string;
  mentions?: Mentions;
  link?: ThreadLink;
  /** Buttons offered for the ticket. */
  actions?: { ticketId: number; offer: TicketAction[]; severity?: Severity };
  /**
   * The customer is asked to rate the help with the ticket: buttons 1–5 on
   * platforms that have them (shown in a customer's thread, unlike `actions`),
   * else the card's words say how to answer.
   */
  rate?: { ticketId: number };
  footer?: string;
}

/** A message the bot posts. */
export type Outbound =
  /** Into a ticket's thread, seen by the customer (acknowledgements, state changes). */
  | {
      type: 'thread';
      platform: Platform;
      channelId: string;
      threadId: string;
      card: Card;
      ticketId: number;
      /** The ticket's acknowledgement: posted unless the ticket records it posted; `resend` when an earlier attempt may have got through. */
      ack?: { resend: boolean };
    }
  /** Into the staff channel: warnings, breaches, escalations (one or several coalesced). */
  | { type: 'notify'; platform: Platform; channelId: string; cards: Card[]; keys: string[]; dm?: string[] }
  /** Into any channel: handoff announcements, digests. */
  | { type: 'post'; platform: Platform; channelId: string; card: Card }
  /**
   * Into a customer's channel: incident and maintenance notices (one or
   * several coalesced). Customers read it: no pings, no buttons. Each card's
   * key is its idempotency key, checked before a resend like a notification's.
   */
  | { type: 'notice'; platform: Platform; channelId: string; cards: Card[]; keys: string[] }
  /**
   * A direct message to a person of the config (the monthly statement line
   * to an account engineer). `channelId` is `dm:<person id>`: the platform
   * finds (or opens) the conversation itself.
   */
  | { type: 'dm'; platform: Platform; channelId: `dm:${string}`; person: string; card: Card };

/** What a command answers to the person who ran it. */
export interface Reply {
  /** Only the person who asked sees it, where the platform can do that. */
  ephemeral: boolean;
  /** The asker's locale (src/i18n); absent: English. */
  locale?: string;
  text: string;
  cards?: Card[];
}

/** Reference to a message the platform accepted (ts, snowflake, line number). */
export interface SentRef {
  platform: Platform;
  channelId: string;
  messageId: string;
}

export interface SendOptions {
  idempotencyKey?: string;
  resend?: boolean;
}

/** The outbound side of a chat platform: the narrowest port an adapter implements. */
export interface ChatPort {
  readonly platform: Platform;
  /**
   * Posts a message. `idempotencyKey` is stable for one notification (or one
   * coalesced batch); with `resend`, a previous attempt may have gone through
   * before a crash, so a platform that can check (history, nonce) should.
   */
  send(message: Outbound, options?: SendOptions): Promise<SentRef | undefined>;
}

/**
 * A message to a target outside chat (README, "Pagers, webhooks and e-mail"). Rendered by the
 * service, recorded with its delivery record, and handed as is to the transport of its kind.
 */
export type ExternalMessage =
  | { via: 'pagerduty'; service: string; event: PagerEvent }
  | { via: 'webhook'; name: string; body: WebhookBody }
  | { via: 'email'; to: string[]; subject: string; text: string; html: string };

/** A PagerDuty Events API v2 event, without its routing key (the transport reads that from the environment). */
export interface PagerEvent {
  action: 'trigger' | 'acknowledge' | 'resolve';
  /** One alert per ticket and clock: `slawatch-<ticket>-<clock>-<cycle>`. */
  dedupKey: string;
  /** Trigger only. */
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    customDetails?: Record<string, unknown>;
  };
  links?: { href: string; text: string }[];
}

/** The JSON body of a webhook: stable field names (documented in the README). */
export interface WebhookBody {
  /** `notification`: a ladder step; `acknowledge` / `resolve`: how the alert of a clock goes on. */
  event: 'notification' | 'acknowledge' | 'resolve';
  /** The notification's key: also the Idempotency-Key header. */
  key: string;
  /** One alert per ticket and clock (what GoAlert/Opsgenie-style receivers dedupe and close by). */
  alertKey: string;
  at: string;
  ticket: { id: number; customer: string; customerName: string; tier: string; severity: string; title: string; link: string; assignee?: string };
  clock: { kind: string; cycle: number; dueAt?: string };
  step?: { key: string; kind: string; level: number | null; late: boolean };
  /** The people the step named, with how to reach them outside chat. */
  recipients: { id: string; name: string; email?: string; phone?: string }[];
  /** The notification as one line, in the staff's language. */
  text: string;
}

/** The outbound side of a target kind outside chat (adapters/outbound). */
export interface OutboundPort {
  readonly via: 'pagerduty' | 'webhook' | 'email';
  /**
   * Delivers one message; throws when the target refused it or could not be reached (it is retried).
   * `idempotencyKey` is the notification's key; with `resend`, an earlier attempt may have got through.
   */
  send(message: ExternalMessage, options: { idempotencyKey: string; resend: boolean }): Promise<void>;
}
