/**
 * The ids on the bot's buttons and select: `slawatch:<action>:<ticket>`.
 * They carry the ticket number, so a click names its ticket wherever the
 * card was posted (the customer's thread, the staff channel, a reply).
 */
import type { TicketAction } from '../../src/service/messages.js';

const PREFIX = 'slawatch';
const ACTIONS: readonly TicketAction[] = ['claim', 'wait', 'resolve', 'severity'];

export function actionId(action: TicketAction, ticketId: number): string {
  return `${PREFIX}:${action}:${ticketId}`;
}

export function parseActionId(customId: string): { action: TicketAction; ticketId: number } | undefined {
  const [prefix, action, id] = customId.split(':');
  if (prefix !== PREFIX || !ACTIONS.includes(action as TicketAction) || !/^\d+$/.test(id ?? '')) return undefined;
  return { action: action as TicketAction, ticketId: Number(id) };
}

/** The rating buttons of the satisfaction prompt: `slawatch:rate:<ticket>:<1–5>`. */
export function rateId(ticketId: number, rating: number): string {
  return `${PREFIX}:rate:${ticketId}:${rating}`;
}

export function parseRateId(customId: string): { ticketId: number; rating: number } | undefined {
  const [prefix, action, id, rating] = customId.split(':');
  if (prefix !== PREFIX || action !== 'rate' || !/^\d+$/.test(id ?? '') || !/^[1-5]$/.test(rating ?? '')) return undefined;
  return { ticketId: Number(id), rating: Number(rating) };
}
