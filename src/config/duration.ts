/**
 * Durations in config are written the way people say them: `30s`, `15m`, `4h`,
 * `2d`, `1w`, or combined (`1h30m`). Internally everything is milliseconds.
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

/** Formats milliseconds for people: `1h 30m`, `45s`, `2d 4h`. Negative values get a minus sign. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  const totalSeconds = Math.round(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts: string[] = [];
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (seconds && days === 0 && hours === 0) parts.push(`${seconds}s`);
  return parts.length ? parts.slice(0, 2).join(' ') : '0s';
}
