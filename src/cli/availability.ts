/**
 * `slawatch availability [incidents.jsonl] --config <file> --month 2026-11
 * [--at <ISO time>] [--json | --format table|csv|md]`: each customer's
 * availability and service credit for a month, from an incident log file or,
 * without one, from the store's.
 */
import { loadConfigFile, resolveConfigPath } from '../config/load.js';
import { parseIncidentLog, type IncidentEvent } from '../availability/incident-log.js';
import { renderStatement, type StatementFormat } from '../report/statement-render.js';
import { monthBounds, monthOf, monthStatement, StatementError } from '../availability/statement.js';
import { allCustomerTerms, scopeNames } from '../availability/terms.js';
import { ReportUsageError, withStore } from './report.js';
import { readLines } from './lines.js';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface AvailabilityCommandOptions {
  /** The incident log to replay; without one, the store's. */
  file?: string;
  config?: string;
  /** SQLite file (default: the config's store). */
  store?: string;
  /** `YYYY-MM`; default: the month of `at` in `availability.timezone`. */
  month?: string;
  at: number;
  format: StatementFormat;
  /** The language of the table and Markdown. */
  locale?: string;
}

export async function availabilityCommand(options: AvailabilityCommandOptions, io: Io): Promise<void> {
  const config = await loadConfigFile(resolveConfigPath(options.config).path);
  const month = options.month ?? monthOf(options.at, config.availability.timezone);
  try {
    monthBounds(month, 'UTC');
  } catch (error) {
    if (error instanceof StatementError) throw new ReportUsageError(`--month: ${error.message}`);
    throw error;
  }
  let events: IncidentEvent[] = [];
  if (options.file !== undefined) {
    // (A missing, unreadable or over-long file is an InputFileError that says which.)
    const lines: string[] = [];
    for await (const line of readLines(options.file)) lines.push(line);
    events = parseIncidentLog(lines.join('\n'), scopeNames(config));
  } else {
    await withStore(config, options.store, async (store) => {
      for await (const record of store.incidents().listAll()) events.push(...record.events);
    });
  }
  const statement = monthStatement(allCustomerTerms(config), events, { month, at: options.at, maintenanceNoticeMs: config.availability.maintenanceNotice });
  io.out(renderStatement(statement, options.format, options.at, options.locale));
}
