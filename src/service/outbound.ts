/**
 * Notifications outside chat: what a ladder step sends to the pagers,
 * webhooks and e-mail recipients it names, and what a pager or webhook hears
 * as the ticket goes on (acknowledge on claim, resolve when the clock stops
 * or the ticket is resolved) — rendered here, in the staff's language, and
 * recorded like every other notification (delivery.ts): one record per
 * delivery, claimed before it is sent, so a crash or a replica's takeover
 * never sends it twice except in the window between the target's answer and
 * the record (then with the same Idempotency-Key / dedup key / Message-ID).
 * The transports are adapters/outbound.
 */
import type { Config } from '../config/schema.js';
import { voiceIn } from '../i18n/index.js';
import { displayName } from '../domain/people.js';
import type { Ticket } from '../domain/ticket.js';
import { viewTicket } from '../domain/ticket.js';
import type { Severity } from '../domain/vocabulary.js';
import { alertKey, deliveryRecordKey, lifecycleWhat, type LifecycleDelivery } from '../escalation/outbound.js';
import type { Notification } from '../escalation/timeline.js';
import { threadLink, type LinkOptions } from '../report/links.js';
import { clockName, customerName, ticketRef } from './cards.js';
import type { DeskContext } from './context.js';
import type { Card, ExternalMessage, PagerEvent, WebhookBody } from './messages.js';
import { formatKey } from './notification-key.js';
import type { OutboxItem } from './outbox.js';
import type { Voice } from './readers.js';
import { cardToLine, oneLine } from './render-text.js';

export interface OutboundDelivery {
  /** The key of its delivery record in the ticket's notifications. */
  record: string;
  item: OutboxItem;
}

const PAGER_SEVERITY: Record<Severity, NonNullable<PagerEvent['payload']>['severity']> = { urgent: 'critical', high: 'error', normal: 'warning', low: 'info' };

const iso = (ms: number) => new Date(ms).toISOString();

/** The deliveries a ladder step owes outside chat that are not yet recorded: a pager once per clock, each webhook and e-mail per step. */
export function stepDeliveries(
  ctx: DeskContext,
  ticket: Ticket,
  n: Notification,
  card: Card,
  has: (record: string) => boolean,
  base: Pick<OutboxItem, 'platform' | 'about'>,
  links: LinkOptions,
): OutboundDelivery[] {
  const out: OutboundDelivery[] = [];
  const config = ctx.config;
  const view = viewTicket(ticket);
  const link = threadLink(ticket, links);
  const add = (via: ExternalMessage['via'], target: string, what: string, message: ExternalMessage) => {
    const record = deliveryRecordKey(via, target, what);
    if (has(record) || out.some((d) => d.record === record)) return;
    const key = formatKey({ kind: 'delivery', ticketId: ticket.id, via, target, what });
    out.push({ record, item: { ...base, channelId: target, card, key, external: message } });
  };
  for (const service of n.to.pagerduty) {
    const event: PagerEvent = {
      action: 'trigger',
      dedupKey: alertKey(ticket.id, n.clock, n.cycle),
      payload: {
        summary: oneLine(`${card.title} — ${customerName(ctx, ticket.customer)}: ${view.title}`, 1024),
        source: 'slawatch',
        severity: config.pagerduty.services[service]?.severity ?? PAGER_SEVERITY[view.severity],
        timestamp: iso(n.at),
        component: ticket.customer,
        group: view.tier,
        class: n.clock,
        customDetails: { ticket: ticket.id, customer: customerName(ctx, ticket.customer), tier: view.tier, severity: view.severity, step: n.key, dueAt: iso(n.dueAt), link, text: cardToLine(card) },
      },
      ...(/^https?:/.test(link) ? { links: [{ href: link, text: ticketRef(ticket.id) }] } : {}),
    };
    add('pagerduty', service, lifecycleWhat(n.clock, n.cycle, 'trigger'), { via: 'pagerduty', service, event });
  }
  for (const name of n.to.webhooks) {
    const key = formatKey({ kind: 'delivery', ticketId: ticket.id, via: 'webhook', target: name, what: n.key });
    const body: WebhookBody = {
      ...webhookBase(ctx, ticket, link, key, n.clock, n.cycle, n.at),
      event: 'notification',
      clock: { kind: n.clock, cycle: n.cycle, dueAt: iso(n.dueAt) },
      step: { key: n.key, kind: n.kind, level: n.level, late: Boolean(base.about?.late) },
      recipients: n.to.people.map((id) => contact(config, id)),
      text: cardToLine(card),
    };
    add('webhook', name, n.key, { via: 'webhook', name, body });
  }
  for (const target of n.to.emails) {
    const to = emailAddresses(config, target);
    if (to.length === 0) continue;
    add('email', target, n.key, { via: 'email', to, ...emailOf(card, link, customerName(ctx, ticket.customer)) });
  }
  return out;
}

