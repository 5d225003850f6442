/**
 * The incident commands, on every platform (`/sla incident …`, `/sla
 * maintenance …`), for staff:
 *
 *   incident open <title> [all | region <id>… | tier <id>… | customer <id>…] [degraded]
 *   incident update <id> <text> [outage | degraded]
 *   incident resolve <id>
 *   incident list
 *   maintenance <from> <to> [all | region <id>… | tier <id>… | customer <id>…]
 *
 * Each appends to the incident log; the notices to the affected customers'
 * channels follow from the log (incident-notices.ts). A title that ends in
 * words like "region eu" goes in quotes: `"Login broken for customer accounts"`.
 */
import { DateTime } from 'luxon';
import { IMPACTS, type Impact, type IncidentEvent, type Scope } from '../availability/incident-log.js';
import { scopeNames } from '../availability/terms.js';
import { formatDuration } from '../config/duration.js';
import { parseInstant } from '../domain/time.js';
import { IncidentConflictError, type IncidentRecord } from '../store/incident-store.js';
import { formatInstant } from './cards.js';
import type { DeskContext } from './context.js';
import { describeScope } from './incident-cards.js';
import { noticesOf, scopeOf } from './incident-notices.js';
import type { CommandResult } from './commands.js';

export const INCIDENT_HELP = [
  'incident open <title> [all | region <id> | tier <id> | customer <id> …] [degraded]',
  '                       open an incident and tell the affected customers (staff)',
  'incident update <id> <text> [outage|degraded]   post an update to them (staff)',
  'incident resolve <id>  resolve it and tell them (staff)',
  'incident list          open incidents and coming maintenance',
  'maintenance <from> <to> [scope]  announce maintenance, e.g. 2026-11-05T01:00 2026-11-05T03:00 region eu (staff)',
].join('\n');

const refuse = (text: string): CommandResult => ({ reply: { ephemeral: true, text }, outbound: [] });
const answer = (text: string): CommandResult => ({ reply: { ephemeral: false, text }, outbound: [] });

const SCOPE_WORDS = { region: 'regions', regions: 'regions', tier: 'tiers', tiers: 'tiers', customer: 'customers', customers: 'customers' } as const;

