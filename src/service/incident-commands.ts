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
 * Every keyword also reads in each catalogue's language (`事件 开启 …`).
 */
import { DateTime } from 'luxon';
import { IMPACTS, type Impact, type IncidentEvent, type Scope } from '../availability/incident-log.js';
import { scopeNames } from '../availability/terms.js';
import { parseInstant } from '../domain/time.js';
import { LOCALES, voiceIn, type Voice } from '../i18n/index.js';
import { IncidentConflictError, type IncidentRecord } from '../store/incident-store.js';
import type { DeskContext } from './context.js';
import { describeScope } from './incident-cards.js';
import { noticesOf, scopeOf } from './incident-notices.js';
import type { CommandResult } from './commands.js';

/** The incident commands' lines of `help`, in the reader's words. */
export function incidentHelp(voice: Voice): string {
  const words = { incident: voice.t('command.word', { command: 'incident' }), maintenance: voice.t('command.word', { command: 'maintenance' }) };
  return [
    voice.t('help.incidentOpen', words),
    voice.t('help.incidentOpenWhat'),
    voice.t('help.incidentUpdate', words),
    voice.t('help.incidentResolve', words),
    voice.t('help.incidentList', words),
    voice.t('help.maintenance', words),
  ].join('\n');
}

const KEYWORDS = ['open', 'update', 'resolve', 'list', 'all', 'region', 'regions', 'tier', 'tiers', 'customer', 'customers', 'outage', 'degraded'] as const;
type Keyword = (typeof KEYWORDS)[number];

/** Each catalogue's word for each keyword → the keyword (`开启` → `open`). */
const KEYWORD_OF: ReadonlyMap<string, Keyword> = (() => {
  const map = new Map<string, Keyword>();
  for (const locale of LOCALES) for (const keyword of KEYWORDS) map.set(voiceIn(locale).t('incident.word', { word: keyword }).toLowerCase(), keyword);
  return map;
})();

/** The keyword a word is, unquoted, in any language. */
function keyword(word: { word: string; quoted: boolean } | undefined): Keyword | undefined {
  return word && !word.quoted ? KEYWORD_OF.get(word.word.toLowerCase()) : undefined;
}

const IMPACT_WORDS: ReadonlySet<Keyword> = new Set(IMPACTS);