/** Acknowledge and resolve for the pagers and webhooks of a ticket (escalation/outbound.ts decides which). */
export function lifecycleDeliveries(
  ctx: DeskContext,
  ticket: Ticket,
  due: readonly LifecycleDelivery[],
  now: number,
  voice: Voice,
  base: Pick<OutboxItem, 'platform'>,
  links: LinkOptions,
): OutboundDelivery[] {
  const view = viewTicket(ticket);
  const link = threadLink(ticket, links);
  return due.map((d) => {
    const what = lifecycleWhat(d.clock, d.cycle, d.action);
    const key = formatKey({ kind: 'delivery', ticketId: ticket.id, via: d.via, target: d.target, what });
    const values = { ticket: ticketRef(ticket.id), clock: clockName(voice, d.clock) };
    const assignee = view.assignee?.personId ? displayName(ctx.config, view.assignee.personId) : (view.assignee?.name ?? view.assignee?.userId);
    const card: Card = {
      tone: d.action === 'resolve' ? 'good' : 'info',
      locale: voice.locale,
      title: d.action === 'resolve' ? voice.t('outbound.resolved', values) : voice.t('outbound.acknowledged', { ...values, assignee: assignee ?? voice.t('people.nobody') }),
      fields: [],
      footer: `key ${key}`,
    };
    const message: ExternalMessage =
      d.via === 'pagerduty'
        ? { via: 'pagerduty', service: d.target, event: { action: d.action, dedupKey: alertKey(ticket.id, d.clock, d.cycle) } }
        : {
            via: 'webhook',
            name: d.target,
            body: { ...webhookBase(ctx, ticket, link, key, d.clock, d.cycle, now), event: d.action, clock: { kind: d.clock, cycle: d.cycle }, recipients: [], text: card.title },
          };
    return { record: deliveryRecordKey(d.via, d.target, what), item: { ...base, channelId: d.target, card, key, external: message } };
  });
}

function webhookBase(ctx: DeskContext, ticket: Ticket, link: string, key: string, clock: Notification['clock'], cycle: number, at: number): Pick<WebhookBody, 'key' | 'alertKey' | 'at' | 'ticket'> {
  const view = viewTicket(ticket);
  const assignee = view.assignee?.personId;
  return {
    key,
    alertKey: alertKey(ticket.id, clock, cycle),
    at: iso(at),
    ticket: {
      id: ticket.id,
      customer: ticket.customer,
      customerName: customerName(ctx, ticket.customer),
      tier: view.tier,
      severity: view.severity,
      title: view.title,
      link,
      ...(assignee ? { assignee } : {}),
    },
  };
}

function contact(config: Config, id: string): WebhookBody['recipients'][number] {
  const person = config.people[id];
  return { id, name: displayName(config, id), ...(person?.email ? { email: person.email } : {}), ...(person?.phone ? { phone: person.phone } : {}) };
}

/** The addresses an `email:` target names: a person's, or an e-mail group's (people by id, or addresses). */
export function emailAddresses(config: Config, target: string): string[] {
  const members = config.people[target] ? [target] : (config.email.groups[target] ?? []);
  const out = members.map((m) => (m.includes('@') ? m : config.people[m]?.email)).filter((a): a is string => Boolean(a));
  return [...new Set(out)];
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An e-mail of a card: the subject, plain text and HTML, with the ticket's link. */
export function emailOf(card: Card, link: string, customer: string): { subject: string; text: string; html: string } {
  const voice = voiceIn(card.locale);
  const lines = [card.title, '', ...card.fields.map((f) => voice.t('card.field', { label: f.label, value: f.value }))];
  if (card.quote) lines.push('', `“${card.quote}”`);
  if (card.body) lines.push('', card.body);
  lines.push('', link);
  if (card.footer) lines.push('', card.footer);
  const href = /^https?:/.test(link) ? `<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>` : escapeHtml(link);
  const html = [
    `<h2>${escapeHtml(card.title)}</h2>`,
    card.fields.length ? `<table>${card.fields.map((f) => `<tr><th align="left">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`).join('')}</table>` : '',
    card.quote ? `<blockquote>${escapeHtml(card.quote)}</blockquote>` : '',
    card.body ? `<p>${card.body.split('\n').map(escapeHtml).join('<br>')}</p>` : '',
    `<p>${href}</p>`,
    card.footer ? `<p><small>${escapeHtml(card.footer)}</small></p>` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { subject: oneLine(`${card.title} — ${customer}`, 200), text: lines.join('\n'), html };
}
