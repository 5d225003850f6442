/**
 * Discord ids are snowflakes: 64-bit numbers whose high bits are the creation
 * time. They do not fit a JS number: compared as digit strings, converted
 * with BigInt; a snowflake made from a time is a valid `after` cursor for
 * message history.
 */
import type { CursorOrder } from '../common/cursors.js';

const DISCORD_EPOCH = 1_420_070_400_000n;

export function compareSnowflakes(a: string, b: string): number {
  // Ids are digit strings; a longer one is larger, and equal lengths compare as text.
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isSnowflake(text: string | undefined): text is string {
  return text !== undefined && /^\d{1,20}$/.test(text);
}

/** The smallest snowflake of the millisecond `ms`: history `after` it holds what was posted from then on. */
export function snowflakeAt(ms: number): string {
  return ((BigInt(Math.floor(ms)) - DISCORD_EPOCH) << 22n).toString();
}

export function timeOfSnowflake(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** Discord's positions are snowflakes: message ids, ordered by time across channels and threads. */
export const DISCORD_ORDER: CursorOrder = { compare: compareSnowflakes, at: snowflakeAt, timeOf: timeOfSnowflake };
