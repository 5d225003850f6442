/**
 * Durations in config are written the way people say them: `30s`, `15m`, `4h`,
 * `2d`, `1w`, or combined (`1h30m`). Internally everything is milliseconds.
 * (How a length of time reads to a person is the reader's language: src/i18n.)
 */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const PART = /(\d+(?:\.\d+)?)(w|d|h|m|s)/g;
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(w|d|h|m|s))+$';
const WHOLE = new RegExp(DURATION_PATTERN);

/** Parses `1h30m` into milliseconds; returns undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!WHOLE.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(PART)) {
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return Math.round(total);
}
