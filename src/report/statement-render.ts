/**
 * The monthly statement as text, in the report's formats: an aligned table
 * for the terminal, Markdown for a contract review, CSV for a spreadsheet,
 * JSON exactly as `--json` promises it.
 */
import { isoUtc } from '../domain/time.js';
import { aligned, csvLines, mdTable } from './render.js';
import type { CustomerAvailability, MonthStatement } from '../availability/statement.js';

export const STATEMENT_FORMATS = ['table', 'csv', 'json', 'md'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export const STATEMENT_DEFINITIONS = [
  "Downtime = the union of the intervals in which an incident affecting the customer had impact outage, inside the calendar month in the customer's zone, minus maintenance announced in time.",
  'Degraded = the same for impact degraded where no outage ran; it is not downtime.',
  'Availability = 100 × (month − excluded − downtime) / (month − excluded), in real elapsed seconds; excluded = maintenance announced in time.',
  "Credit = the largest band percent whose \"below\" exceeds the availability, of the month's fee, rounded to cents.",
] as const;

export function renderStatement(statement: MonthStatement, format: StatementFormat, at: number): string {
  switch (format) {
    case 'json':
      return JSON.stringify(statement);
    case 'csv':
      return csvLines([CSV_HEADER, ...statement.customers.map(csvRow)]);
    case 'md':
      return [
        `# Availability ${statement.month}`,
        '',
        `As of ${isoUtc(at)}.`,
        '',
        ...mdTable(STATEMENT_HEADERS, statement.customers.map(cells), 2),
        '',
        ...STATEMENT_DEFINITIONS.map((d) => `- ${d}`),
      ].join('\n');
    case 'table':
      return [`Availability ${statement.month} · as of ${isoUtc(at)}`, '', ...aligned([STATEMENT_HEADERS, ...statement.customers.map(cells)], 2), '', ...STATEMENT_DEFINITIONS].join('\n');
  }
}

const STATEMENT_HEADERS = ['customer', 'zone', 'month', 'excluded', 'downtime', 'degraded', 'availability', 'target', 'met', 'credit', 'amount', 'incidents'];

/** One customer's line as people read it (the table, Markdown). */
function cells(line: CustomerAvailability): string[] {
  return [
    line.customer,
    line.timezone,
    hours(line.periodSeconds),
    hours(line.excludedSeconds),
    hours(line.downtimeSeconds),
    hours(line.degradedSeconds),
    percentText(line),
    line.target === null ? '—' : `${line.target}%`,
    line.met === null ? '—' : line.met ? 'yes' : 'no',
    `${line.creditPercent}%`,
    amountText(line),
    line.incidents.join(' ') || '—',
  ];
}

/**
 * `99.8611%`: four decimals, cut (not rounded) from the exact figures, so a
 * missed target never reads as met: 99.89996 % shows 99.8999 %.
 */
export function percentText(line: Pick<CustomerAvailability, 'periodSeconds' | 'excludedSeconds' | 'downtimeSeconds'>): string {
  const measured = BigInt(Math.round((line.periodSeconds - line.excludedSeconds) * 1000));
  if (measured <= 0n) return '100.0000%';
  const up = BigInt(Math.round((line.periodSeconds - line.excludedSeconds - line.downtimeSeconds) * 1000));
  const tenThousandths = (1_000_000n * up) / measured;
  return `${tenThousandths / 10_000n}.${String(tenThousandths % 10_000n).padStart(4, '0')}%`;
}

/** `500.00 USD`, `—` without a fee. */
export function amountText(line: Pick<CustomerAvailability, 'creditAmount' | 'currency'>): string {
  return line.creditAmount === null ? '—' : `${line.creditAmount.toFixed(2)} ${line.currency}`;
}

/** Seconds as `h:mm:ss` (hours unbounded): 2592 → `0:43:12`, a month → `720:00:00`. */
export function hours(seconds: number): string {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

const CSV_HEADER = [
  'customer',
  'timezone',
  'period_seconds',
  'excluded_seconds',
  'downtime_seconds',
  'degraded_seconds',
  'availability_pct',
  'target_pct',
  'met',
  'credit_pct',
  'credit_amount',
  'currency',
  'incidents',
];

function csvRow(line: CustomerAvailability): (string | number | null)[] {
  return [
    line.customer,
    line.timezone,
    line.periodSeconds,
    line.excludedSeconds,
    line.downtimeSeconds,
    line.degradedSeconds,
    line.availability,
    line.target,
    line.met === null ? null : String(line.met),
    line.creditPercent,
    line.creditAmount === null ? null : line.creditAmount.toFixed(2),
    line.currency,
    line.incidents.join(' '),
  ];
}
