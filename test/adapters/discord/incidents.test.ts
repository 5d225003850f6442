/**
 * Incidents on Discord, with the real discord.js client against the fake
 * Discord: `/sla incident` and `/sla maintenance` for staff, notices in the
 * affected customers' channels that ping nobody and offer no buttons, each
 * with a nonce from its idempotency key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nonceFor } from '../../../adapters/discord/port.js';
import { messageText, type InteractionRecord } from '../../helpers/fake-discord.js';
import { IDS, startHarness, type Harness } from './harness.js';

async function answerText(h: Harness, interaction: InteractionRecord): Promise<{ text: string; ephemeral: boolean }> {
  const callback = await h.fake.waitFor(() => interaction.callbacks[0], 'an interaction callback');
  const data = callback.data ?? {};
  return { text: messageText(data), ephemeral: (Number(data.flags ?? 0) & (1 << 6)) !== 0 };
}

describe('Discord /sla incident', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('staff open an incident for a tier: a notice in each affected customer channel, pinging nobody, with no buttons; none elsewhere', async () => {
    h = await startHarness();
    const answer = await answerText(h, h.fake.slash(h.rita, IDS.staffChannel, 'incident', { text: 'open Uploads fail @everyone tier enterprise' }));
    expect(answer.text).toMatch(/Incident inc-1 opened: Uploads fail/);
    for (const channel of [IDS.acme, IDS.globex]) {
      const sent = await h.fake.channel(channel).expectMessage(/Incident: Uploads fail/);
      expect(sent.pinged).toEqual({ users: [], roles: [], everyone: false });
      expect(sent.message.components).toEqual([]);
      expect(sent.message.nonce).toBe(nonceFor(`incident:incident:inc-1/0/discord:${channel}`));
    }
    await h.settle();
    await h.fake.channel(IDS.initech).expectNoMessage(/Incident/);
    await h.fake.channel(IDS.staffChannel).expectNoMessage(/Incident: Uploads fail/);
    const record = await h.store.incidents().get('incident', 'inc-1');
    expect(Object.values(record!.notices).map((n) => n.status)).toEqual(['sent', 'sent']);
  });

  it('maintenance is announced; a customer running the command is refused privately', async () => {
    h = await startHarness();
    const refused = await answerText(h, h.fake.slash(h.dana, IDS.acme, 'maintenance', { text: '2030-01-05T01:00 2030-01-05T03:00' }));
    expect(refused.ephemeral).toBe(true);
    expect(refused.text).toMatch(/only the support team/);
    const answer = await answerText(h, h.fake.slash(h.rita, IDS.staffChannel, 'maintenance', { text: '2030-01-05T01:00 2030-01-05T03:00 customer initech' }));
    expect(answer.text).toMatch(/^Maintenance mw-1 announced/);
    await h.fake.channel(IDS.initech).expectMessage(/Planned maintenance/);
    await h.settle();
    await h.fake.channel(IDS.acme).expectNoMessage(/Planned maintenance/);
  });
});
