import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { startWeeklyDigest } from '../../src/scheduler/digest.js';
import { digestCard } from '../../src/service/digest-card.js';
import type { Card } from '../../src/service/messages.js';

const CONFIG = parseConfig(`
customers: [{ id: acme, name: Acme, tier: standard }]
tiers: { standard: { targets: { default: { firstResponse: 4h } } } }
digest: { cron: "0 9 * * 1", timezone: Europe/Berlin }
`);

async function* none(): AsyncIterable<Ticket> {}

describe('the weekly digest job', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('posts the digest of the week just ended at Monday 09:00 in the digest zone, every week', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-08T12:00:00Z') }); // Sunday
    const posted: Card[] = [];
    const job = startWeeklyDigest(CONFIG, none, () => Date.now(), async (figures) => void posted.push(digestCard(CONFIG, figures)), (err) => {
      throw err;
    });
    await vi.advanceTimersByTimeAsync(Date.parse('2026-03-09T07:59:00Z') - Date.now()); // 08:59 Berlin
    expect(posted).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * 60_000); // 09:01 Berlin (CET = UTC+1)
    expect(posted.map((c) => c.title)).toEqual(['Weekly SLA digest · Mon 2 Mar 2026 – Sun 8 Mar 2026']);
    await vi.advanceTimersByTimeAsync(7 * 86_400_000);
    expect(posted.map((c) => c.title)[1]).toBe('Weekly SLA digest · Mon 9 Mar 2026 – Sun 15 Mar 2026');
    job.stop();
  });
});