const SCOPE_WORDS: Partial<Record<Keyword, 'regions' | 'tiers' | 'customers'>> = { region: 'regions', regions: 'regions', tier: 'tiers', tiers: 'tiers', customer: 'customers', customers: 'customers' };

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
  const last = keyword(list[end - 1]);
  if (last && IMPACT_WORDS.has(last)) {
    impact = last as Impact;
    end--;
  }
  let all = false;
  const groups: { customers: string[]; regions: string[]; tiers: string[] } = { customers: [], regions: [], tiers: [] };
  let pending: string[] = [];
  let textEnd = end;
  for (let i = end - 1; i >= 0; i--) {
    const entry = list[i] as { word: string; quoted: boolean };
    if (entry.quoted) break;
    const key = keyword(entry);
    const group = key ? SCOPE_WORDS[key] : undefined;
    if (key === 'all' && pending.length === 0) {
      all = true;
      textEnd = i;
    } else if (group && pending.length > 0) {
      groups[group].unshift(...pending);
      pending = [];
      textEnd = i;
    } else {
      pending.unshift(entry.word);
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

/** Runs `incident …` or `maintenance …` for a staff member (the caller checked), answering in `voice`'s words. */
export async function runIncidentCommand(ctx: DeskContext, name: 'incident' | 'maintenance', args: string, voice: Voice): Promise<CommandResult> {
  const say = sayer(voice);
  const list = words(args);
  if (name === 'maintenance') return maintenance(ctx, say, list);
  const [sub, ...rest] = list;
  switch (sub === undefined ? 'list' : keyword(sub)) {
    case 'open':
      return openIncident(ctx, say, rest);
    case 'update':
      return updateIncident(ctx, say, rest);
    case 'resolve':
      return resolveIncident(ctx, say, rest);
    case 'list':
      return listIncidents(ctx, say);
    default:
      return say.refuse(`${voice.t('incident.whatToDo', { incident: voice.t('command.word', { command: 'incident' }) })}\n${incidentHelp(voice)}`);
  }
}

/** The voice, and the two ways an incident command answers: a private refusal, or an answer the channel sees. */
interface Say {
  voice: Voice;
  refuse(text: string): CommandResult;
  answer(text: string): CommandResult;
}

function sayer(voice: Voice): Say {
  return {
    voice,
    refuse: (text) => ({ reply: { ephemeral: true, locale: voice.locale, text }, outbound: [] }),
    answer: (text) => ({ reply: { ephemeral: false, locale: voice.locale, text }, outbound: [] }),
  };
}

/** A scope names only configured customers, regions and tiers. */
function scopeProblem(ctx: DeskContext, voice: Voice, scope: Scope): string | undefined {
  if (scope === 'all') return undefined;
  const names = scopeNames(ctx.config);
  for (const key of ['customers', 'regions', 'tiers'] as const) {
    const unknown = (scope[key] ?? []).filter((id) => !names[key].has(id));
    if (unknown.length) return voice.t('incident.unknownScope', { kind: key, id: unknown[0], known: names[key].size ? voice.list([...names[key]]) : voice.t('incident.none') });
  }
  return undefined;
}

/** `outage`, `中断`. */
function impactName(voice: Voice, impact: Impact): string {
  return voice.t('incident.impact', { impact });
}

async function openIncident(ctx: DeskContext, say: Say, list: { word: string; quoted: boolean }[]): Promise<CommandResult> {
  const { voice } = say;
  const { text: title, scope = 'all', impact = 'outage' } = splitScope(list);
  if (!title) return say.refuse(voice.t('incident.needTitle', { incident: voice.t('command.word', { command: 'incident' }) }));
  const problem = scopeProblem(ctx, voice, scope);
  if (problem) return say.refuse(problem);
  const id = await ctx.store.incidents().newId('incident');
  const record = await append(ctx, voice, { at: ctx.now(), type: 'incident_opened', incident: id, title, impact, scope });
  if (typeof record === 'string') return say.refuse(record);
  return say.answer(voice.t('incident.opened', { id, title, impact: impactName(voice, impact), scope: describeScope(voice, scope), reach: reach(ctx, voice, record) }));
}

async function updateIncident(ctx: DeskContext, say: Say, list: { word: string; quoted: boolean }[]): Promise<CommandResult> {
  const { voice } = say;
  const incident = voice.t('command.word', { command: 'incident' });
  const [target, ...rest] = list;
  if (!target) return say.refuse(voice.t('incident.whichToUpdate', { incident }));
  const last = keyword(rest[rest.length - 1]);
  const impact = last && IMPACT_WORDS.has(last) ? (last as Impact) : undefined;
  const message = (impact ? rest.slice(0, -1) : rest)
    .map((w) => w.word)
    .join(' ')
    .trim();
  if (!impact && !message) return say.refuse(voice.t('incident.whatChanged', { incident }));
  if (!(await ctx.store.incidents().get('incident', target.word))) return say.refuse(voice.t('incident.unknown', { id: target.word, action: 'update' }));
  const record = await append(ctx, voice, { at: ctx.now(), type: 'incident_updated', incident: target.word, ...(impact ? { impact } : {}), ...(message ? { message } : {}) });
  if (typeof record === 'string') return say.refuse(record);
  const told = reach(ctx, voice, record);
  return say.answer(impact ? voice.t('incident.updatedNow', { id: target.word, impact: impactName(voice, impact), reach: told }) : voice.t('incident.updated', { id: target.word, reach: told }));
}

async function resolveIncident(ctx: DeskContext, say: Say, list: { word: string; quoted: boolean }[]): Promise<CommandResult> {
  const { voice } = say;
  const target = list[0];
  if (!target || list.length > 1) return say.refuse(voice.t('incident.whichToResolve', { incident: voice.t('command.word', { command: 'incident' }) }));
  const known = await ctx.store.incidents().get('incident', target.word);
  if (!known) return say.refuse(voice.t('incident.unknown', { id: target.word, action: 'resolve' }));
  // Resolved already (even at this very instant, which would read as the same event again).
  if (known.events.some((e) => e.type === 'incident_resolved')) return say.refuse(voice.t('incident.alreadyResolved', { id: target.word }));
  const record = await append(ctx, voice, { at: ctx.now(), type: 'incident_resolved', incident: target.word });
  if (typeof record === 'string') return say.refuse(record);
  const opened = record.events[0]?.at ?? ctx.now();
  return say.answer(voice.t('incident.resolved', { id: target.word, after: voice.duration(ctx.now() - opened), reach: reach(ctx, voice, record) }));
}

async function listIncidents(ctx: DeskContext, say: Say): Promise<CommandResult> {
  const { voice } = say;
  const now = ctx.now();
  const lines: string[] = [];
  for await (const record of ctx.store.incidents().listAll()) {
    const first = record.events[0];
    if (first?.type === 'incident_opened' && !record.events.some((e) => e.type === 'incident_resolved')) {
      const impact = record.events.reduce<Impact>((current, e) => (e.type === 'incident_updated' && e.impact ? e.impact : current), first.impact);
      lines.push(voice.t('incident.listIncident', { id: record.id, title: first.title, impact: impactName(voice, impact), scope: describeScope(voice, first.scope), open: voice.duration(now - first.at) }));
    }
    if (first?.type === 'maintenance' && first.to > now) {
      const zone = ctx.config.availability.timezone;
      lines.push(voice.t('incident.listMaintenance', { id: record.id, from: voice.instant(first.from, zone), to: voice.instant(first.to, zone), scope: describeScope(voice, first.scope) }));
    }
  }
  const text = lines.length ? `${voice.t('incident.listTitle')}\n${lines.join('\n')}` : voice.t('incident.listEmpty');
  return { reply: { ephemeral: true, locale: voice.locale, text }, outbound: [] };
}

async function maintenance(ctx: DeskContext, say: Say, list: { word: string; quoted: boolean }[]): Promise<CommandResult> {
  const { voice } = say;
  const usage = voice.t('incident.maintenanceUsage', { maintenance: voice.t('command.word', { command: 'maintenance' }) });
  const [fromWord, toWord, ...rest] = list;
  const zone = ctx.config.availability.timezone;
  const from = fromWord ? instantIn(fromWord.word, zone) : undefined;
  const to = toWord ? instantIn(toWord.word, zone) : undefined;
  if (from === undefined || to === undefined) return say.refuse(voice.t('incident.sayWhen', { usage }));
  if (to <= from) return say.refuse(voice.t('incident.endAfterStart'));
  const { text, scope = 'all' } = splitScope(rest);
  if (text) return say.refuse(voice.t('incident.notUnderstood', { text, usage }));
  const problem = scopeProblem(ctx, voice, scope);
  if (problem) return say.refuse(problem);
  const now = ctx.now();
  const id = await ctx.store.incidents().newId('maintenance');
  const record = await append(ctx, voice, { at: now, type: 'maintenance', maintenance: id, from, to, scope });
  if (typeof record === 'string') return say.refuse(record);
  const notice = ctx.config.availability.maintenanceNotice;
  const announced = voice.t('incident.maintenanceAnnounced', { id, from: voice.instant(from, zone), to: voice.instant(to, zone), scope: describeScope(voice, scope), reach: reach(ctx, voice, record) });
  // Announced later than the notice the config asks for: said, since outages in it then count.
  const late = from - now < notice;
  return say.answer(late ? voice.t('incident.maintenanceLate', { announced, ahead: voice.duration(Math.max(0, from - now)), notice: voice.duration(notice) }) : announced);
}

/** `2026-11-05T01:00:00Z` as it is; `2026-11-05T01:00` in `zone`. */
function instantIn(text: string, zone: string): number | undefined {
  const exact = parseInstant(text);
  if (exact !== undefined) return exact;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return undefined;
  const local = DateTime.fromISO(text, { zone });
  return local.isValid ? local.toMillis() : undefined;
}

/** Appends one event, announced; a conflict (unknown incident, already resolved) comes back as what to tell the asker. */
async function append(ctx: DeskContext, voice: Voice, event: IncidentEvent): Promise<IncidentRecord | string> {
  try {
    const { added, records } = await ctx.store.incidents().append([event], { announce: true });
    if (added.length === 0) return voice.t('incident.recordedAlready');
    const record = records[0] as IncidentRecord;
    ctx.onIncidentChanged?.(record);
    return record;
  } catch (err) {
    if (err instanceof IncidentConflictError) return voice.t('incident.conflict', { problem: err.message });
    throw err;
  }
}

/** `Notices go to 3 channels of 2 customers.` */
function reach(ctx: DeskContext, voice: Voice, record: IncidentRecord): string {
  const step = record.announce[record.announce.length - 1];
  const notices = noticesOf(ctx.config, record).filter((n) => n.step === step);
  const customers = ctx.config.customers.filter((c) => notices.some((n) => c.channels[n.platform].includes(n.channelId))).length;
  if (notices.length === 0) return scopeOf(record) === 'all' && ctx.config.customers.length === 0 ? voice.t('incident.noCustomers') : voice.t('incident.noChannels');
  return voice.t('incident.reach', { channels: notices.length, customers });
}
