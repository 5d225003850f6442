/**
 * The report model as text: an aligned table for the terminal, Markdown for
 * a wiki or a contract review (both in the reader's language, `--locale`),
 * CSV for a spreadsheet (one table at a time) and JSON as the model itself,
 * whose column names and keys are the same in every language.
 */
import { CLOCK_KINDS, type ClockKind } from '../config/schema.js';
import { DEFAULT_LOCALE, voiceIn, type Voice } from '../i18n/index.js';
import type { BreachedTicket, ClockCompliance, GroupFigures, ReportModel } from './report.js';

export const REPORT_FORMATS = ['table', 'csv', 'json', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Which table `--format csv` prints: CSV holds one table per file. */
export const CSV_SECTIONS = ['groups', 'breaches', 'monthly'] as const;
export type CsvSection = (typeof CSV_SECTIONS)[number];

const CLOCK_SNAKE: Record<ClockKind, string> = { firstResponse: 'first_response', nextResponse: 'next_response', resolution: 'resolution' };

export function renderReport(model: ReportModel, format: ReportFormat, section: CsvSection = 'groups', locale: string = DEFAULT_LOCALE): string {
  switch (format) {
    case 'json':
      return JSON.stringify(model);
    case 'csv':
      return renderCsv(model, section);
    case 'md':
      return renderMarkdown(model, voiceIn(locale));
    case 'table':
      return renderTable(model, voiceIn(locale));
  }
}

/** What the report's definitions say, line by line. */
function definitions(voice: Voice): string[] {
  return [voice.t('report.definition.period'), voice.t('report.definition.compliance'), voice.t('report.definition.firstResponse'), voice.t('report.definition.now')];
}

/** A column heading: `first response`, `FR median`, `breached tickets`… */
function column(voice: Voice, name: string): string {
  return voice.t('report.column', { column: name });
}

// ---------------------------------------------------------------------------
// Shared cells

/** `66.7% (2/3)`, or `—` when no clock finished. */
function complianceCell(c: ClockCompliance): string {
  return c.percent === null ? '—' : `${c.percent}% (${c.met}/${c.met + c.breached})`;
}

function secondsCell(voice: Voice, s: number | null): string {
  return s === null ? '—' : voice.duration(s * 1000);
}

function periodText(voice: Voice, model: ReportModel): string {
  const from = model.period.from ?? voice.t('report.firstTicket');
  const to = model.period.to ?? model.at;
  return voice.t('report.period', { from, to });
}

function breachesCell(b: GroupFigures['breaches']): string {
  return `${b.total} (${b.firstResponse}/${b.nextResponse}/${b.resolution})`;
}

function breachText(voice: Voice, t: BreachedTicket): string {
  return t.breaches.map((b) => `${voice.t('clock.name', { clock: b.clock })}${b.cycle !== undefined ? ` #${b.cycle}` : ''} ${b.at}`).join(', ');
}

const GROUP_COLUMNS = ['tickets', 'firstResponse', 'nextResponse', 'resolution', 'frMedian', 'frP90', 'breaches', 'rating'];

/** The grouping as a word: `tier`, `customer`… */
const byWord = (voice: Voice, model: ReportModel): string => voice.t('report.by', { by: model.by });

function groupCells(voice: Voice, label: string, g: GroupFigures): string[] {
  return [
    label,
    String(g.tickets),
    complianceCell(g.compliance.firstResponse),
    complianceCell(g.compliance.nextResponse),
    complianceCell(g.compliance.resolution),
    secondsCell(voice, g.firstResponseTime.medianSeconds),
    secondsCell(voice, g.firstResponseTime.p90Seconds),
    breachesCell(g.breaches),
    ratingCell(g.satisfaction),
  ];
}

/** `4.25 (8)`: the average rating and how many tickets were rated; `–` with none. */
function ratingCell(s: GroupFigures['satisfaction']): string {
  return s.average === null ? '–' : `${s.average.toFixed(2)} (${s.count})`;
}

const MONTHLY_COLUMNS = ['month', 'customer', 'tickets', 'breachedTickets', 'breachesFR', 'breachesNR', 'breachesRes', 'firstResponse', 'nextResponse', 'resolution', 'overall'];

function monthlyCells(row: ReportModel['monthly'][number]): string[] {
  return [
    row.month,
    row.customerName,
    String(row.tickets),
    String(row.ticketsBreached),
    String(row.breaches.firstResponse),
    String(row.breaches.nextResponse),
    String(row.breaches.resolution),
    complianceCell(row.compliance.firstResponse),
    complianceCell(row.compliance.nextResponse),
    complianceCell(row.compliance.resolution),
    complianceCell(row.compliance.overall),
  ];
}

// ---------------------------------------------------------------------------
// Table (terminal)

/** Columns padded to their widest cell: the first `textColumns` left-aligned, figures right-aligned. */
export function aligned(rows: string[][], textColumns: number): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i < textColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd());
}

