/**
 * `slawatch availability [incidents.jsonl] --config <file> --month 2026-11
 * [--at <ISO time>] [--json | --format table|csv|md]`: each customer's
 * availability and service credit for a month, from an incident log.
 */
import { readFile } from 'node:fs/promises';
import { loadConfigFile } from '../config/load.js';
import { parseIncidentLog } from '../availability/incident-log.js';
import { renderStatement, type StatementFormat } from '../availability/render.js';
import { monthBounds, monthOf, monthStatement, StatementError } from '../availability/statement.js';
import { allCustomerTerms, scopeNames } from '../availability/terms.js';
import { ReportUsageError } from './report.js';
import { resolveConfigPath } from './start.js';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface AvailabilityCommandOptions {
  /** The incident log to replay. */
  file: string;
  config?: string;
  /** `YYYY-MM`; default: the month of `at` in `availability.timezone`. */
  month?: string;
  at: number;
  format: StatementFormat;
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
  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch {
    throw new ReportUsageError(`cannot read incident log "${options.file}"`, 1);
  }
  const events = parseIncidentLog(text, scopeNames(config));
  const statement = monthStatement(allCustomerTerms(config), events, { month, at: options.at, maintenanceNoticeMs: config.availability.maintenanceNotice });
  io.out(renderStatement(statement, options.format, options.at));
}
