/**
 * Bolt, the Web API client and the Socket Mode client log through slawatch's
 * logger. Their messages are free text; tokens are scrubbed from them here
 * as well, whatever a library decides to print.
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/service/logger.js';
import { redactSecrets } from '../../src/service/logger.js';

const ORDER: Record<LogLevel, number> = { [LogLevel.DEBUG]: 0, [LogLevel.INFO]: 1, [LogLevel.WARN]: 2, [LogLevel.ERROR]: 3 };

/** `level` is how much of the libraries' own chatter to pass on (default info). */
export function boltLogger(log: Logger, level: LogLevel = LogLevel.INFO): BoltLogger {
  let current = level;
  let name = 'slack';
  const emit = (at: LogLevel, parts: unknown[]) => {
    if (ORDER[at] < ORDER[current]) return;
    const text = redactSecrets(parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : safeJson(p))).join(' '));
    log[at]({ component: name }, text);
  };
  return {
    debug: (...msg: unknown[]) => emit(LogLevel.DEBUG, msg),
    info: (...msg: unknown[]) => emit(LogLevel.INFO, msg),
    warn: (...msg: unknown[]) => emit(LogLevel.WARN, msg),
    error: (...msg: unknown[]) => emit(LogLevel.ERROR, msg),
    setLevel: (next: LogLevel) => {
      current = next;
    },
    getLevel: () => current,
    setName: (next: string) => {
      name = next;
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** SLACK_LOG_LEVEL=debug shows the libraries' request-level logs. */
export function libraryLogLevel(value: string | undefined): LogLevel {
  const wanted = value?.toLowerCase();
  return (Object.values(LogLevel) as string[]).includes(wanted ?? '') ? (wanted as LogLevel) : LogLevel.INFO;
}
