/**
 * The incident log: incidents and maintenance windows as events, one JSON
 * object a line, the way `slawatch availability` reads them and `slawatch
 * export` writes them:
 *
 *   {"at":"2026-11-03T10:00:00Z","type":"incident_opened","incident":"inc-1","title":"RTC down in EU","impact":"outage","scope":{"regions":["eu"]}}
 *   {"at":"2026-11-03T10:40:00Z","type":"incident_updated","incident":"inc-1","impact":"degraded","message":"Failing over"}
 *   {"at":"2026-11-03T11:00:00Z","type":"incident_resolved","incident":"inc-1"}
 *   {"at":"2026-11-01T09:00:00Z","type":"maintenance","maintenance":"mw-1","from":"2026-11-05T01:00:00Z","to":"2026-11-05T03:00:00Z","scope":"all"}
 *
 * `at` is when the event happened (for a maintenance window: when it was
 * announced). Lines may come in any order; each incident's events are read
 * in time order. A ticket export's lines (they carry "ticket") can sit in the
 * same file and are skipped. Every problem names its line.
 */
import { EventLogError } from '../domain/event-log.js';
import { isoUtc, parseInstant } from '../domain/time.js';

export const IMPACTS = ['outage', 'degraded'] as const;
export type Impact = (typeof IMPACTS)[number];

export const INCIDENT_EVENT_TYPES = ['incident_opened', 'incident_updated', 'incident_resolved', 'maintenance'] as const;
export type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[number];

/** Who is affected: everyone, or the customers listed, in a listed region or on a listed tier. */
export type Scope = 'all' | { customers?: string[]; regions?: string[]; tiers?: string[] };

export type IncidentEvent =
  | { at: number; type: 'incident_opened'; incident: string; title: string; impact: Impact; scope: Scope }
  | { at: number; type: 'incident_updated'; incident: string; impact?: Impact; message?: string }
  | { at: number; type: 'incident_resolved'; incident: string }
  | { at: number; type: 'maintenance'; maintenance: string; from: number; to: number; scope: Scope };

/** Incident and maintenance ids: letters, digits and `.`, `_`, `-`, `:`, starting with a letter or digit. */
export const SUBJECT_ID = /^[A-Za-z0-9][\w.:-]{0,199}$/;

/** What a scope may name; a name it does not know is an error. Without one, names are not checked. */
export interface ScopeNames {
  customers: ReadonlySet<string>;
  regions: ReadonlySet<string>;
  tiers: ReadonlySet<string>;
}

/** The incident or maintenance window an event belongs to: `incident:inc-1`, `maintenance:mw-1`. */
export function subjectOf(event: IncidentEvent): string {
  return event.type === 'maintenance' ? `maintenance:${event.maintenance}` : `incident:${event.incident}`;
}

/** The id people see (`inc-1`, `mw-1`). */
export function subjectId(event: IncidentEvent): string {
  return event.type === 'maintenance' ? event.maintenance : event.incident;
}

type Json = Record<string, unknown>;

/** Whether a parsed JSON line is an incident-log line (not a ticket's). */
export function isIncidentLine(json: Json): boolean {
  return json.ticket === undefined && typeof json.type === 'string' && (INCIDENT_EVENT_TYPES as readonly string[]).includes(json.type);
}

/**
 * Parses an incident log. Ticket lines (with "ticket") are skipped, so a
 * `slawatch export` file reads as it is. Returns the events in time order
 * (lines with the same instant in file order), after checking each
 * incident's story: opened once, then updates, then resolved once.
 */
