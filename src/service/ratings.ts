/**
 * Satisfaction: on resolve the customer is asked to rate the help (1–5) and
 * may add a comment. One rating per ticket, which its customer may change
 * for a day after first rating it; each is a `rated` event in the ticket's
 * log (it changes no state). A rating of 1 or 2 pings the customer's account
 * engineer in the staff channel, once per ticket (the record `rating:low`,
 * written before the post).
 */
import { isStaff } from '../domain/people.js';
import { viewTicket, type Ticket } from '../domain/ticket.js';
import { customerLoopFor } from '../escalation/follow-ups.js';
import type { Voice } from '../i18n/index.js';
import { customerName, ticketRef } from './cards.js';
import { staffChannelFor, type DeskContext } from './context.js';
import type { Card, Outbound } from './messages.js';
import { formatKey } from './notification-key.js';
import { staffVoice } from './readers.js';
import { actorOf, append } from './tickets.js';
import type { Asking, CommandResult } from './commands.js';

/** How long a rating may be changed after the ticket was first rated. */
export const RATING_CHANGE_WINDOW_MS = 24 * 3_600_000;
/** The record of the low-rating ping (at most once per ticket). */
export const LOW_RATING_RECORD = 'rating:low';

/** `4`, `4 great help`: a rating and its comment, from a reply's words; undefined for anything else. */
export function ratingFromText(text: string): { rating: number; comment?: string } | undefined {
  const match = /^\s*([1-5])(?:\s*(?:\/\s*5)?)(?:\s+([\s\S]*\S))?\s*$/.exec(text);
  if (!match) return undefined;
  return { rating: Number(match[1]), ...(match[2] ? { comment: match[2] } : {}) };
}

/** Whether the ticket's tier asks for ratings. */
export function asksForRating(ctx: DeskContext, ticket: Ticket): boolean {
  const customer = ctx.config.customers.find((c) => c.id === ticket.customer);
  return customerLoopFor(ctx, customer, viewTicket(ticket).tier).satisfaction;
}

/** The customer rates a ticket (a button, `rate 4 …`, or a number replied in the shell). */
export async function rateTicket(ctx: DeskContext, asking: Asking, ticketId: number, rating: number, comment: string | undefined, voice: Voice): Promise<CommandResult> {
  const answer = (text: string, ticket?: Ticket): CommandResult => ({ reply: { ephemeral: true, locale: voice.locale, text }, outbound: [], ...(ticket ? { ticket } : {}) });
  const ref = ticketRef(ticketId);
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) return answer(voice.t('rating.outOfRange'));
  const found = await ctx.store.get(ticketId);
  // Only the customer, in the ticket's own channel, rates it.
  if (!found || found.platform !== asking.platform || found.channelId !== asking.channelId) return answer(voice.t('refusal.noSuchTicket', { ticket: ref }));
  if (isStaff(ctx.config, asking.platform, asking.author)) return answer(voice.t('rating.notCustomer', { ticket: ref }));
  if (!asksForRating(ctx, found)) return answer(voice.t('rating.off', { ticket: ref }));
  const now = ctx.now();
  const by = actorOf(ctx, asking.platform, asking.author);
  let refusal: string | undefined;
  let low = false;
  const ticket = await ctx.store.update(ticketId, (current) => {
    refusal = undefined;
    low = false;
    const view = viewTicket(current);
    if (view.state !== 'resolved' && view.state !== 'closed') {
      refusal = voice.t('rating.notResolved', { ticket: ref });
      return undefined;
    }
    if (view.rating && now - view.rating.firstAt > RATING_CHANGE_WINDOW_MS) {
      refusal = voice.t('rating.tooLate', { ticket: ref });
      return undefined;
    }
    const next = append(current, { type: 'rated', at: Math.max(now, current.events.at(-1)?.at ?? now), by, rating, ...(comment ? { comment } : {}) });
    if (!next) {
      refusal = voice.t('rating.notResolved', { ticket: ref });
      return undefined;
    }
    if (rating > 2 || current.notifications[LOW_RATING_RECORD]) return next;
    low = true;
    return { ...next, notifications: { ...next.notifications, [LOW_RATING_RECORD]: { status: 'sent', dueAt: now, sentAt: now } } };
  });
  if (refusal) return answer(refusal);
  ctx.onTicketChanged?.(ticket);
  const outbound: Outbound[] = low ? lowRatingPing(ctx, ticket, rating, comment) : [];
  return { ...answer(comment ? voice.t('rating.thanksComment', { ticket: ref, rating }) : voice.t('rating.thanks', { ticket: ref, rating }), ticket), outbound };
}

/** The staff-channel post about a rating of 1 or 2, pinging the customer's account engineer. */
function lowRatingPing(ctx: DeskContext, ticket: Ticket, rating: number, comment: string | undefined): Outbound[] {
  const staff = staffChannelFor(ctx.config, ticket.platform);
  if (!staff) return [];
  const voice = staffVoice(ctx.config);
  const engineer = ctx.config.customers.find((c) => c.id === ticket.customer)?.accountEngineer;
  const card: Card = {
    tone: 'warning',
    locale: voice.locale,
    title: voice.t('rating.low', { ticket: ticketRef(ticket.id), customer: customerName(ctx, ticket.customer), rating }),
    fields: comment ? [{ label: voice.t('rating.comment'), value: comment }] : [],
    quote: viewTicket(ticket).title,
    mentions: { people: engineer ? [engineer] : [], groups: [] },
    link: { platform: ticket.platform, channelId: ticket.channelId, threadId: ticket.threadId },
  };
  return [{ type: 'notify', platform: staff.platform, channelId: staff.channelId, cards: [card], keys: [formatKey({ kind: 'step', ticketId: ticket.id, step: LOW_RATING_RECORD })] }];
}
