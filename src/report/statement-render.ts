/**
 * The monthly statement as text, in the report's formats: an aligned table
 * for the terminal and Markdown for a contract review (in the reader's
 * language, `--locale`), CSV for a spreadsheet and JSON exactly as `--json`
 * promises it (the same in every language).
 */
import { isoUtc } from '../domain/time.js';
import { DEFAULT_LOCALE, voiceIn, type Voice } from '../i18n/index.js';
import { aligned, csvLines, mdTable } from './render.js';
import type { CustomerAvailability, MonthStatement } from '../availability/statement.js';

export const STATEMENT_FORMATS = ['table', 'csv', 'json', 'md'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

/** What the statement's definitions say, line by line. */
function definitions(voice: Voice): string[] {
  return [voice.t('availability.definition.downtime'), voice.t('availability.definition.degraded'), voice.t('availability.definition.availability'), voice.t('availability.definition.credit')];
}

export function renderStatement(statement: MonthStatement, format: StatementFormat, at: number, locale: string = DEFAULT_LOCALE): string {
  const voice = voiceIn(locale);
  const headers = STATEMENT_COLUMNS.map((column) => voice.t('availability.column', { column }));
  const rows = () => statement.customers.map((line) => cells(voice, line));
  switch (format) {
    case 'json':
      return JSON.stringify(statement);
    case 'csv':
      return csvLines([CSV_HEADER, ...statement.customers.map(csvRow)]);
    case 'md':
      return [
        `# ${voice.t('availability.heading', { month: statement.month })}`,
        '',
        voice.t('availability.asOf', { at: isoUtc(at) }),
        '',
        ...mdTable(headers, rows(), 2),
        '',
        ...definitions(voice).map((d) => `- ${d}`),
      ].join('\n');
    case 'table':
      return [voice.t('availability.title', { month: statement.month, at: isoUtc(at) }), '', ...aligned([headers, ...rows()], 2), '', ...definitions(voice)].join('\n');
  }
}

const STATEMENT_COLUMNS = ['customer', 'zone', 'month', 'excluded', 'downtime', 'degraded', 'availability', 'target', 'met', 'credit', 'amount', 'incidents'];

/** One customer's line as people read it (the table, Markdown). */
function cells(voice: Voice, line: CustomerAvailability): string[] {
  return [
    line.customer,
    line.timezone,
    hours(line.periodSeconds),
    hours(line.excludedSeconds),
    hours(line.downtimeSeconds),
    hours(line.degradedSeconds),
    percentText(line),
    line.target === null ? '—' : `${line.target}%`,
    line.met === null ? '—' : voice.t('availability.met', { met: line.met ? 'yes' : 'no' }),
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
