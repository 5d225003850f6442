/**
 * The weekly digest as one card for the staff channel, from the figures the
 * report computes (src/report/digest.ts), in staff's language. Every
 * platform renders it with its card renderer.
 */
import { CLOCK_KINDS, type ClockKind, type Config } from '../config/schema.js';
import { displayName } from '../domain/people.js';
import { DIGEST_LIMITS, type DigestFigures } from '../report/digest.js';
import { customerName, type ClockCompliance, type GroupFigures } from '../report/report.js';
import type { Voice } from '../i18n/index.js';
import { clockName, peopleNames, severityName, stateName, tierName } from './cards.js';
import type { Card } from './messages.js';
import { staffVoice } from './readers.js';

export function digestCard(config: Config, figures: DigestFigures, voice: Voice = staffVoice(config)): Card {
  const { now, timezone, weeks, breaches, breachCounts } = figures;
  const when = (ms: number) => voice.instant(ms, timezone);

  const fields: Card['fields'] = figures.tiers.map(({ tier, thisWeek, lastWeek }) => ({ label: tierName(voice, tier), value: tierLine(voice, thisWeek, lastWeek) }));
  const total = breaches.length;
  const counts = CLOCK_KINDS.filter((k) => breachCounts[k] > 0).map((k) => voice.t('digest.clockCount', { clock: clockName(voice, k), count: breachCounts[k] }));
  fields.push({ label: voice.t('digest.breachesThisWeek'), value: total === 0 ? voice.t('digest.none') : voice.t('digest.breachCount', { count: total, clocks: voice.list(counts) }) });
  for (const { name, shifts } of figures.onCall) {
    const names = (users: string[]) => (users.length ? users.map((u) => displayName(config, u)).join(' + ') : peopleNames({ config }, voice, []));
    const lines = shifts.slice(0, DIGEST_LIMITS.shifts).map((s) => voice.t('digest.shift', { people: names(s.users), from: voice.dayTime(s.start, timezone), to: voice.dayTime(s.end, timezone) }));
    if (shifts.length > DIGEST_LIMITS.shifts) lines.push(voice.t('digest.moreShifts', { count: shifts.length - DIGEST_LIMITS.shifts }));
    fields.push({ label: voice.t('digest.onCall', { schedule: name }), value: lines.join('; ') });
  }

  const body: string[] = [];
  if (total > 0) {
    body.push(voice.t('digest.breachedTitle'));
    const shown = breaches.slice(0, DIGEST_LIMITS.breaches);
    for (const b of shown) body.push(voice.t('digest.breach', { ticket: `#${b.ticket}`, customer: customerName(config, b.customer), clock: clockName(voice, b.clock), at: when(b.at) }));
    if (total > shown.length) body.push(voice.t('digest.moreBreaches', { count: total - shown.length }));
  }
  if (figures.oldestOpen.length > 0) {
    body.push(voice.t('digest.oldestTitle'));
    for (const t of figures.oldestOpen) {
      body.push(
        voice.t('digest.oldest', {
          ticket: `#${t.id}`,
          customer: customerName(config, t.customer),
          tier: tierName(voice, t.tier),
          severity: severityName(voice, t.severity),
          age: voice.duration(now - t.openedAt),
          waiting: t.state === 'waiting_on_customer' ? 'yes' : 'no',
          state: stateName(voice, t.state),
          assigned: t.assignee ? 'yes' : 'no',
          assignee: t.assignee ? displayName(config, t.assignee) : '',
        }),
      );
    }
  }
  return {
    tone: total > 0 ? 'warning' : 'good',
    locale: voice.locale,
    title: voice.t('digest.title', { from: voice.day(weeks.thisWeek.from, timezone), to: voice.day(weeks.thisWeek.to - 1, timezone) }),
    fields,
    ...(body.length ? { body: body.join('\n') } : {}),
    footer: voice.t('digest.footer', { at: when(now) }),
  };
}

/** `3 tickets (last week 2) · first response 50% (1/2), last week 100% (1/1) · …` */
function tierLine(voice: Voice, now: GroupFigures | undefined, before: GroupFigures | undefined): string {
  const parts = [voice.t('digest.tickets', { count: now?.tickets ?? 0, lastWeek: before?.tickets ?? 0 })];
  for (const kind of CLOCK_KINDS) parts.push(voice.t('digest.compliance', { clock: clockName(voice, kind), now: percentText(now, kind), before: percentText(before, kind) }));
  const rated = now?.satisfaction;
  if (rated && rated.average !== null) parts.push(voice.t('digest.rating', { average: rated.average.toFixed(2), count: rated.count }));
  return parts.join(' · ');
}

function percentText(figures: GroupFigures | undefined, kind: ClockKind): string {
  const c: ClockCompliance | undefined = figures?.compliance[kind];
  return !c || c.percent === null ? '—' : `${c.percent}% (${c.met}/${c.met + c.breached})`;
}
