/**
 * The monthly availability statement in chat: one card for the staff
 * channel (who missed the target, the credits owed) and one per customer for
 * its account engineer, each in its reader's language.
 */
import { amountText, hours, percentText } from '../report/statement-render.js';
import type { CustomerAvailability, MonthStatement } from '../availability/statement.js';
import type { Config } from '../config/schema.js';
import { isoUtc } from '../domain/time.js';
import type { Voice } from '../i18n/index.js';
import type { Card } from './messages.js';

/** Lines in the staff card; the rest is in `slawatch availability`. */
const MAX_LINES = 20;

function nameOf(config: Config, id: string): string {
  return config.customers.find((c) => c.id === id)?.name ?? id;
}

/** The credits owed, summed per currency: `620.00 USD, 80.00 EUR`. */
function creditsOwed(voice: Voice, lines: readonly CustomerAvailability[]): string {
  const cents = new Map<string, number>();
  for (const line of lines) {
    if (line.creditAmount === null || line.currency === null || line.creditAmount === 0) continue;
    cents.set(line.currency, (cents.get(line.currency) ?? 0) + Math.round(line.creditAmount * 100));
  }
  const sums = [...cents].map(([currency, total]) => `${(total / 100).toFixed(2)} ${currency}`);
  return sums.length ? voice.list(sums) : voice.t('statement.none');
}

/** `10% = 500.00 USD`, `10%`. */
function creditText(line: CustomerAvailability): string {
  return `${line.creditPercent}%${line.creditAmount === null ? '' : ` = ${amountText(line)}`}`;
}

/** The summary for the staff channel, as `voice` (staff's) reads it. */
export function statementCard(config: Config, statement: MonthStatement, at: number, voice: Voice): Card {
  const promised = statement.customers.filter((line) => line.met !== null);
  const missed = promised.filter((line) => line.met === false).sort((a, b) => a.availability - b.availability);
  const lines = missed.slice(0, MAX_LINES).map((line) => {
    const parts = [
      voice.t('statement.line', { customer: nameOf(config, line.customer), availability: percentText(line), target: line.target, down: hours(line.downtimeSeconds) }),
      ...(line.creditPercent ? [voice.t('statement.lineCredit', { credit: creditText(line) })] : []),
      ...(line.incidents.length ? [voice.list(line.incidents)] : []),
    ];
    return parts.join(' · ');
  });
  if (missed.length > MAX_LINES) lines.push(voice.t('statement.more', { count: missed.length - MAX_LINES, command: `slawatch availability --month ${statement.month}` }));
  return {
    tone: missed.length ? 'warning' : 'good',
    locale: voice.locale,
    title: voice.t('statement.title', { month: statement.month }),
    fields: [
      { label: voice.t('statement.targetMet'), value: voice.t('statement.targetMetValue', { met: promised.length - missed.length, total: promised.length }) },
      { label: voice.t('statement.creditsOwed'), value: creditsOwed(voice, missed) },
    ],
    body: lines.length ? lines.join('\n') : voice.t('statement.allMet'),
    footer: voice.t('statement.footer', { at: isoUtc(at) }),
  };
}

/** One customer's line, for its account engineer (in their language). */
export function customerStatementCard(config: Config, statement: MonthStatement, line: CustomerAvailability, voice: Voice): Card {
  const target = line.target === null ? voice.t('statement.noTarget') : voice.t('statement.target', { target: line.target, met: line.met ? 'yes' : 'no' });
  return {
    tone: line.met === false ? 'warning' : 'info',
    locale: voice.locale,
    title: voice.t('statement.customerTitle', { month: statement.month, customer: nameOf(config, line.customer) }),
    fields: [
      { label: voice.t('statement.availability'), value: voice.t('statement.availabilityValue', { availability: percentText(line), target }) },
      { label: voice.t('statement.downtime'), value: hours(line.downtimeSeconds) },
      { label: voice.t('statement.degraded'), value: hours(line.degradedSeconds) },
      { label: voice.t('statement.maintenanceExcluded'), value: hours(line.excludedSeconds) },
      { label: voice.t('statement.credit'), value: line.creditPercent ? creditText(line) : voice.t('statement.none') },
      { label: voice.t('statement.incidents'), value: line.incidents.length ? voice.list(line.incidents) : voice.t('statement.none') },
    ],
    footer: voice.t('statement.customerFooter', { zone: line.timezone }),
  };
}
