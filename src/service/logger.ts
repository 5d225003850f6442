/**
 * Structured JSON logs (pino) on stderr, so the shell's stdout stays the
 * conversation. Token-shaped values, token fields and credentials inside URLs
 * are redacted (observability/redact.ts): a secret never reaches a log line,
 * whatever a caller passes in.
 */
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

export function createLogger(options: { level?: string; destination?: number } = {}): Logger {
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
    pino.destination({ fd: options.destination ?? 2, sync: true }),
  );
  return logger;
}

/** A logger that keeps nothing (tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
