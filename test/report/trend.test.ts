import { describe, expect, it } from 'vitest';
import { buildTrend } from '../../src/report/trend.js';
import { harness, T0 } from '../helpers/app-harness.js';

const CONFIG = `
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] } }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h }
`;

describe('the queue page trend', () => {
  it('weeks start on Monday 00:00 in the given zone, not in UTC', async () => {
    const h = await harness(CONFIG, { start: false });
    // Sunday 1 March 23:30 and Monday 2 March 00:30 in Berlin (UTC+1).
    await h.desk.receiveMessage({ platform: 'shell', channelId: 'acme', messageId: 'sun', author: { userId: 'dana' }, text: 'Sunday night', at: Date.parse('2026-03-01T22:30:00Z') });
    await h.desk.receiveMessage({ platform: 'shell', channelId: 'acme', messageId: 'mon', author: { userId: 'dana' }, text: 'Monday morning', at: Date.parse('2026-03-01T23:30:00Z') });
    const trend = await buildTrend(h.desk.config, h.store.listAll(), { at: T0, weeks: 12, timezone: 'Europe/Berlin' });
    expect(trend.weeks.at(-1)).toMatchObject({ from: '2026-03-01T23:00:00.000Z', label: '2 Mar', tiers: { enterprise: { tickets: 1 } } });
    expect(trend.weeks.at(-2)).toMatchObject({ label: '23 Feb', tiers: { enterprise: { tickets: 1 } } });
    // Both first responses breached (nobody answered within the hour).
    expect(trend.weeks.at(-1)?.tiers.enterprise?.firstResponse).toEqual({ met: 0, breached: 1, pending: 0, percent: 0 });
  });
});
