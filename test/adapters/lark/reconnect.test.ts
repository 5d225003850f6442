/**
 * The long connection drops (a network cut, the platform closing it): the
 * SDK's client asks for a new endpoint and reconnects by itself, the adapter
 * is not ready meanwhile, catches up on what was said in the gap, and
 * messages after it work as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACME, CUSTOMER, GLOBEX, Harness, noTroubleIn } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  if (!h) return;
  await h.stop();
  noTroubleIn(h);
  h = undefined;
});

describe('a dropped long connection', () => {
  it('is made again; what was said in the gap is caught up on, and later messages open tickets', async () => {
    h = await Harness.start();
    expect(h.connection.ready()).toBe(true);
    const endpointCalls = h.fake.callsTo('POST', /^\/callback\/ws\/endpoint$/).length;
    h.fake.dropConnections(1_500);
    await h.fake.waitFor(() => (h!.connection.ready() ? undefined : true), 'the adapter to notice the drop');
    // Said while the socket was down: no event reaches the bot.
    const gap = h.fake.seed(ACME, CUSTOMER, 'Said during the cut');
    await h.fake.untilConnected(1);
    await h.fake.waitFor(() => (h!.connection.ready() ? true : undefined), 'the adapter to be ready again');
    expect(h.fake.connections).toBe(2);
    expect(h.fake.callsTo('POST', /^\/callback\/ws\/endpoint$/).length).toBeGreaterThan(endpointCalls + 1);

    await h.fake.waitFor(() => h!.fake.repliesTo(gap.message_id)[0], 'the gap message\'s acknowledgement', 8_000);
    const { message, ack } = await h.fake.say(GLOBEX, { openId: 'ou_globex_ed', tenantKey: 'tenant_globex' }, 'Said after the cut');
    expect(ack).toEqual({ code: 200 });
    await h.fake.waitFor(() => h!.fake.repliesTo(message.message_id)[0], 'the acknowledgement after the cut');
    await h.settled();
    expect(await h.ticketCount()).toBe(2);
    expect(h.logs.some((l) => l.level === 'warn' && /long connection lost/.test(l.message))).toBe(true);
  });
});