export function renderTable(model: ReportModel, voice: Voice = voiceIn(DEFAULT_LOCALE)): string {
  const by = byWord(voice, model);
  const out: string[] = [voice.t('report.title', { by, period: periodText(voice, model), at: model.at }), ''];
  const rows = [[by, ...GROUP_COLUMNS.map((c) => column(voice, c))], ...model.groups.map((g) => groupCells(voice, g.label, g)), groupCells(voice, voice.t('report.all'), model.totals)];
  out.push(...aligned(rows, 1));
  const breached = model.groups.filter((g) => g.breachedTickets.length > 0);
  if (breached.length) {
    out.push('', voice.t('report.breachedTickets'));
    for (const group of breached) {
      out.push(`  ${voice.t('report.group', { by, group: group.label })}`);
      for (const t of group.breachedTickets) out.push(`    #${t.id}  ${t.customer}  ${t.tier}/${t.severity}  ${breachText(voice, t)}  ${t.link}`);
    }
  }
  if (model.monthly.length) {
    out.push('', voice.t('report.monthlyTitle', { zone: model.timezone }), '');
    out.push(...aligned([MONTHLY_COLUMNS.map((c) => column(voice, c)), ...model.monthly.map(monthlyCells)], 2));
  }
  out.push('', ...definitions(voice));
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// Markdown

const mdCell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The first `textColumns` columns left-aligned, figures right-aligned. */
export function mdTable(headers: string[], rows: string[][], textColumns: number): string[] {
  const rule = headers.map((_, i) => (i < textColumns ? '---' : '---:')).join('|');
  return [`| ${headers.map(mdCell).join(' | ')} |`, `|${rule}|`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)];
}

export function renderMarkdown(model: ReportModel, voice: Voice = voiceIn(DEFAULT_LOCALE)): string {
  const by = byWord(voice, model);
  const out = [`# ${voice.t('report.heading', { by })}`, '', voice.t('report.asOf', { period: periodText(voice, model), at: model.at }), ''];
  out.push(...mdTable([by, ...GROUP_COLUMNS.map((c) => column(voice, c))], [...model.groups.map((g) => groupCells(voice, g.label, g)), groupCells(voice, `**${voice.t('report.all')}**`, model.totals)], 1));
  const breached = model.groups.flatMap((g) => g.breachedTickets.map((t) => ({ group: g.label, t })));
  if (breached.length) {
    out.push('', `## ${voice.t('report.breachedTickets')}`, '');
    const headers = [by, ...['ticket', 'customer', 'tier', 'severity', 'breached', 'link'].map((c) => column(voice, c))];
    out.push(...mdTable(headers, breached.map(({ group, t }) => [group, `#${t.id}`, t.customer, t.tier, t.severity, breachText(voice, t), mdLink(t.link)]), 7));
  }
  if (model.monthly.length) {
    out.push('', `## ${voice.t('report.monthlyTitle', { zone: model.timezone })}`, '');
    out.push(...mdTable(MONTHLY_COLUMNS.map((c) => column(voice, c)), model.monthly.map(monthlyCells), 2));
  }
  out.push('', ...definitions(voice).map((d) => `- ${d}`));
  return out.join('\n');
}

