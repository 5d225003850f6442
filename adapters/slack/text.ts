/**
 * Slack's text conventions, in one place: message timestamps (`ts`) and the
 * three characters Slack's markup gives meaning to.
 *
 * Slack sends message text with `&`, `<` and `>` escaped and with mentions
 * as markup (`<@U123>`, `<!channel>`). The core keeps plain text, so text
 * coming in is unescaped once; everything going out is escaped once, so a
 * customer who types `<!channel>` gets those characters shown, not a ping.
 */
import type { CursorOrder } from '../common/cursors.js';

/** Escapes user-provided text for Slack (mrkdwn and plain_text alike). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack message text → the plain text the core stores (inverse of escapeSlack). */
export function slackToPlain(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const TS_PATTERN = /^(\d+)(?:\.(\d{1,6}))?$/;

export function isSlackTs(value: unknown): value is string {
  return typeof value === 'string' && TS_PATTERN.test(value);
}

/** "1712345678.123456" → 1712345678123 (epoch ms). */
export function tsToMs(ts: string): number {
  const match = TS_PATTERN.exec(ts);
  if (!match) throw new Error(`not a Slack timestamp: ${ts}`);
  const micros = (match[2] ?? '').padEnd(6, '0');
  return Number(match[1]) * 1000 + Math.floor(Number(micros) / 1000);
}

/** Epoch ms → a Slack timestamp usable as `oldest` / `latest`. */
export function msToTs(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${seconds}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}

/** Orders two Slack timestamps (negative when `a` is earlier). Exact: no float rounding. */
export function compareTs(a: string, b: string): number {
  const [aSec = '0', aMicro = ''] = a.split('.');
  const [bSec = '0', bMicro = ''] = b.split('.');
  const bySeconds = Number(aSec) - Number(bSec);
  return bySeconds !== 0 ? bySeconds : Number(aMicro.padEnd(6, '0')) - Number(bMicro.padEnd(6, '0'));
}

/** Slack's positions for reconciliation cursors are message timestamps. */
export const SLACK_ORDER: CursorOrder = { compare: compareTs, at: msToTs, timeOf: tsToMs };

/**
 * Escapes `text` and cuts it so the escaped result fits in `max` characters
 * (Block Kit has hard limits), ending with an ellipsis when cut. Cuts whole
 * characters before escaping, so an entity is never split.
 */
export function escapeWithin(text: string, max: number): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const char of text) {
    const piece = escapeSlack(char);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}
