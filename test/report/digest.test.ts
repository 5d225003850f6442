import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { digestWeeks, weeklyFigures, weeklyFiguresOf } from '../../src/report/digest.js';
import { digestCard } from '../../src/service/digest-card.js';
import { cardToLine } from '../../src/service/render-text.js';
import { openMemoryStore } from '../../src/store/open.js';
import { config, CONFIG_YAML, ms, TICKETS } from './fixtures.js';

// The digest of Monday 9 March 2026, 09:00 Berlin (08:00Z), the default cron's time.
// This week = Mon 2 Mar 00:00 – Mon 9 Mar 00:00 Berlin (2026-03-01T23:00Z – 2026-03-08T23:00Z);
// last week = Mon 23 Feb – Mon 2 Mar. Events after 08:00Z (e.g. #4's reply at 10:30Z) have not
// happened yet; #6 and #7 (April) do not exist yet.
const NOW = ms('2026-03-09T08:00:00Z');
const ZONE = 'Europe/Berlin';

/** The card the staff channel gets: the report's figures, composed by the service. */
const weeklyDigest = (config: Config, tickets: Iterable<Ticket>, now: number, timezone: string) => digestCard(config, weeklyFigures(config, tickets, now, timezone));

describe('weeklyDigest', () => {
  it('weeks are the seven full local days before today, and the seven before those', () => {
    expect(digestWeeks(NOW, ZONE)).toEqual({
      thisWeek: { from: ms('2026-03-01T23:00:00Z'), to: ms('2026-03-08T23:00:00Z') },
      lastWeek: { from: ms('2026-02-22T23:00:00Z'), to: ms('2026-03-01T23:00:00Z') },
    });
    // Across the switch to summer time (Sun 29 Mar): the week ends at local midnight, CEST, so it is 167 hours.
    expect(digestWeeks(ms('2026-03-30T07:00:00Z'), ZONE).thisWeek).toEqual({ from: ms('2026-03-22T23:00:00Z'), to: ms('2026-03-29T22:00:00Z') });
  });

  it('compliance per tier this week vs last week, the week’s breaches, the oldest open tickets, who was on call', () => {
    const card = weeklyDigest(config, TICKETS, NOW, ZONE);
    expect(card).toEqual({
      tone: 'warning',
      locale: 'en',
      title: 'Weekly SLA digest · Mon 2 Mar 2026 – Sun 8 Mar 2026',
      fields: [
        // This week, enterprise = #1, #2, #3 (opened Mar 2, 3, 5). FR: met #1 #3, breached #2 → 2/3.
        // NR: #1 c1 met, #2 c1 breached (Wed 11:00Z < now), #3 c1 c2 met → 3/4.
        // Resolution: #1 #3 met, #2 breached (Wed 16:00Z) → 2/3.
        // Last week, enterprise = #9 (Feb 26): FR and resolution met, no NR cycle.
        {
          label: 'enterprise',
          value:
            '3 tickets (last week 1) · first response 66.7% (2/3), last week 100% (1/1) · next response 75% (3/4), last week — · resolution 66.7% (2/3), last week 100% (1/1)',
        },
        // This week, standard = #4 (Fri 6 Mar): its reply comes Mon 10:30Z, after now, so FR and
        // resolution are still running: nothing finished. Last week = #8 (Feb 25): FR breached Feb 25,
        // resolution breached Thu 5 Mar → 0/1 each.
        { label: 'standard', value: '1 ticket (last week 1) · first response —, last week 0% (0/1) · next response —, last week — · resolution —, last week 0% (0/1)' },
        // Breaches inside this week: #2 FR (Tue 3 Mar 10:15Z), #2 NR (Wed 11:00Z), #2 resolution (Wed 16:00Z),
        // #8 resolution (Thu 5 Mar 10:00Z); #8's FR breach (Feb 25) was last week.
        { label: 'Breaches this week', value: '4 (first response 1, next response 1, resolution 2)' },
        // alice, bob weekly from Mon 5 Jan 09:00: Mar 2 is 8 weeks on (even) → alice from Mon 2 Mar 09:00; bob before.
        { label: 'On call: primary', value: 'Bob Mon 2 Mar 00:00 – Mon 2 Mar 09:00; Alice Mon 2 Mar 09:00 – Mon 9 Mar 00:00' },
      ],
      body: [
        'Breached this week:',
        '#2 Acme Corp — first response, breached Tue 3 Mar 11:15 GMT+1',
        '#2 Acme Corp — next response, breached Wed 4 Mar 12:00 GMT+1',
        '#2 Acme Corp — resolution, breached Wed 4 Mar 17:00 GMT+1',
        '#8 Globex — resolution, breached Thu 5 Mar 11:00 GMT+1',
        // Open at now: #8, #2, #4, #5 (#1 closed, #3 and #9 resolved), oldest first.
        'Oldest open tickets:',
        // Mar 9 08:00Z − Feb 25 10:00Z = 12 days − 2 h = 11d 22h.
        '#8 Globex (standard, normal) — opened 11d 22h ago, unassigned',
        // − Mar 3 10:00Z = 5d 22h.
        '#2 Acme Corp (enterprise, urgent) — opened 5d 22h ago, unassigned',
        // − Mar 6 15:00Z = 2d 17h; claimed by bob at 15:30Z.
        '#4 Globex (standard, normal) — opened 2d 17h ago, assigned to Bob',
        // − Mar 9 07:00Z = 1h.
        '#5 Globex (standard, high) — opened 1h ago, unassigned',
      ].join('\n'),
      footer: 'Compliance: met ÷ (met + breached) clocks of the tickets opened in the week, as of Mon 9 Mar 09:00 GMT+1; running and paused clocks are not counted.',
    });
    // It renders through the card renderers like any other card.
    expect(cardToLine(card)).toMatch(/^⚠ Weekly SLA digest · Mon 2 Mar 2026 – Sun 8 Mar 2026 · enterprise: 3 tickets/);
  });

  it('the oldest open list keeps five', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({
      ...(TICKETS[4] as (typeof TICKETS)[number]),
      id: 100 + i,
      // #100 is the newest, #107 the oldest.
      events: [{ type: 'opened' as const, at: NOW - (i + 1) * 3_600_000, customer: 'globex', tier: 'standard', severity: 'low' as const }],
    }));
    const body = weeklyDigest(config, many, NOW, ZONE).body ?? '';
    expect(body.split('\n').filter((l) => l.startsWith('#')).map((l) => l.split(' ')[0])).toEqual(['#107', '#106', '#105', '#104', '#103']);
  });

  it('a quiet week: no breaches, no body, a good tone', () => {
    const quiet = parseConfig(CONFIG_YAML.replace(/schedules:[\s\S]*?store:/, 'store:'));
    expect(weeklyDigest(quiet, [], NOW, ZONE)).toEqual({
      tone: 'good',
      locale: 'en',
      title: 'Weekly SLA digest · Mon 2 Mar 2026 – Sun 8 Mar 2026',
      fields: [{ label: 'Breaches this week', value: 'none' }],
      footer: 'Compliance: met ÷ (met + breached) clocks of the tickets opened in the week, as of Mon 9 Mar 09:00 GMT+1; running and paused clocks are not counted.',
    });
  });

  it('reads a store listing the same way', async () => {
    const store = openMemoryStore();
    for (const ticket of TICKETS) await store.create(ticket);
    expect(await weeklyFiguresOf(config, store.listAll(), NOW, ZONE)).toEqual(weeklyFigures(config, TICKETS, NOW, ZONE));
  });

  it('the config takes an optional digest schedule', () => {
    expect(config.digest).toBeUndefined();
    const withDigest = parseConfig(`${CONFIG_YAML}\ndigest: { timezone: Europe/Berlin }\n`);
    expect(withDigest.digest).toEqual({ cron: '0 9 * * 1', timezone: 'Europe/Berlin' });
    expect(() => parseConfig(`${CONFIG_YAML}\ndigest: { cron: "every monday" }\n`)).toThrow(/digest\.cron: expected a cron expression/);
  });
});