/** URLs become links; references that are not URLs (shell, Discord without a guild) stay code. */
function mdLink(link: string): string {
  return /^https:\/\//.test(link) ? `<${link}>` : `\`${link}\``;
}

// ---------------------------------------------------------------------------
// CSV (RFC 4180)

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLines = (rows: (string | number | null)[][]): string => rows.map((r) => r.map(csvCell).join(',')).join('\r\n');

function complianceColumns(prefix: string): string[] {
  return [`${prefix}_met`, `${prefix}_breached`, `${prefix}_pending`, `${prefix}_compliance_pct`];
}

function complianceValues(c: ClockCompliance): (number | null)[] {
  return [c.met, c.breached, c.pending, c.percent];
}

const ALL_CLOCKS = [...CLOCK_KINDS, 'overall'] as const;
const snake = (kind: ClockKind | 'overall'): string => (kind === 'overall' ? 'overall' : CLOCK_SNAKE[kind]);

/** The whole-report row of the groups CSV; "(all)" cannot clash with an id (ids have no parentheses). */
export const ALL_GROUPS_KEY = '(all)';

export function renderCsv(model: ReportModel, section: CsvSection): string {
  if (section === 'groups') {
    const header = [
      'group_by',
      'group',
      'label',
      'tickets',
      'tickets_breached',
      ...ALL_CLOCKS.flatMap((k) => complianceColumns(snake(k))),
      'first_response_answered',
      'first_response_median_seconds',
      'first_response_p90_seconds',
      ...CLOCK_KINDS.map((k) => `breaches_${CLOCK_SNAKE[k]}`),
      'breaches_total',
      'ratings',
      'rating_average',
    ];
    const row = (key: string, label: string, g: GroupFigures) => [
      model.by,
      key,
      label,
      g.tickets,
      g.ticketsBreached,
      ...ALL_CLOCKS.flatMap((k) => complianceValues(g.compliance[k])),
      g.firstResponseTime.answered,
      g.firstResponseTime.medianSeconds,
      g.firstResponseTime.p90Seconds,
      ...CLOCK_KINDS.map((k) => g.breaches[k]),
      g.breaches.total,
      g.satisfaction.count,
      g.satisfaction.average,
    ];
    return csvLines([header, ...model.groups.map((g) => row(g.key, g.label, g)), row(ALL_GROUPS_KEY, 'all', model.totals)]);
  }
  if (section === 'breaches') {
    const header = ['group_by', 'group', 'ticket', 'customer', 'tier', 'severity', 'assignee', 'state', 'opened_at', 'clock', 'cycle', 'breached_at', 'link'];
    const rows = model.groups.flatMap((g) =>
      g.breachedTickets.flatMap((t) =>
        t.breaches.map((b) => [model.by, g.key, t.id, t.customer, t.tier, t.severity, t.assignee, t.state, t.openedAt, CLOCK_SNAKE[b.clock], b.cycle ?? null, b.at, t.link]),
      ),
    );
    return csvLines([header, ...rows]);
  }
  const header = [
    'month',
    'customer',
    'customer_name',
    'tickets',
    'tickets_breached',
    ...CLOCK_KINDS.map((k) => `breaches_${CLOCK_SNAKE[k]}`),
    'breaches_total',
    ...ALL_CLOCKS.flatMap((k) => complianceColumns(snake(k))),
  ];
  const rows = model.monthly.map((m) => [
    m.month,
    m.customer,
    m.customerName,
    m.tickets,
    m.ticketsBreached,
    ...CLOCK_KINDS.map((k) => m.breaches[k]),
    m.breaches.total,
    ...ALL_CLOCKS.flatMap((k) => complianceValues(m.compliance[k])),
  ]);
  return csvLines([header, ...rows]);
}
