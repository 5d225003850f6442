/**
 * A plain-text table of handoffs, for chat and the CLI: the shift running at
 * `from` and the next `count` ones, in the schedule's zone and in UTC.
 */
import { DateTime } from 'luxon';
import type { ScheduleSpec } from '../config/schema.js';
import { onCallAt } from './schedule.js';

interface Row {
  start: number | null;
  end: number | null;
  users: string[];
}

/** Shown for an edge beyond the search horizon. */
const OPEN = '—';
const NOBODY = '(nobody)';

export function renderHandoffTable(
  scheduleId: string,
  schedule: ScheduleSpec,
  people: Record<string, { name: string }>,
  from: number,
  count: number,
): string {
  const zone = schedule.timezone;
  const rows = handoffRows(schedule, from, count);

  const header = ['', `start (${zone})`, `end (${zone})`, 'start (UTC)', 'end (UTC)', 'on call'];
  const cells = rows.map((row, i) => [
    i === 0 ? 'now' : 'next',
    formatLocal(row.start, zone),
    formatLocal(row.end, zone),
    formatUtc(row.start),
    formatUtc(row.end),
    row.users.length > 0 ? row.users.map((id) => people[id]?.name ?? id).join(', ') : NOBODY,
  ]);
  const widths = header.map((title, col) => Math.max(title.length, ...cells.map((line) => line[col]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, col) => value.padEnd(widths[col]!))
      .join('  ')
      .trimEnd();

  const title = `${schedule.name ?? scheduleId} (${zone})`;
  return [title, line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** The period running at `from`, then up to `count` following ones (fewer if the horizon ends first). */
function handoffRows(schedule: ScheduleSpec, from: number, count: number): Row[] {
  const now = onCallAt(schedule, from);
  const rows: Row[] = [{ start: now.since, end: now.until, users: now.onCall }];
  let next = now.until;
  for (let i = 0; i < count && next !== null; i++) {
    const answer = onCallAt(schedule, next);
    rows.push({ start: next, end: answer.until, users: answer.onCall });
    next = answer.until;
  }
  return rows;
}

function formatLocal(ms: number | null, zone: string): string {
  if (ms === null) return OPEN;
  return DateTime.fromMillis(ms, { zone, locale: 'en-US' }).toFormat('ccc yyyy-MM-dd HH:mm ZZ');
}

function formatUtc(ms: number | null): string {
  if (ms === null) return OPEN;
  return DateTime.fromMillis(ms, { zone: 'utc', locale: 'en-US' }).toFormat("ccc yyyy-MM-dd HH:mm'Z'");
}
