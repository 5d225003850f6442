/**
 * Structured JSON logs (pino) on stderr, so the shell's stdout stays the
 * conversation; the shell asks for plain sentences instead, for the person at
 * the terminal. Token-shaped values, token fields and credentials inside URLs
 * are redacted (observability/redact.ts): a secret never reaches a log line,
 * whatever a caller passes in.
 */
import { writeSync } from 'node:fs';
import pino from 'pino';
import { redactSecrets } from '../observability/redact.js';

export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const SECRET_FIELDS = ['token', 'botToken', 'appToken', 'signingSecret', 'authorization', 'password', 'secret'];

export { redactSecrets };

export interface LoggerOptions {
  level?: string;
  /** A file descriptor; default stderr. */
  destination?: number;
  /** `json` (default): one JSON object a line, for machines. `text`: one sentence a line, for a person at a terminal. */
  format?: 'json' | 'text';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const fd = options.destination ?? 2;
  const logger = pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { app: 'slawatch' },
      redact: { paths: [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`)], censor: '[redacted]' },
      hooks: {
        // Catches tokens embedded in messages or error texts, not only in named fields.
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
      formatters: {
        log: (object) => JSON.parse(redactSecrets(JSON.stringify(object))) as Record<string, unknown>,
      },
    },
    options.format === 'text' ? { write: (line: string) => writeSync(fd, textLine(line)) } : pino.destination({ fd, sync: true }),
  );
  return logger;
}

const LEVEL_WORDS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };
/** What every line carries and a person does not need to read. */
const QUIET_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'app', 'msg']);

/** A pino JSON line as one sentence: `slawatch warning: <message> (field: value, …)`. */
function textLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = LEVEL_WORDS[Number(entry.level)] ?? 'log';
  const fields = Object.entries(entry)
    .filter(([key]) => !QUIET_FIELDS.has(key))
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `slawatch ${level}: ${String(entry.msg ?? '')}${fields.length ? ` (${fields.join(', ')})` : ''}\n`;
}

/** A logger that keeps nothing (tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** An error as one line for a log (its message; anything else as text). */
export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
