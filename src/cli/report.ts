/**
 * `slawatch report` and `slawatch export`: read the stored tickets one page at
 * a time (`listAll`, oldest first), from whichever store the config names, and
 * either aggregate them into the SLA report or write them in the export format
 * (report/export.ts), followed by the incident log. Never holds all tickets.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfigFile, resolveConfigPath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { incidentLogText } from '../availability/incident-log.js';
import { exportChannel, exportTicket, type ChannelState } from '../report/export.js';
import { checkLinkOptions, type LinkOptions } from '../report/links.js';
import { PeriodError, resolvePeriod, type Period, type PeriodInput } from '../report/period.js';
import { renderReport, type CsvSection, type ReportFormat } from '../report/render.js';
import { ReportBuilder, type GroupBy } from '../report/report.js';
import { PLATFORMS } from '../domain/ticket.js';
import { cursorKey, lastTicketKey } from '../service/channel-state.js';
import { openStore } from '../store/open.js';
import type { RestorableStore, TicketStore } from '../store/ports.js';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Thrown for problems the user fixes on the command line; main.ts maps it to its UsageError. */
export class ReportUsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'ReportUsageError';
  }
}

export interface StoreOptions extends PeriodInput {
  config?: string;
  store?: string;
  at: number;
  timezone: string;
}

export interface ReportCommandOptions extends StoreOptions {
  by: GroupBy;
  format: ReportFormat;
  section: CsvSection;
  links: LinkOptions;
  /** The language of the table and Markdown (CSV and JSON are the same in every language). */
  locale?: string;
}

/** The last 30 days when no period is given. */
const REPORT_DEFAULT_DAYS = 30;

export async function reportCommand(options: ReportCommandOptions, io: Io): Promise<void> {
  const linkProblem = checkLinkOptions(options.links);
  if (linkProblem) throw new ReportUsageError(linkProblem);
  const period = periodOf(options, { from: options.at - REPORT_DEFAULT_DAYS * 86_400_000, to: options.at });
  const config = await loadConfigFile(resolveConfigPath(options.config).path);
  const builder = new ReportBuilder(config, { by: options.by, from: period.from, to: period.to, at: options.at, timezone: options.timezone, links: options.links });
  await withStore(config, options.store, async (store) => {
    for await (const ticket of store.listAll()) builder.add(ticket);
  });
  io.out(renderReport(builder.build(), options.format, options.section, options.locale));
}

/** Writes about this many characters at a time: one write per ticket is slow for a million tickets. */
const EXPORT_CHUNK = 1 << 16;

export async function exportCommand(options: StoreOptions, io: Io): Promise<void> {
  const period = periodOf(options, { from: null, to: null });
  const config = await loadConfigFile(resolveConfigPath(options.config).path);
  const opened = (at: number) => (period.from === null || at >= period.from) && (period.to === null || at < period.to) && at <= options.at;
  await withStore(config, options.store, async (store) => {
    let chunk: string[] = [];
    let size = 0;
    const flush = () => {
      if (chunk.length) io.out(chunk.join('\n'));
      chunk = [];
      size = 0;
    };
    const write = (text: string) => {
      chunk.push(text);
      size += text.length;
      if (size >= EXPORT_CHUNK) flush();
    };
    for await (const ticket of store.listAll()) {
      const first = ticket.events[0];
      if (first && opened(first.at)) write(exportTicket(ticket));
    }
    for (const state of await channelStates(config, store)) write(exportChannel(state));
    // Then the incident log: an incident (or maintenance window) belongs to the period by its first event.
    for await (const record of store.incidents().listAll()) {
      const first = record.events[0];
      if (first && opened(first.at)) write(incidentLogText(record.events));
    }
    flush();
  });
}

/** What the store keeps of each customer channel of the config (only channels it keeps something for). */
async function channelStates(config: Config, store: TicketStore): Promise<ChannelState[]> {
  const states: ChannelState[] = [];
  for (const customer of config.customers) {
    for (const platform of PLATFORMS) {
      for (const channelId of customer.channels[platform]) {
        const cursor = await store.getMeta(cursorKey(platform, channelId));
        const last = await store.getMeta(lastTicketKey(platform, channelId));
        if (cursor === undefined && last === undefined) continue;
        states.push({ platform, channelId, ...(cursor !== undefined ? { cursor } : {}), ...(last !== undefined ? { lastTicket: Number(last) } : {}) });
      }
    }
  }
  return states;
}

function periodOf(options: StoreOptions, fallback: Period): Period {
  try {
    return resolvePeriod(options, options.at, options.timezone, fallback);
  } catch (error) {
    if (error instanceof PeriodError) throw new ReportUsageError(error.message);
    throw error;
  }
}

/**
 * Opens the store the config names — SQLite, Redis — or the SQLite file
 * given with --store, runs `use` on it and closes it. For reading, an SQLite
 * file that does not exist is an error rather than a new empty store: a typo
 * in the path must not print an empty report. A memory store keeps nothing
 * between runs, so there is nothing in it to read or to import into.
 */
export async function withStore<T>(config: Config, given: string | undefined, use: (store: RestorableStore) => Promise<T>, mode: 'read' | 'write' = 'read'): Promise<T> {
  const settings: Config['store'] = given ? { ...config.store, backend: 'sqlite', path: given } : config.store;
  if (settings.backend === 'memory') {
    throw new ReportUsageError(
      `the config's store is "memory", which keeps nothing between runs: name an SQLite file with --store <path> (or SLAWATCH_STORE), or set store.backend to sqlite or redis`,
      1,
    );
  }
  if (settings.backend === 'sqlite' && mode === 'read' && !existsSync(resolve(settings.path))) {
    throw new ReportUsageError(`no ticket store at ${resolve(settings.path)} (name it with --store <path> or SLAWATCH_STORE)`, 1);
  }
  const store = await openStore(settings);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