export function parseIncidentLog(text: string, names?: ScopeNames): IncidentEvent[] {
  const lined: { event: IncidentEvent; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new EventLogError(line, `not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EventLogError(line, 'expected a JSON object');
    if ((value as Json).ticket !== undefined) return;
    lined.push({ event: incidentEventFrom(value as Json, line, names), line });
  });
  lined.sort((a, b) => a.event.at - b.event.at || a.line - b.line);
  const histories = new Map<string, { event: IncidentEvent; line: number }[]>();
  for (const entry of lined) {
    const subject = subjectOf(entry.event);
    const history = histories.get(subject) ?? [];
    const verdict = checkNext(history.map((h) => h.event), entry.event);
    if (verdict.problem) throw new EventLogError(entry.line, verdict.problem);
    if (verdict.duplicate) continue;
    history.push(entry);
    histories.set(subject, history);
  }
  const kept = new Set([...histories.values()].flat());
  return lined.filter((entry) => kept.has(entry)).map((entry) => entry.event);
}

/** One line of the log (a parsed JSON object) as an event; `line` names it in errors. */
export function incidentEventFrom(json: Json, line: number, names?: ScopeNames): IncidentEvent {
  const fail = (message: string): never => {
    throw new EventLogError(line, message);
  };
  const type = json.type;
  if (typeof type !== 'string') return fail('missing "type"');
  if (!(INCIDENT_EVENT_TYPES as readonly string[]).includes(type)) return fail(`unknown type "${type}" (expected one of ${INCIDENT_EVENT_TYPES.join(', ')})`);
  const at = instantField(json, 'at', fail);
  const id = (key: 'incident' | 'maintenance'): string => {
    const value = json[key];
    if (typeof value !== 'string' || !SUBJECT_ID.test(value)) return fail(`"${type}" needs "${key}": an id of letters, digits, ".", "_", "-" or ":" (e.g. "inc-1")`);
    return value;
  };
  const impact = (required: boolean): Impact | undefined => {
    const value = json.impact;
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || !(IMPACTS as readonly string[]).includes(value)) return fail(`"impact" must be one of ${IMPACTS.join(', ')}`);
    return value as Impact;
  };
  switch (type as IncidentEventType) {
    case 'incident_opened': {
      const incident = id('incident');
      const title = json.title === undefined ? incident : json.title;
      if (typeof title !== 'string') return fail('"title" must be a string');
      return { at, type: 'incident_opened', incident, title, impact: json.impact === undefined ? 'outage' : (impact(true) as Impact), scope: scopeFrom(json.scope, fail, names) };
    }
    case 'incident_updated': {
      const incident = id('incident');
      const change = impact(false);
      const message = json.message;
      if (message !== undefined && typeof message !== 'string') return fail('"message" must be a string');
      if (change === undefined && message === undefined) return fail('"incident_updated" needs "impact" and/or "message"');
      return { at, type: 'incident_updated', incident, ...(change ? { impact: change } : {}), ...(message !== undefined ? { message } : {}) };
    }
    case 'incident_resolved':
      return { at, type: 'incident_resolved', incident: id('incident') };
    case 'maintenance': {
      const maintenance = id('maintenance');
      const from = instantField(json, 'from', fail);
      const to = instantField(json, 'to', fail);
      if (to <= from) fail('"to" must be after "from"');
      return { at, type: 'maintenance', maintenance, from, to, scope: scopeFrom(json.scope, fail, names) };
    }
  }
}

function instantField(json: Json, key: string, fail: (message: string) => never): number {
  const value = json[key];
  if (typeof value !== 'string') return fail(`missing "${key}" (an ISO time such as 2026-11-03T10:00:00Z)`);
  const ms = parseInstant(value);
  return ms ?? fail(`"${key}" is not an ISO time with a zone: "${value}"`);
}

const SCOPE_KEYS = ['customers', 'regions', 'tiers'] as const;
const SCOPE_NOUN = { customers: 'customer', regions: 'region', tiers: 'tier' } as const;

/** `"all"` (also when left out), or an object with any of `customers`, `regions`, `tiers`. */
function scopeFrom(value: unknown, fail: (message: string) => never, names?: ScopeNames): Scope {
  if (value === undefined || value === 'all') return 'all';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('"scope" must be "all" or an object with "customers", "regions" and/or "tiers"');
  const scope: Exclude<Scope, 'all'> = {};
  for (const key of Object.keys(value)) {
    if (!(SCOPE_KEYS as readonly string[]).includes(key)) fail(`unknown key "${key}" in "scope" (expected customers, regions, tiers)`);
  }
  for (const key of SCOPE_KEYS) {
    const list = (value as Json)[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || !item)) fail(`"scope.${key}" must be a list of ids`);
    const known = names?.[key];
    for (const item of list as string[]) if (known && !known.has(item)) fail(`unknown ${SCOPE_NOUN[key]} "${item}" in "scope.${key}"`);
    scope[key] = [...(list as string[])];
  }
  if (SCOPE_KEYS.every((key) => !scope[key]?.length)) fail('"scope" names nobody: list customers, regions or tiers, or say "all"');
  return scope;
}

/**
 * Whether `next` may follow `history` (the same incident's or maintenance
 * window's events so far, in time order): a `duplicate` of one already there
 * (import it twice and nothing changes), or a `problem` saying why not.
 */
export function checkNext(history: readonly IncidentEvent[], next: IncidentEvent): { duplicate?: true; problem?: string } {
  const line = JSON.stringify(incidentLogLine(next));
  if (history.some((e) => JSON.stringify(incidentLogLine(e)) === line)) return { duplicate: true };
  const id = subjectId(next);
  const first = history[0];
  const last = history[history.length - 1];
  switch (next.type) {
    case 'maintenance':
      return first ? { problem: `maintenance "${id}" is already announced (for ${isoUtc((first as { from: number }).from)})` } : {};
    case 'incident_opened':
      return first ? { problem: `incident "${id}" is already opened (at ${isoUtc(first.at)})` } : {};
    case 'incident_updated':
    case 'incident_resolved': {
      if (!first) return { problem: `incident "${id}" is not opened before this ${next.type === 'incident_updated' ? 'update' : 'resolve'}` };
      if (history.some((e) => e.type === 'incident_resolved')) return { problem: `incident "${id}" is already resolved` };
      if (last && next.at < last.at) return { problem: `incident "${id}" has a later event already (${isoUtc(last.at)}); its events must be in time order` };
      return {};
    }
  }
}

/** One event as a line of the log: `at` and `type` first, times as ISO-8601 UTC. */
export function incidentLogLine(event: IncidentEvent): Json {
  switch (event.type) {
    case 'incident_opened':
      return { at: isoUtc(event.at), type: event.type, incident: event.incident, title: event.title, impact: event.impact, scope: event.scope };
    case 'incident_updated':
      return { at: isoUtc(event.at), type: event.type, incident: event.incident, ...(event.impact ? { impact: event.impact } : {}), ...(event.message !== undefined ? { message: event.message } : {}) };
    case 'incident_resolved':
      return { at: isoUtc(event.at), type: event.type, incident: event.incident };
    case 'maintenance':
      return { at: isoUtc(event.at), type: event.type, maintenance: event.maintenance, from: isoUtc(event.from), to: isoUtc(event.to), scope: event.scope };
  }
}

/** Events as lines of the log, joined with "\n" (no trailing newline): what `slawatch export` writes. */
export function incidentLogText(events: readonly IncidentEvent[]): string {
  return events.map((event) => JSON.stringify(incidentLogLine(event))).join('\n');
}

/** Whether `scope` covers a customer. */
export function scopeCovers(scope: Scope, customer: { id: string; tier: string; region?: string | undefined }): boolean {
  if (scope === 'all') return true;
  if (scope.customers?.includes(customer.id)) return true;
  if (scope.tiers?.includes(customer.tier)) return true;
  return customer.region !== undefined && scope.regions?.includes(customer.region) === true;
}
