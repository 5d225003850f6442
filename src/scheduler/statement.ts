/**
 * The monthly availability statement: on the cron expression of
 * `availability.statement.cron` (09:00 on the 1st by default) in
 * `availability.timezone`, the statement for the month just ended, as of that
 * moment. Recurring work, so node-schedule runs it (on the leader).
 */
import schedule from 'node-schedule';
import type { IncidentEvent } from '../availability/incident-log.js';
import { monthOf, monthStatement, previousMonth, type MonthStatement } from '../availability/statement.js';
import { allCustomerTerms } from '../availability/terms.js';
import type { Config } from '../config/schema.js';
import type { IncidentRecord } from '../store/incident-store.js';

export interface StatementJob {
  stop(): void;
}

/** The statement for the month before the one `at` falls in (in `availability.timezone`), as of `at`. */
export async function lastMonthStatement(config: Config, records: AsyncIterable<IncidentRecord>, at: number): Promise<MonthStatement> {
  const events: IncidentEvent[] = [];
  for await (const record of records) events.push(...record.events);
  const month = previousMonth(monthOf(at, config.availability.timezone));
  return monthStatement(allCustomerTerms(config), events, { month, at, maintenanceNoticeMs: config.availability.maintenanceNotice });
}

/** Arms the statement job when some customer has an availability target; `post` delivers it. */
export function startMonthlyStatement(
  config: Config,
  records: () => AsyncIterable<IncidentRecord>,
  now: () => number,
  post: (statement: MonthStatement, at: number) => Promise<void>,
  onError: (err: unknown) => void,
): StatementJob {
  const promised = config.customers.some((c) => c.availability?.target !== undefined || config.tiers[c.tier]?.availability !== undefined);
  if (!promised) return { stop() {} };
  const { cron } = config.availability.statement;
  const job = schedule.scheduleJob({ rule: cron, tz: config.availability.timezone }, () => {
    const at = now();
    lastMonthStatement(config, records(), at)
      .then((statement) => post(statement, at))
      .catch(onError);
  });
  return {
    stop() {
      job?.cancel();
    },
  };
}
