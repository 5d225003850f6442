/**
 * Alerts from monitoring become incidents: a firing alert opens one, the
 * same alert resolved resolves it. An alert is one incident per firing: its
 * fingerprint and the instant it started name it (`am-<fingerprint>-<start>`),
 * so a redelivery finds the incident already there and changes nothing, and
 * the same alert firing again later opens a new one.
 *
 * The scope comes from the alert's labels (`availability.alertLabels`:
 * region, customer, tier by default; comma-separated for several); none of
 * them means everyone. The title is the `summary` annotation, else the
 * `alertname` label. A label `impact: degraded` opens it as degraded.
 */
import { IMPACTS, type Impact, type IncidentEvent, type Scope } from '../availability/incident-log.js';
import { scopeNames } from '../availability/terms.js';
import { isoUtc } from '../domain/time.js';
import { IncidentConflictError } from '../store/incident-store.js';
import type { DeskContext } from './context.js';

/** One alert as monitoring reports it (Alertmanager's webhook fields). */
export interface AlertInput {
  status: 'firing' | 'resolved';
  fingerprint: string;
  startsAt: number;
  /** When it ended (resolved alerts). */
  endsAt?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertOutcome {
  opened: string[];
  resolved: string[];
  /** Redeliveries and resolves of what is resolved already. */
  unchanged: string[];
  /** Alerts not recorded, with why (an unknown region, say). */
  refused: { fingerprint: string; reason: string }[];
}

/** `am-3f2a9c…-20261103T100000Z`: the incident of one firing of one alert. */
export function alertIncidentId(fingerprint: string, startsAt: number): string {
  return `am-${fingerprint}-${isoUtc(Math.floor(startsAt / 1000) * 1000).replace(/[-:]/g, '')}`;
}

export async function receiveAlerts(ctx: DeskContext, alerts: readonly AlertInput[]): Promise<AlertOutcome> {
  const outcome: AlertOutcome = { opened: [], resolved: [], unchanged: [], refused: [] };
  const now = ctx.now();
  for (const alert of alerts) {
    const scoped = scopeOfLabels(ctx, alert.labels);
    if ('problem' in scoped) {
      outcome.refused.push({ fingerprint: alert.fingerprint, reason: scoped.problem });
      continue;
    }
    const { scope } = scoped;
    const id = alertIncidentId(alert.fingerprint, alert.startsAt);
    const existing = await ctx.store.incidents().get('incident', id);
    const events: IncidentEvent[] = [];
    // An alert that started "in the future" (a skewed clock) starts now.
    const openedAt = Math.min(alert.startsAt, now);
    if (!existing) {
      const impactLabel = alert.labels.impact;
      const impact: Impact = impactLabel && (IMPACTS as readonly string[]).includes(impactLabel) ? (impactLabel as Impact) : 'outage';
      const title = alert.annotations.summary?.trim() || alert.labels.alertname?.trim() || 'Alert';
      events.push({ at: openedAt, type: 'incident_opened', incident: id, title, impact, scope });
    }
    const resolved = existing?.events.some((e) => e.type === 'incident_resolved') ?? false;
    if (alert.status === 'resolved' && !resolved) {
      const since = existing?.events[existing.events.length - 1]?.at ?? openedAt;
      events.push({ at: Math.max(since, Math.min(alert.endsAt ?? now, now)), type: 'incident_resolved', incident: id });
    }
    if (events.length === 0) {
      outcome.unchanged.push(id);
      continue;
    }
    try {
      const { added, records } = await ctx.store.incidents().append(events, { announce: true });
      const record = records[0];
      if (record) ctx.onIncidentChanged?.(record);
      if (added.some((e) => e.type === 'incident_opened')) outcome.opened.push(id);
      if (added.some((e) => e.type === 'incident_resolved')) outcome.resolved.push(id);
      if (added.length === 0) outcome.unchanged.push(id);
    } catch (err) {
      // Another delivery got there first with a different resolve time: what is recorded stands.
      if (!(err instanceof IncidentConflictError)) throw err;
      outcome.unchanged.push(id);
    }
  }
  return outcome;
}

/** The scope the alert's labels name, or why it cannot be recorded. */
function scopeOfLabels(ctx: DeskContext, labels: Record<string, string>): { scope: Scope } | { problem: string } {
  const names = scopeNames(ctx.config);
  const keys = ctx.config.availability.alertLabels;
  const scope: Exclude<Scope, 'all'> = {};
  for (const [field, noun, label] of [
    ['regions', 'region', keys.region],
    ['customers', 'customer', keys.customer],
    ['tiers', 'tier', keys.tier],
  ] as const) {
    const value = labels[label];
    if (value === undefined || value.trim() === '') continue;
    const ids = value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const unknown = ids.find((id) => !names[field].has(id));
    if (unknown !== undefined) return { problem: `label ${label}="${value}": unknown ${noun} "${unknown}"` };
    scope[field] = ids;
  }
  return { scope: Object.keys(scope).length ? scope : 'all' };
}
