/**
 * What customers read about an incident or a maintenance window in their
 * channel, step by step, with times in the customer's zone; and what staff
 * read back when they run an incident command.
 */
import type { Config, Customer } from '../config/schema.js';
import type { Impact, IncidentEvent, Scope } from '../availability/incident-log.js';
import type { IncidentRecord } from '../store/incident-store.js';
import { formatInstant } from './cards.js';
import type { Card } from './messages.js';

const IMPACT_TEXT: Record<Impact, string> = { outage: 'service unavailable', degraded: 'degraded performance' };

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
  const zone = customerZone(config, customer);
  const reference = { label: 'Reference', value: record.id };
  switch (event.type) {
    case 'maintenance':
      return {
        tone: 'info',
        title: 'Planned maintenance',
        fields: [{ label: 'From', value: formatInstant(event.from, zone) }, { label: 'Until', value: formatInstant(event.to, zone) }, reference],
        body: 'The service may be unavailable during this window. We will keep it as short as we can.',
      };
    case 'incident_opened':
      return {
        tone: event.impact === 'outage' ? 'danger' : 'warning',
        title: `Incident: ${event.title}`,
        fields: [{ label: 'Impact', value: IMPACT_TEXT[event.impact] }, { label: 'Since', value: formatInstant(event.at, zone) }, reference],
        body: 'We are aware of the problem and working on it. Updates follow in this channel.',
      };
    case 'incident_updated': {
      const story = storyAt(record, step);
      return {
        tone: story.impact === 'outage' ? 'danger' : 'warning',
        title: `Update: ${story.title}`,
        fields: [{ label: 'Impact', value: IMPACT_TEXT[story.impact] }, { label: 'At', value: formatInstant(event.at, zone) }, reference],
        ...(event.message ? { quote: event.message } : {}),
      };
    }
    case 'incident_resolved': {
      const story = storyAt(record, step);
      return {
        tone: 'good',
        title: `Resolved: ${story.title}`,
        fields: [{ label: 'Since', value: formatInstant(story.openedAt, zone) }, { label: 'Resolved', value: formatInstant(event.at, zone) }, reference],
        body: 'Everything works again. Thank you for your patience.',
      };
    }
  }
}

/** `everyone`, `region eu, tier enterprise, customer acme`. */
export function describeScope(scope: Scope): string {
  if (scope === 'all') return 'everyone';
  const parts = [
    ...(scope.regions ?? []).map((r) => `region ${r}`),
    ...(scope.tiers ?? []).map((t) => `tier ${t}`),
    ...(scope.customers ?? []).map((c) => `customer ${c}`),
  ];
  return parts.join(', ');
}
