/**
 * The weekly digest as one card for the staff channel, from the figures the
 * report computes (src/report/digest.ts). Every platform renders it with its
 * card renderer.
 */
import { DateTime } from 'luxon';
import { CLOCK_KINDS, type ClockKind, type Config } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import { displayName } from '../domain/people.js';
import { describeState } from '../domain/ticket.js';
import { DIGEST_LIMITS, type DigestFigures } from '../report/digest.js';
import { customerName, type ClockCompliance, type GroupFigures } from '../report/report.js';
import { CLOCK_LABEL, formatInstant } from './cards.js';
import type { Card } from './messages.js';

export function digestCard(config: Config, figures: DigestFigures): Card {
  const { now, timezone, weeks, breaches, breachCounts } = figures;
  const when = (ms: number) => formatInstant(ms, timezone);
  const day = (ms: number) => DateTime.fromMillis(ms, { zone: timezone }).toFormat('ccc d LLL yyyy');

  const fields: Card['fields'] = figures.tiers.map(({ tier, thisWeek, lastWeek }) => ({ label: tier, value: tierLine(thisWeek, lastWeek) }));
  const total = breaches.length;
  const counts = CLOCK_KINDS.filter((k) => breachCounts[k] > 0).map((k) => `${CLOCK_LABEL[k]} ${breachCounts[k]}`);
  fields.push({ label: 'Breaches this week', value: total === 0 ? 'none' : `${total} (${counts.join(', ')})` });
  for (const { name, shifts } of figures.onCall) {
    const names = (users: string[]) => (users.length ? users.map((u) => displayName(config, u)).join(' + ') : 'nobody');
    const shortWhen = (ms: number) => DateTime.fromMillis(ms, { zone: timezone }).toFormat('ccc d LLL HH:mm');
    const lines = shifts.slice(0, DIGEST_LIMITS.shifts).map((s) => `${names(s.users)} ${shortWhen(s.start)} – ${shortWhen(s.end)}`);
    if (shifts.length > DIGEST_LIMITS.shifts) lines.push(`… and ${shifts.length - DIGEST_LIMITS.shifts} more shifts`);
    fields.push({ label: `On call: ${name}`, value: lines.join('; ') });
  }

  const body: string[] = [];
  if (total > 0) {
    body.push('Breached this week:');
    const shown = breaches.slice(0, DIGEST_LIMITS.breaches);
    for (const b of shown) body.push(`#${b.ticket} ${customerName(config, b.customer)} — ${CLOCK_LABEL[b.clock]}, breached ${when(b.at)}`);
    if (total > shown.length) body.push(`… and ${total - shown.length} more (slawatch report lists them all)`);
  }
  if (figures.oldestOpen.length > 0) {
    body.push('Oldest open tickets:');
    for (const t of figures.oldestOpen) {
      const waiting = t.state === 'waiting_on_customer' ? `, ${describeState(t.state)}` : '';
      const who = t.assignee ? `assigned to ${displayName(config, t.assignee)}` : 'unassigned';
      body.push(`#${t.id} ${customerName(config, t.customer)} (${t.tier}, ${t.severity}) — opened ${formatDuration(now - t.openedAt)} ago${waiting}, ${who}`);
    }
  }
  return {
    tone: total > 0 ? 'warning' : 'good',
    title: `Weekly SLA digest · ${day(weeks.thisWeek.from)} – ${day(weeks.thisWeek.to - 1)}`,
    fields,
    ...(body.length ? { body: body.join('\n') } : {}),
    footer: `Compliance: met ÷ (met + breached) clocks of the tickets opened in the week, as of ${when(now)}; running and paused clocks are not counted.`,
  };
}

/** `3 tickets (last week 2) · first response 50% (1/2), last week 100% (1/1) · …` */
function tierLine(now: GroupFigures | undefined, before: GroupFigures | undefined): string {
  const count = now?.tickets ?? 0;
  const parts = [`${count} ${count === 1 ? 'ticket' : 'tickets'} (last week ${before?.tickets ?? 0})`];
  for (const kind of CLOCK_KINDS) parts.push(`${CLOCK_LABEL[kind]} ${percentText(now, kind)}, last week ${percentText(before, kind)}`);
  return parts.join(' · ');
}

function percentText(figures: GroupFigures | undefined, kind: ClockKind): string {
  const c: ClockCompliance | undefined = figures?.compliance[kind];
  return !c || c.percent === null ? '—' : `${c.percent}% (${c.met}/${c.met + c.breached})`;
}
