/**
 * The `slawatch` command. Every flag mirrors an environment variable
 * (`--config` / SLAWATCH_CONFIG, …) so the same settings work from a shell,
 * a container or a service manager.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { ConfigError, formatProblem, loadConfigFile } from '../config/load.js';
import { configSchema, type Config } from '../config/schema.js';
import { EventLogError } from '../domain/event-log.js';
import { isoUtc, parseInstant } from '../domain/time.js';
import type { TicketEvent } from '../domain/ticket.js';
import { redactSecrets } from '../observability/redact.js';
import { scheduleToICal } from '../oncall/ical.js';
import { renderHandoffTable } from '../oncall/render.js';
import { onCallAt } from '../oncall/schedule.js';
import { CSV_SECTIONS, REPORT_FORMATS, type CsvSection, type ReportFormat } from '../report/render.js';
import { GROUP_BY, type GroupBy } from '../report/report.js';
import { count } from './count.js';
import { InputFileError, readLines } from './lines.js';
import { policyContext, readLogFor, replay, replayText } from './replay.js';
import { importCommand } from './import.js';
import { exportCommand, reportCommand, ReportUsageError } from './report.js';
import { runDemo } from './demo.js';
import { STATEMENT_FORMATS, type StatementFormat } from '../report/statement-render.js';
import { availabilityCommand } from './availability.js';
import { DEFAULT_LOCALE, LOCALES } from '../i18n/index.js';

/** A problem the user can fix: printed as one clean message, exit code 1 (2 for usage). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** `--locale`: the language of a table or Markdown report (one of the message catalogues). */
function localeOption(): Option {
  return new Option('--locale <locale>', 'language of the table and Markdown headings').choices(LOCALES).default(DEFAULT_LOCALE).env('SLAWATCH_LOCALE');
}

function instant(text: string | undefined, flag: string): number {
  if (text === undefined) return Date.now();
  const ms = parseInstant(text);
  if (ms === undefined) throw new UsageError(`${flag}: expected an ISO time with a zone, e.g. 2026-03-02T09:00:00Z (got "${text}")`, 2);
  return ms;
}

/** The version in slawatch's package.json, found from this module whether it runs compiled (dist/src/cli) or from source (src/cli). */
function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    const file = fileURLToPath(new URL(up, import.meta.url));
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name === 'slawatch' && typeof pkg.version === 'string') return pkg.version;
  }
  return 'unknown';
}

async function configFrom(file: string | undefined): Promise<Config> {
  if (!file) throw new UsageError('--config <file> is required (or set SLAWATCH_CONFIG)', 2);
  return loadConfigFile(file);
}

