import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { startHandoffAnnouncements } from '../../src/scheduler/handoffs.js';
import { handoffCard } from '../../src/service/announcements.js';
import type { Card } from '../../src/service/messages.js';

const CONFIG = parseConfig(`
people: { alice: { name: Alice }, bob: { name: Bob } }
tiers: { standard: { targets: { default: { firstResponse: 4h } } } }
schedules:
  primary:
    timezone: America/New_York
    layers:
      - users: [alice, bob]
        rotation: { every: 1d, handoff: "09:00", start: "2026-03-07" }
announcements: { handoffs: { schedules: [primary] } }
`);

describe('handoff announcements', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says who takes over from whom, until when — across the DST change', () => {
    // 2026-03-08 09:00 EDT (after the spring-forward jump) = 13:00 UTC: bob takes over from alice.
    const card = handoffCard(CONFIG, 'primary', Date.parse('2026-03-08T13:00:00Z'));
    expect(card.title).toBe('On call for primary: Bob');
    expect(card.fields).toEqual([
      { label: 'Taking over from', value: 'Alice' },
      { label: 'Until', value: 'Mon 9 Mar 09:00 EDT' },
    ]);
    expect(card.mentions).toEqual({ people: ['bob'], groups: [] });
  });

  it('node-schedule fires at each handoff and re-arms for the next', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-07T20:00:00Z') });
    const posted: Card[] = [];
    const announcer = startHandoffAnnouncements(CONFIG, () => Date.now(), (id, at) => posted.push(handoffCard(CONFIG, id, at)));
    await vi.advanceTimersByTimeAsync(16 * 3_600_000); // to 2026-03-08T12:00Z: 09:00 EDT is 13:00Z, not yet
    expect(posted).toEqual([]);
    await vi.advanceTimersByTimeAsync(3_600_000 + 1_000);
    expect(posted.map((c) => c.title)).toEqual(['On call for primary: Bob']);
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(posted.map((c) => c.title)).toEqual(['On call for primary: Bob', 'On call for primary: Alice']);
    announcer.stop();
    await vi.advanceTimersByTimeAsync(48 * 3_600_000);
    expect(posted).toHaveLength(2);
  });
});
