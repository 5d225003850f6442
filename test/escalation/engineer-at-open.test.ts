/**
 * The account engineer hears of every ticket of their customer at open: who
 * gets that direct message (the engineer, or on call when they are off), in
 * the pure core, and how the readable replay shows it — while the replay's
 * JSON notifications stay the ladder's and the follow-ups'.
 */
import { describe, expect, it } from 'vitest';
import { parseLogFor, policyContext, replay, replayText } from '../../src/cli/replay.js';
import { parseConfig } from '../../src/config/load.js';
import { engineerOrStandIn, ladderFor } from '../../src/escalation/ladder.js';

const CONFIG = parseConfig(`
people:
  alice: { name: Alice }
  carol: { name: Carol, calendar: carol-hours }
staff: { people: [alice, carol] }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, accountEngineer: carol }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h }
      urgent: { firstResponse: immediate }
calendars:
  carol-hours: { timezone: UTC, hours: { mon: ["08:00-18:00"] } }
schedules:
  primary:
    timezone: UTC
    layers: [{ users: [alice], rotation: { every: 1w, start: "2026-01-05" } }]
escalation:
  policies:
    default:
      levels: [{ notify: [schedule:primary], delay: 15m }]
`);
const CTX = policyContext(CONFIG);
const log = (at: string) => parseLogFor(CONFIG, JSON.stringify({ at, type: 'opened', customer: 'acme', severity: 'urgent' }));

describe('the account engineer at open', () => {
  it('is the engineer while they work, else whoever is on call, saying so', () => {
    const ladder = ladderFor(CONFIG, CONFIG.customers[0], 'enterprise');
    expect(engineerOrStandIn('carol', Date.parse('2026-03-02T10:00:00Z'), ladder, CTX)).toEqual({ people: ['carol'] });
    expect(engineerOrStandIn('carol', Date.parse('2026-03-03T10:00:00Z'), ladder, CTX)).toEqual({ people: ['alice'], standIn: { for: 'carol', by: ['alice'] } });
  });

  it('shows in the readable replay at the opening instant; the JSON notifications are unchanged', () => {
    const events = log('2026-03-03T10:00:00Z');
    const at = Date.parse('2026-03-03T10:05:00Z');
    const text = replayText(events, CTX, at);
    expect(text).toContain('2026-03-03T10:00:00Z  opened     direct message → alice (carol, the account engineer, is off: alice on call instead)');
    expect(text).toContain('2026-03-03T10:00:00Z  breach     first response level 1 → alice (carol, the account engineer, is off: alice on call instead)');
    expect(replay(events, CTX, at).notifications).toEqual([{ at: '2026-03-03T10:00:00Z', kind: 'breach', clock: 'firstResponse', level: 1, to: ['alice'] }]);
    expect(replayText(log('2026-03-02T10:00:00Z'), CTX, at)).toContain('2026-03-02T10:00:00Z  opened     direct message → carol\n');
  });
});
