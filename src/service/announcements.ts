/**
 * What the recurring jobs post (the leader runs them): on-call handoffs and
 * the weekly digest into a channel of every connected platform, the monthly
 * availability statement to the staff channel and each customer's line to
 * its account engineer.
 */
import type { MonthStatement } from '../availability/statement.js';
import type { Config } from '../config/schema.js';
import { platformIdOf } from '../domain/people.js';
import type { Platform } from '../domain/ticket.js';
import { onCallAt } from '../oncall/schedule.js';
import { peopleNames } from './cards.js';
import type { Card, Outbound } from './messages.js';
import { personVoice, staffVoice } from './readers.js';
import { customerStatementCard, statementCard } from './statement-cards.js';

/** The announcement for a schedule's handoff at `at`, in staff's language. */
export function handoffCard(config: Config, scheduleId: string, at: number): Card {
  const spec = config.schedules[scheduleId];
  if (!spec) throw new Error(`unknown schedule "${scheduleId}"`);
  const voice = staffVoice(config);
  const now = onCallAt(spec, at);
  const before = onCallAt(spec, at - 1).onCall;
  const names = (ids: string[]) => peopleNames({ config }, voice, ids);
  return {
    tone: now.onCall.length ? 'info' : 'warning',
    locale: voice.locale,
    title: voice.t('handoff.title', { schedule: spec.name ?? scheduleId, people: names(now.onCall) }),
    fields: [
      { label: voice.t('handoff.takingOverFrom'), value: names(before) },
      { label: voice.t('handoff.until'), value: now.until === null ? voice.t('handoff.noChange') : voice.instant(now.until, spec.timezone) },
    ],
    mentions: { people: now.onCall, groups: [] },
  };
}

/** A card to `channel` (default: the staff channel) of each of `platforms`. */
export function announcement(config: Config, card: Card, platforms: Iterable<Platform>, channel?: string): Outbound[] {
  const posts: Outbound[] = [];
  for (const platform of platforms) {
    const channelId = channel ?? config.staff.channels[platform];
    if (channelId) posts.push({ type: 'post', platform, channelId, card });
  }
  return posts;
}

/**
 * The monthly availability statement: the summary to the staff channel (or
 * `availability.statement.channel`) of each of `platforms`, and each
 * customer's line to its account engineer as a direct message, on the first
 * of `platforms` they have an id on.
 */
export function statementMessages(config: Config, statement: MonthStatement, at: number, platforms: readonly Platform[]): Outbound[] {
  const messages = announcement(config, statementCard(config, statement, at, staffVoice(config)), platforms, config.availability.statement.channel);
  for (const line of statement.customers) {
    const engineer = config.customers.find((c) => c.id === line.customer)?.accountEngineer;
    const platform = engineer ? platforms.find((p) => platformIdOf(config, p, engineer) !== undefined) : undefined;
    if (!engineer || !platform) continue;
    messages.push({ type: 'dm', platform, channelId: `dm:${engineer}`, person: engineer, card: customerStatementCard(config, statement, line, personVoice(config, engineer)) });
  }
  return messages;
}
