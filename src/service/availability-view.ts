/**
 * What the queue page shows about availability, as JSON: the incidents open
 * now, and each customer's availability this month so far (the month in
 * `availability.timezone`, each customer's bounds in its own zone, measured
 * up to now) — the same arithmetic as `slawatch availability`.
 */
import type { Impact, IncidentEvent, Scope } from '../availability/incident-log.js';
import { percentText } from '../report/statement-render.js';
import { foldLog, monthOf, monthStatement } from '../availability/statement.js';
import { allCustomerTerms } from '../availability/terms.js';
import { customerName } from './cards.js';
import type { DeskContext } from './context.js';
import { describeScope } from './incident-cards.js';
import { staffVoice } from './readers.js';

export interface OpenIncidentEntry {
  id: string;
  title: string;
  impact: Impact;
  /** `everyone`, `region eu`, … (in staff's language) */
  scope: string;
  /** Whom it affects, as data (the queue page says it in the browser's language). */
  reach: Scope;
  since: string;
  /** The latest update's message, if any. */
  message: string | null;
}

export interface CustomerAvailabilityEntry {
  id: string;
  name: string;
  timezone: string;
  availability: number;
  /** Four decimals, cut: `99.8611%`. */
  availabilityText: string;
  target: number | null;
  met: boolean | null;
  downtimeSeconds: number;
  degradedSeconds: number;
  incidents: string[];
}

export interface AvailabilitySnapshot {
  serverNow: string;
  month: string;
  incidents: OpenIncidentEntry[];
  customers: CustomerAvailabilityEntry[];
}

export async function availabilitySnapshot(ctx: DeskContext): Promise<AvailabilitySnapshot> {
  const now = ctx.now();
  const events: IncidentEvent[] = [];
  for await (const record of ctx.store.incidents().listAll()) events.push(...record.events);
  const month = monthOf(now, ctx.config.availability.timezone);
  const statement = monthStatement(allCustomerTerms(ctx.config), events, { month, at: now, maintenanceNoticeMs: ctx.config.availability.maintenanceNotice, soFar: true });
  const voice = staffVoice(ctx.config);
  const incidents = foldLog(events, now)
    .incidents.filter((i) => i.resolvedAt === null)
    .sort((a, b) => a.openedAt - b.openedAt)
    .map((i) => ({ id: i.id, title: i.title, impact: i.impact, scope: describeScope(voice, i.scope), reach: i.scope, since: new Date(i.openedAt).toISOString(), message: i.message ?? null }));
  const customers = statement.customers.map((line) => ({
    id: line.customer,
    name: customerName(ctx, line.customer),
    timezone: line.timezone,
    availability: line.availability,
    availabilityText: percentText(line),
    target: line.target,
    met: line.met,
    downtimeSeconds: line.downtimeSeconds,
    degradedSeconds: line.degradedSeconds,
    incidents: line.incidents,
  }));
  return { serverNow: new Date(now).toISOString(), month, incidents, customers };
}
