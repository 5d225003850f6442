/**
 * Sends queue per chat, spaced within Feishu's 5 a second per group; a rate
 * limit in one customer's group holds that group's sends back for the time
 * the platform says and retries them with the same uuid — never delaying
 * another group.
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

describe('a rate limit in one group', () => {
  it('is waited out for that group only, then the acknowledgement goes through once', async () => {
    h = await Harness.start();
    h.fake.rateLimit(ACME, 1);
    const started = Date.now();
    const [acme, globex] = await Promise.all([h.fake.say(ACME, CUSTOMER, 'Acme: uploads fail'), h.fake.say(GLOBEX, { openId: 'ou_globex_ed', tenantKey: 'tenant_globex' }, 'Globex: exports fail')]);
    await h.settled();
    const replies = h.fake.callsTo('POST', /\/reply$/);
    const acmeAttempts = replies.filter((c) => c.path.includes(acme.message.message_id));
    const globexReply = replies.find((c) => c.path.includes(globex.message.message_id))!;
    expect(acmeAttempts.map((c) => c.status)).toEqual([429, 200]);
    expect(acmeAttempts[1]!.at - acmeAttempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(acmeAttempts[1]!.body.uuid).toBe(acmeAttempts[0]!.body.uuid);
    expect(globexReply.at).toBeLessThan(acmeAttempts[1]!.at - 500);
    expect(globexReply.at - started).toBeLessThan(1_500);
    expect(h.fake.repliesTo(acme.message.message_id)).toHaveLength(1);
    expect(h.logs.some((l) => l.level === 'warn' && /rate limited/.test(l.message))).toBe(true);
  });

  it('several sends into one group are spaced at least 200 ms apart', async () => {
    h = await Harness.start();
    const { message } = await h.fake.say(ACME, CUSTOMER, 'Reports are empty');
    await h.settled();
    const id = (await h.ticketOf(ACME, message.message_id))!.id;
    const card = { tone: 'info' as const, title: 'note', fields: [] };
    await Promise.all([1, 2, 3].map(() => h!.connection.port.send({ type: 'thread', platform: 'lark', channelId: ACME, threadId: message.message_id, card, ticketId: id })));
    const at = h.fake.callsTo('POST', /\/reply$/).map((c) => c.at);
    expect(at).toHaveLength(4);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(195);
  });
});