/** Words, with "double-quoted" (or “curly-quoted”) runs kept as one. */
function words(text: string): { word: string; quoted: boolean }[] {
  const out: { word: string; quoted: boolean }[] = [];
  for (const match of text.matchAll(/["“]([^"”]*)["”]|(\S+)/g)) {
    if (match[1] !== undefined) out.push({ word: match[1], quoted: true });
    else out.push({ word: match[2] as string, quoted: false });
  }
  return out;
}

/**
 * Splits `<free text> [scope words] [impact]` from the end: a trailing
 * `outage`/`degraded`, then `all` or groups `region eu cn-east`, `tier
 * enterprise`, `customer acme globex`. What is left before them is the text.
 */
function splitScope(list: { word: string; quoted: boolean }[]): { text: string; scope: Scope | undefined; impact: Impact | undefined } {
  let end = list.length;
  let impact: Impact | undefined;
  const last = list[end - 1];
  if (last && !last.quoted && (IMPACTS as readonly string[]).includes(last.word.toLowerCase())) {
    impact = last.word.toLowerCase() as Impact;
    end--;
  }
  let all = false;
  const groups: { customers: string[]; regions: string[]; tiers: string[] } = { customers: [], regions: [], tiers: [] };
  let pending: string[] = [];
  let textEnd = end;
  for (let i = end - 1; i >= 0; i--) {
    const { word, quoted } = list[i] as { word: string; quoted: boolean };
    const lower = word.toLowerCase();
    if (quoted) break;
    if (lower === 'all' && pending.length === 0) {
      all = true;
      textEnd = i;
    } else if (lower in SCOPE_WORDS && pending.length > 0) {
      groups[SCOPE_WORDS[lower as keyof typeof SCOPE_WORDS]].unshift(...pending);
      pending = [];
      textEnd = i;
    } else {
      pending.unshift(word);
    }
  }
  const text = list
    .slice(0, textEnd)
    .map((w) => w.word)
    .join(' ')
    .trim();
  const named = groups.customers.length + groups.regions.length + groups.tiers.length > 0;
  const scope: Scope | undefined = all ? 'all' : named ? Object.fromEntries(Object.entries(groups).filter(([, ids]) => ids.length > 0)) : undefined;
  return { text, scope, impact };
}

/** Runs `incident …` or `maintenance …` for a staff member (the caller checked). */
export async function runIncidentCommand(ctx: DeskContext, name: 'incident' | 'maintenance', args: string): Promise<CommandResult> {
  const list = words(args);
  if (name === 'maintenance') return maintenance(ctx, list);
  const [sub, ...rest] = list;
  switch (sub?.word.toLowerCase()) {
    case 'open':
      return openIncident(ctx, rest);
    case 'update':
      return updateIncident(ctx, rest);
    case 'resolve':
      return resolveIncident(ctx, rest);
    case 'list':
    case undefined:
      return listIncidents(ctx);
    default:
      return refuse(`say what to do: incident open, update, resolve or list.\n${INCIDENT_HELP}`);
  }
}

/** A scope names only configured customers, regions and tiers. */
function scopeProblem(ctx: DeskContext, scope: Scope): string | undefined {
  if (scope === 'all') return undefined;
  const names = scopeNames(ctx.config);
  for (const [key, noun] of [
    ['customers', 'customer'],
    ['regions', 'region'],
    ['tiers', 'tier'],
  ] as const) {
    const unknown = (scope[key] ?? []).filter((id) => !names[key].has(id));
    if (unknown.length) return `unknown ${noun} "${unknown[0]}" (known: ${[...names[key]].join(', ') || 'none'}). Put a title that ends in such words in quotes.`;
  }
  return undefined;
}

async function openIncident(ctx: DeskContext, list: { word: string; quoted: boolean }[]): Promise<CommandResult> {
  const { text: title, scope = 'all', impact = 'outage' } = splitScope(list);
  if (!title) return refuse('give the incident a title: incident open <title> [scope] [degraded]');
  const problem = scopeProblem(ctx, scope);
  if (problem) return refuse(problem);
  const id = await ctx.store.incidents().newId('incident');
  const record = await append(ctx, { at: ctx.now(), type: 'incident_opened', incident: id, title, impact, scope });
  if (typeof record === 'string') return refuse(record);
  return answer(`Incident ${id} opened: ${title} (${impact}, affects ${describeScope(scope)}). ${reach(ctx, record)}`);
}

async function updateIncident(ctx: DeskContext, list: { word: string; quoted: boolean }[]): Promise<CommandResult> {
  const [target, ...rest] = list;
  if (!target) return refuse('say which incident: incident update <id> <text> [outage|degraded]');
  const last = rest[rest.length - 1];
  const impact = last && !last.quoted && (IMPACTS as readonly string[]).includes(last.word.toLowerCase()) ? (last.word.toLowerCase() as Impact) : undefined;
  const message = (impact ? rest.slice(0, -1) : rest)
    .map((w) => w.word)
    .join(' ')
    .trim();
  if (!impact && !message) return refuse('say what changed: incident update <id> <text> [outage|degraded]');
  const record = await append(ctx, { at: ctx.now(), type: 'incident_updated', incident: target.word, ...(impact ? { impact } : {}), ...(message ? { message } : {}) });
  if (typeof record === 'string') return refuse(record);
  return answer(`Incident ${target.word} updated${impact ? ` (now ${impact})` : ''}. ${reach(ctx, record)}`);
}

async function resolveIncident(ctx: DeskContext, list: { word: string; quoted: boolean }[]): Promise<CommandResult> {
  const target = list[0];
  if (!target || list.length > 1) return refuse('say which incident: incident resolve <id>');
  // Resolved already (even at this very instant, which would read as the same event again).
  if ((await ctx.store.incidents().get('incident', target.word))?.events.some((e) => e.type === 'incident_resolved')) return refuse(`incident "${target.word}" is already resolved.`);
  const record = await append(ctx, { at: ctx.now(), type: 'incident_resolved', incident: target.word });
  if (typeof record === 'string') return refuse(record);
  const opened = record.events[0]?.at ?? ctx.now();
  return answer(`Incident ${target.word} resolved after ${formatDuration(ctx.now() - opened)}. ${reach(ctx, record)}`);
}

async function listIncidents(ctx: DeskContext): Promise<CommandResult> {
  const now = ctx.now();
  const lines: string[] = [];
  for await (const record of ctx.store.incidents().listAll()) {
    const first = record.events[0];
    if (first?.type === 'incident_opened' && !record.events.some((e) => e.type === 'incident_resolved')) {
      const impact = record.events.reduce<Impact>((current, e) => (e.type === 'incident_updated' && e.impact ? e.impact : current), first.impact);
      lines.push(`${record.id}  ${first.title} · ${impact} · ${describeScope(first.scope)} · open for ${formatDuration(now - first.at)}`);
    }
    if (first?.type === 'maintenance' && first.to > now) {
      const zone = ctx.config.availability.timezone;
      lines.push(`${record.id}  maintenance ${formatInstant(first.from, zone)} – ${formatInstant(first.to, zone)} · ${describeScope(first.scope)}`);
    }
  }
  return { reply: { ephemeral: true, text: lines.length ? `Open incidents and coming maintenance:\n${lines.join('\n')}` : 'No open incidents and no maintenance ahead.' }, outbound: [] };
}

async function maintenance(ctx: DeskContext, list: { word: string; quoted: boolean }[]): Promise<CommandResult> {
  const usage = 'maintenance <from> <to> [scope], times as 2026-11-05T01:00 (in the availability time zone) or with a zone (…Z, +08:00)';
  const [fromWord, toWord, ...rest] = list;
  const zone = ctx.config.availability.timezone;
  const from = fromWord ? instantIn(fromWord.word, zone) : undefined;
  const to = toWord ? instantIn(toWord.word, zone) : undefined;
  if (from === undefined || to === undefined) return refuse(`say when: ${usage}`);
  if (to <= from) return refuse('the window must end after it starts');
  const { text, scope = 'all' } = splitScope(rest);
  if (text) return refuse(`I did not understand "${text}": ${usage}`);
  const problem = scopeProblem(ctx, scope);
  if (problem) return refuse(problem);
  const now = ctx.now();
  const id = await ctx.store.incidents().newId('maintenance');
  const record = await append(ctx, { at: now, type: 'maintenance', maintenance: id, from, to, scope });
  if (typeof record === 'string') return refuse(record);
  const notice = ctx.config.availability.maintenanceNotice;
  const late = from - now < notice ? ` Announced ${formatDuration(Math.max(0, from - now))} ahead, less than the ${formatDuration(notice)} notice: outages in it count as downtime.` : '';
  return answer(`Maintenance ${id} announced: ${formatInstant(from, zone)} – ${formatInstant(to, zone)}, affects ${describeScope(scope)}. ${reach(ctx, record)}${late}`);
}

/** `2026-11-05T01:00:00Z` as it is; `2026-11-05T01:00` in `zone`. */
function instantIn(text: string, zone: string): number | undefined {
  const exact = parseInstant(text);
  if (exact !== undefined) return exact;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return undefined;
  const local = DateTime.fromISO(text, { zone });
  return local.isValid ? local.toMillis() : undefined;
}

/** Appends one event, announced; a conflict (unknown incident, already resolved) comes back as its reason. */
async function append(ctx: DeskContext, event: IncidentEvent): Promise<IncidentRecord | string> {
  try {
    const { added, records } = await ctx.store.incidents().append([event], { announce: true });
    if (added.length === 0) return 'that is recorded already.';
    const record = records[0] as IncidentRecord;
    ctx.onIncidentChanged?.(record);
    return record;
  } catch (err) {
    if (err instanceof IncidentConflictError) return `${err.message}.`;
    throw err;
  }
}

/** `Notices go to 3 channels of 2 customers.` */
function reach(ctx: DeskContext, record: IncidentRecord): string {
  const step = record.announce[record.announce.length - 1];
  const notices = noticesOf(ctx.config, record).filter((n) => n.step === step);
  const customers = ctx.config.customers.filter((c) => notices.some((n) => c.channels[n.platform].includes(n.channelId))).length;
  if (notices.length === 0) return scopeOf(record) === 'all' && ctx.config.customers.length === 0 ? 'No customers are configured.' : 'No affected customer has a channel to tell.';
  return `Notices go to ${notices.length} channel${notices.length === 1 ? '' : 's'} of ${customers} customer${customers === 1 ? '' : 's'}.`;
}