export function buildProgram(io: Io = defaultIo): Command {
  const program = new Command('slawatch')
    .description('Support-escalation bot: tickets from customer channels, SLA clocks per tier, on-call pings and an escalation ladder.')
    .version(packageVersion(), '-V, --version', 'print the version of slawatch')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  program
    .command('start')
    .description('run the bot: Slack and/or Discord where their tokens are set, else the shell adapter on an SQLite file')
    .addOption(new Option('-c, --config <file>', 'config file (default ./slawatch.yaml, else the bundled example)').env('SLAWATCH_CONFIG'))
    .addOption(new Option('--store <path>', 'SQLite file (overrides store.path)').env('SLAWATCH_STORE'))
    .addOption(new Option('--as <who>', 'shell: who speaks first').env('SLAWATCH_SHELL_AS'))
    .addOption(new Option('--in <channel>', 'shell: the channel to start in').env('SLAWATCH_SHELL_CHANNEL'))
    .option('--keep-running', 'shell: keep running (timers and pings) after the input ends', false)
    .action(async (opts: { config?: string; store?: string; as?: string; in?: string; keepRunning: boolean }) => {
      // Loaded here, not at the top: start.js brings every adapter (Bolt, discord.js), which the other commands do without.
      const { startBot } = await import('./start.js');
      await startBot({ configPath: opts.config, storePath: opts.store, shellAs: opts.as, shellChannel: opts.in, keepRunning: opts.keepRunning || process.env.SLAWATCH_KEEP_RUNNING === '1' }, io);
    });

  program
    .command('replay')
    .description('the SLA status of one ticket from its event log (JSON Lines)')
    .argument('<events>', 'event log, one JSON object a line')
    .addOption(new Option('-c, --config <file>', 'config file').env('SLAWATCH_CONFIG'))
    .option('--at <time>', 'the instant to evaluate at (ISO time; default now)')
    .option('--json', 'print JSON', false)
    .option('--ticket <id>', 'from an exported log of several tickets (slawatch export): the ticket to replay')
    .action(async (file: string, opts: { config?: string; at?: string; json: boolean; ticket?: string }) => {
      const config = await configFrom(opts.config);
      const at = instant(opts.at, '--at');
      const ticket = opts.ticket === undefined ? undefined : Number(opts.ticket);
      if (ticket !== undefined && !(Number.isSafeInteger(ticket) && ticket >= 1)) throw new UsageError(`--ticket: expected a ticket number (got "${opts.ticket}")`, 2);
      const events = await readLogFor(config, readLines(file), ticket);
      const opened = (events[0] as TicketEvent).at;
      if (at < opened) throw new UsageError(`at ${isoUtc(at)} the ticket was not open yet; it opens at ${isoUtc(opened)}`);
      const ctx = policyContext(config);
      io.out(opts.json ? JSON.stringify(replay(events, ctx, at)) : replayText(events, ctx, at));
    });

  // Options both `report` and `export` take: where the tickets are, and which of them.
  const storeOptions = (command: Command): Command =>
    command
      .addOption(new Option('-c, --config <file>', 'config file (default ./slawatch.yaml, else the bundled example)').env('SLAWATCH_CONFIG'))
      .addOption(new Option('--store <path>', "SQLite file (default: the config's store.path)").env('SLAWATCH_STORE'))
      .option('--since <duration>', 'tickets opened in the last 30d, 4w, 12h … (up to --at)')
      .option('--from <date|time>', 'tickets opened from this date (in --timezone) or ISO time on')
      .option('--to <date|time>', 'tickets opened before this ISO time, or up to and including this date')
      .option('--at <time>', 'the instant to evaluate at (ISO time; default now); tickets opened later are left out')
      .addOption(new Option('--timezone <zone>', 'IANA time zone of dates and months').env('SLAWATCH_TIMEZONE').default('UTC'));
  interface StoreFlags {
    config?: string;
    store?: string;
    since?: string;
    from?: string;
    to?: string;
    at?: string;
    timezone: string;
  }
  const storeFlags = (opts: StoreFlags) => ({
    config: opts.config,
    store: opts.store,
    since: opts.since,
    from: opts.from,
    to: opts.to,
    at: instant(opts.at, '--at'),
    timezone: opts.timezone,
  });

  storeOptions(
    program
      .command('report')
      .description('SLA compliance over the stored tickets: per tier, customer, severity or assignee, with breached tickets and a monthly summary per customer'),
  )
    .addOption(new Option('--by <grouping>', 'group by').choices(GROUP_BY).default('tier'))
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('table'))
    .addOption(new Option('--section <table>', 'with --format csv: which table to print').choices(CSV_SECTIONS).default('groups'))
    .addOption(new Option('--slack-workspace <name>', 'Slack workspace (acme or acme.slack.com) for thread permalinks').env('SLAWATCH_SLACK_WORKSPACE'))
    .addOption(new Option('--discord-guild <id>', 'Discord guild id for message links (default DISCORD_GUILD_ID)').env('SLAWATCH_DISCORD_GUILD'))
    .addOption(localeOption())
    .action(async (opts: StoreFlags & { by: GroupBy; format: ReportFormat; section: CsvSection; slackWorkspace?: string; discordGuild?: string; locale: string }) => {
      const discordGuild = opts.discordGuild ?? (process.env.DISCORD_GUILD_ID?.trim() || undefined);
      await reportCommand(
        {
          ...storeFlags(opts),
          by: opts.by,
          format: opts.format,
          section: opts.section,
          locale: opts.locale,
          links: { ...(opts.slackWorkspace ? { slackWorkspace: opts.slackWorkspace } : {}), ...(discordGuild ? { discordGuild } : {}) },
        },
        io,
      );
    });

  storeOptions(
    program
      .command('export')
      .description("the store as JSON Lines: each ticket (its record, then its events, one a line) and each channel's state; slawatch import restores it, slawatch replay --ticket <id> replays one ticket"),
  ).action(async (opts: StoreFlags) => {
    await exportCommand(storeFlags(opts), io);
  });

  program
    .command('import')
    .description('restore an export (slawatch export) into the configured store: a backup, or SQLite\'s tickets into Redis; checks every line first and writes nothing on a problem; importing again changes nothing')
    .argument('<file>', 'an export, JSON Lines')
    .addOption(new Option('-c, --config <file>', 'config file (default ./slawatch.yaml, else the bundled example)').env('SLAWATCH_CONFIG'))
    .addOption(new Option('--store <path>', "SQLite file to import into (default: the config's store)").env('SLAWATCH_STORE'))
    .action(async (file: string, opts: { config?: string; store?: string }) => {
      await importCommand({ file, config: opts.config, store: opts.store }, io);
    });

  program
    .command('availability')
    .description("each customer's availability and service credit for a calendar month, from an incident log (default: the store's)")
    .argument('[incidents]', 'incident log, one JSON object a line (a slawatch export file works too); without it, the stored log')
    .addOption(new Option('-c, --config <file>', 'config file (default ./slawatch.yaml, else the bundled example)').env('SLAWATCH_CONFIG'))
    .addOption(new Option('--store <path>', "SQLite file (default: the config's store)").env('SLAWATCH_STORE'))
    .option('--month <YYYY-MM>', "the month (default: the month of --at in availability.timezone); each customer's own zone decides its bounds")
    .option('--at <time>', 'the instant the statement is made (ISO time; default now): later events are ignored, open incidents count up to it')
    .option('--json', 'print JSON (the same as --format json)', false)
    .addOption(new Option('--format <format>', 'output format').choices(STATEMENT_FORMATS).default('table'))
    .addOption(localeOption())
    .action(async (file: string | undefined, opts: { config?: string; store?: string; month?: string; at?: string; json: boolean; format: StatementFormat; locale: string }) => {
      await availabilityCommand({ file, config: opts.config, store: opts.store, month: opts.month, at: instant(opts.at, '--at'), format: opts.json ? 'json' : opts.format, locale: opts.locale }, io);
    });

  program
    .command('oncall')
    .description('who is on call: now (--json; an array for several schedules), the next handoffs (table), or an iCal feed (--ical)')
    .addOption(new Option('-c, --config <file>', 'config file').env('SLAWATCH_CONFIG'))
    .option('-s, --schedule <id>', 'schedule id (default: every schedule; --ical needs one)')
    .option('--at <time>', 'the instant (ISO time; default now)')
    .option('--json', 'print JSON', false)
    .option('--ical', 'print the schedule as an iCal feed (from --at, 12 weeks)', false)
    .option('--count <n>', 'handoffs to list in the table', '8')
    .action(async (opts: { config?: string; schedule?: string; at?: string; json: boolean; ical: boolean; count: string }) => {
      const config = await configFrom(opts.config);
      const at = instant(opts.at, '--at');
      const ids = opts.schedule ? [opts.schedule] : Object.keys(config.schedules);
      if (ids.length === 0) throw new UsageError('the config has no schedules');
      for (const id of ids) if (!config.schedules[id]) throw new UsageError(`unknown schedule "${id}" (known: ${Object.keys(config.schedules).join(', ')})`);
      const scheduleOf = (id: string) => config.schedules[id] as Config['schedules'][string];
      if (opts.ical) {
        if (ids.length > 1) throw new UsageError(`--ical prints one schedule: name it with --schedule <id> (known: ${ids.join(', ')})`, 2);
        const id = ids[0] as string;
        io.out(scheduleToICal(id, scheduleOf(id), config.people, at, at + 84 * 86_400_000));
      } else if (opts.json) {
        const answers = ids.map((id) => {
          const answer = onCallAt(scheduleOf(id), at);
          return { schedule: id, onCall: answer.onCall, until: answer.until === null ? null : isoUtc(answer.until) };
        });
        // One schedule asked for (or the only one): its object; several: an array of them.
        io.out(JSON.stringify(opts.schedule || answers.length === 1 ? answers[0] : answers));
      } else {
        io.out(ids.map((id) => renderHandoffTable(id, scheduleOf(id), config.people, at, Number(opts.count) || 8)).join('\n\n'));
      }
    });

  program
    .command('check-config')
    .description('validate a config file; errors name the path and the line')
    .argument('<file>', 'config file')
    .action(async (file: string) => {
      const config = await loadConfigFile(file);
      const counts = [
        count(config.customers.length, 'customer'),
        count(Object.keys(config.tiers).length, 'tier'),
        count(Object.keys(config.schedules).length, 'schedule'),
        count(Object.keys(config.escalation.policies).length, 'escalation policy', 'escalation policies'),
      ];
      io.out(`${file}: OK — ${counts.join(', ')}`);
    });

  program
    .command('schema')
    .description('write the JSON Schema of the config file (for editor completion and checks)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (opts: { out?: string }) => {
      const schema = JSON.stringify(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }), null, 2);
      if (opts.out) {
        await writeFile(opts.out, `${schema}\n`);
        io.out(`wrote ${opts.out}`);
      } else io.out(schema);
    });

  program
    .command('demo')
    .description('a scripted run on seconds-scale targets: a ticket opens, breaches, gets a reply and is resolved')
    .action(async () => {
      await runDemo(io);
    });

  return program;
}

/** Runs the CLI; returns the exit code. Known problems print one clean message, never a stack trace. */
export async function main(argv: string[], given: Io = defaultIo): Promise<number> {
  // Whatever reaches the terminal on stderr (an error naming a URL, say) has its secrets redacted.
  const io: Io = { out: given.out, err: (text) => given.err(redactSecrets(text)) };
  try {
    await buildProgram(io).parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ConfigError) {
      io.err(`${err.file}: invalid config`);
      for (const problem of err.problems) io.err(`  ${formatProblem(problem)}`);
      return 1;
    }
    if (err instanceof EventLogError) {
      io.err(`event log: ${err.message}`);
      return 1;
    }
    if (err instanceof ReportUsageError) {
      io.err(`slawatch: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof InputFileError) {
      io.err(`slawatch: ${err.message}`);
      return 1;
    }
    if (err instanceof UsageError) {
      io.err(`slawatch: ${err.message}`);
      return err.exitCode;
    }
    io.err(`slawatch: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.SLAWATCH_DEBUG && err instanceof Error && err.stack) io.err(err.stack);
    return 1;
  }
}
