/**
 * The monthly availability statement in chat: one card for the staff
 * channel (who missed the target, the credits owed) and one per customer for
 * its account engineer.
 */
import { amountText, hours, percentText } from '../report/statement-render.js';
import type { CustomerAvailability, MonthStatement } from '../availability/statement.js';
import type { Config } from '../config/schema.js';
import { isoUtc } from '../domain/time.js';
import type { Card } from './messages.js';

/** Lines in the staff card; the rest is in `slawatch availability`. */
const MAX_LINES = 20;

function nameOf(config: Config, id: string): string {
  return config.customers.find((c) => c.id === id)?.name ?? id;
}

/** The credits owed, summed per currency: `620.00 USD, 80.00 EUR`. */
function creditsOwed(lines: readonly CustomerAvailability[]): string {
  const cents = new Map<string, number>();
  for (const line of lines) {
    if (line.creditAmount === null || line.currency === null || line.creditAmount === 0) continue;
    cents.set(line.currency, (cents.get(line.currency) ?? 0) + Math.round(line.creditAmount * 100));
  }
  return [...cents].map(([currency, total]) => `${(total / 100).toFixed(2)} ${currency}`).join(', ') || 'none';
}

export function statementCard(config: Config, statement: MonthStatement, at: number): Card {
  const promised = statement.customers.filter((line) => line.met !== null);
  const missed = promised.filter((line) => line.met === false).sort((a, b) => a.availability - b.availability);
  const lines = missed.slice(0, MAX_LINES).map((line) => {
    const credit = line.creditPercent ? ` · credit ${line.creditPercent}%${line.creditAmount === null ? '' : ` = ${amountText(line)}`}` : '';
    return `${nameOf(config, line.customer)}: ${percentText(line)} of ${line.target}% · down ${hours(line.downtimeSeconds)}${credit}${line.incidents.length ? ` · ${line.incidents.join(', ')}` : ''}`;
  });
  if (missed.length > MAX_LINES) lines.push(`… and ${missed.length - MAX_LINES} more: slawatch availability --month ${statement.month}`);
  return {
    tone: missed.length ? 'warning' : 'good',
    title: `Availability statement ${statement.month}`,
    fields: [
      { label: 'Target met', value: `${promised.length - missed.length} of ${promised.length} customers` },
      { label: 'Credits owed', value: creditsOwed(missed) },
    ],
    body: lines.length ? lines.join('\n') : 'Every customer met its availability target.',
    footer: `As of ${isoUtc(at)}; each customer's month in its own zone.`,
  };
}

/** One customer's line, for its account engineer. */
export function customerStatementCard(config: Config, statement: MonthStatement, line: CustomerAvailability): Card {
  const target = line.target === null ? 'no target' : `target ${line.target}%: ${line.met ? 'met' : 'missed'}`;
  return {
    tone: line.met === false ? 'warning' : 'info',
    title: `Availability ${statement.month}: ${nameOf(config, line.customer)}`,
    fields: [
      { label: 'Availability', value: `${percentText(line)} (${target})` },
      { label: 'Downtime', value: hours(line.downtimeSeconds) },
      { label: 'Degraded', value: hours(line.degradedSeconds) },
      { label: 'Maintenance excluded', value: hours(line.excludedSeconds) },
      { label: 'Credit', value: line.creditPercent ? `${line.creditPercent}%${line.creditAmount === null ? '' : ` = ${amountText(line)}`}` : 'none' },
      { label: 'Incidents', value: line.incidents.join(', ') || 'none' },
    ],
    footer: `The month in ${line.timezone}.`,
  };
}
