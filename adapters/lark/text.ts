/**
 * Feishu/Lark's conventions, in one place: how text the bot did not write is
 * made harmless, where a message sits in a chat's order, and the idempotency
 * key a send carries.
 *
 * Mentions in Feishu are markup: `<at user_id="ou_…">` in a text message,
 * `<at id=ou_…>` (or `id=all`) in card markdown. Text from customers, names
 * and every card string go out as plain text (cards' `plain_text`, which
 * Feishu never parses), and on top of that a zero-width space follows every
 * "<" and "@": the characters read the same, and no mention, tag or "@all"
 * can form in any element, nor be matched by a filter that looks for one.
 */
import { createHash } from 'node:crypto';
import type { CursorOrder } from '../common/cursors.js';

const ZERO_WIDTH_SPACE = '\u200b';

/** Plain text → the same characters, which never ping or mark up. */
export function neutralize(text: string): string {
  return text.replace(/</g, `<${ZERO_WIDTH_SPACE}`).replace(/@/g, `@${ZERO_WIDTH_SPACE}`);
}

/** Cuts text to a length, with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The `uuid` of a send: the same for the same idempotency key, in every
 * process, so Feishu posts a retried send once (it remembers a uuid for an
 * hour). At most 50 characters.
 */
export function uuidFor(key: string): string {
  return createHash('sha256').update(`slawatch:${key}`).digest('hex').slice(0, 32);
}

/**
 * A message's place in a chat: `<create time in ms>:<message id>`. Message
 * ids (om_…) carry no order; the create time does, and the id breaks ties.
 * The position of an instant is `<ms>:`, before every message of that ms.
 */
export function positionOf(createTimeMs: number, messageId: string): string {
  return `${Math.floor(createTimeMs)}:${messageId}`;
}

function split(position: string): [number, string] {
  const at = position.indexOf(':');
  return at < 0 ? [Number(position), ''] : [Number(position.slice(0, at)), position.slice(at + 1)];
}

export function comparePositions(a: string, b: string): number {
  const [aMs, aId] = split(a);
  const [bMs, bId] = split(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

export const LARK_ORDER: CursorOrder = {
  compare: comparePositions,
  at: (ms) => `${Math.floor(ms)}:`,
  timeOf: (position) => split(position)[0],
};
