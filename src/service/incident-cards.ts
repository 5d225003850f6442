/**
 * What customers read about an incident or a maintenance window in their
 * channel, step by step, in their language and zone; and how staff read an
 * incident's reach when they run an incident command.
 */
import type { Config, Customer } from '../config/schema.js';
import type { Impact, IncidentEvent, Scope } from '../availability/incident-log.js';
import type { Voice } from '../i18n/index.js';
import type { IncidentRecord } from '../store/incident-store.js';
import type { Card } from './messages.js';
import { customerVoice } from './readers.js';

/** The zone a customer's times are shown in: its own, else `availability.timezone`. */
export function customerZone(config: Config, customer: Customer): string {
  return customer.timezone ?? config.availability.timezone;
}

/** The incident's title and its impact as of step `step` (updates may have changed it). */
function storyAt(record: IncidentRecord, step: number): { title: string; impact: Impact; openedAt: number } {
  const first = record.events[0];
  if (first?.type !== 'incident_opened') throw new Error(`incident ${record.id} has no opening`);
  let impact = first.impact;
  for (const event of record.events.slice(1, step + 1)) if (event.type === 'incident_updated' && event.impact) impact = event.impact;
  return { title: first.title, impact, openedAt: first.at };
}

/** The notice for step `step` of a record (its event index), as `customer` reads it. */
export function noticeCard(config: Config, record: IncidentRecord, step: number, customer: Customer): Card {
  const event = record.events[step] as IncidentEvent;
  const voice = customerVoice(config, customer.id);
  const zone = customerZone(config, customer);
  const at = (ms: number) => voice.instant(ms, zone);
  const impact = (value: Impact) => voice.t('notice.impact', { impact: value });
  const reference = { label: voice.t('notice.reference'), value: record.id };
  switch (event.type) {
    case 'maintenance':
      return {
        tone: 'info',
        locale: voice.locale,
        title: voice.t('notice.maintenance.title'),
        fields: [{ label: voice.t('notice.from'), value: at(event.from) }, { label: voice.t('notice.until'), value: at(event.to) }, reference],
        body: voice.t('notice.maintenance.body'),
      };
    case 'incident_opened':
      return {
        tone: event.impact === 'outage' ? 'danger' : 'warning',
        locale: voice.locale,
        title: voice.t('notice.opened.title', { title: event.title }),
        fields: [{ label: voice.t('notice.impactLabel'), value: impact(event.impact) }, { label: voice.t('notice.since'), value: at(event.at) }, reference],
        body: voice.t('notice.opened.body'),
      };
    case 'incident_updated': {
      const story = storyAt(record, step);
      return {
        tone: story.impact === 'outage' ? 'danger' : 'warning',
        locale: voice.locale,
        title: voice.t('notice.updated.title', { title: story.title }),
        fields: [{ label: voice.t('notice.impactLabel'), value: impact(story.impact) }, { label: voice.t('notice.at'), value: at(event.at) }, reference],
        ...(event.message ? { quote: event.message } : {}),
      };
    }
    case 'incident_resolved': {
      const story = storyAt(record, step);
      return {
        tone: 'good',
        locale: voice.locale,
        title: voice.t('notice.resolved.title', { title: story.title }),
        fields: [{ label: voice.t('notice.since'), value: at(story.openedAt) }, { label: voice.t('notice.resolvedAt'), value: at(event.at) }, reference],
        body: voice.t('notice.resolved.body'),
      };
    }
  }
}

/** `everyone`, `region eu, tier enterprise, customer acme`. */
export function describeScope(voice: Voice, scope: Scope): string {
  if (scope === 'all') return voice.t('scope.everyone');
  const parts = [
    ...(scope.regions ?? []).map((id) => voice.t('scope.part', { kind: 'region', id })),
    ...(scope.tiers ?? []).map((id) => voice.t('scope.part', { kind: 'tier', id })),
    ...(scope.customers ?? []).map((id) => voice.t('scope.part', { kind: 'customer', id })),
  ];
  return voice.list(parts);
}
