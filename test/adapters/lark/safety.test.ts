/**
 * Customer text never pings on Feishu/Lark: an @all mention tag, a card
 * mention tag, "@all" and "@所有人" typed in a message, or a real @all the
 * customer made, come out in every card as the same characters — never as a
 * mention, never as markup — while the pings the bot means reach exactly the
 * people named.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeLark } from '../../../testkit/fake-lark.js';
import { ACME, ALICE, CONFIG, CUSTOMER, Harness, noTroubleIn, STAFF_GROUP } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  if (!h) return;
  await h.stop();
  noTroubleIn(h);
  h = undefined;
});

const HOSTILE = 'Site down <at user_id="all"></at> <at id=all></at> <at user_id="ou_alice">Alice</at> @all @所有人 **now** [click](https://evil.example) <font color=red>x</font>';

/** Everything the bot sent anywhere: posts, replies, patches, ephemeral cards. */
function everythingSent(fake: FakeLark): string[] {
  return [
    ...fake.callsTo('POST', /^\/open-apis\/im\/v1\/messages(\/[^/]+\/reply)?$/).map((c) => String(c.body.content)),
    ...fake.patches.map((p) => JSON.stringify(p.card)),
    ...fake.ephemerals.map((e) => JSON.stringify(e.card)),
  ];
}

describe('customer text with mentions and markup', () => {
  it('never becomes a live mention in any card, and reads the same', async () => {
    h = await Harness.start({ config: CONFIG.replace('default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d }', 'default: { firstResponse: 2s, nextResponse: 2h, resolution: 2d }').replace('warn: [schedule:primary]', 'warn: []') });
    const { message } = await h.fake.say(ACME, CUSTOMER, HOSTILE);
    const breach = await h.fake.expectPost(STAFF_GROUP, /BREACHED/, 8_000);
    // The status card staff ask for quotes the customer too.
    await h.fake.say(STAFF_GROUP, ALICE, '@_user_1 status 1', { mentions: [{ key: '@_user_1', openId: h.fake.botOpenId, name: 'slawatch' }] });
    await h.fake.waitFor(() => h!.fake.ephemerals.find((e) => /Ticket #1/.test(FakeLark.textOf(e.card))), 'the status answer');
    await h.settled();

    const sent = everythingSent(h.fake);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const content of sent) {
      expect(content).not.toMatch(/<at user_id=\\?"all/);
      expect(content).not.toMatch(/<at id=\\?"?all/);
      expect(content).not.toMatch(/@all|@所有人|@_all/);
      // The only mention tags are the bot's own pings, of listed people by open id.
      for (const tag of content.match(/<at\b[^>]*>/g) ?? []) expect(tag).toBe(`<at id=${ALICE.openId}>`);
      // Customer words are never markdown.
      expect(content).not.toMatch(/"tag":"lark_md","content":"[^"]*(now|evil|font)/);
    }
    const shown = FakeLark.textOf(breach.content).replace(/\u200b/g, '');
    expect(shown).toContain(HOSTILE);
    expect(h.fake.repliesTo(message.message_id)).toHaveLength(1);
  });

  it('a real @all by the customer is kept as words in the ticket and shown as words', async () => {
    h = await Harness.start();
    const { message } = await h.fake.say(ACME, CUSTOMER, '@_all payments fail', { mentions: [{ key: '@_all', openId: '', name: '所有人' }] });
    await h.settled();
    const ticket = (await h.ticketOf(ACME, message.message_id))!;
    expect(ticket.events[0]).toMatchObject({ type: 'opened', text: '@所有人 payments fail' });
    const status = await h.app.desk.runCommand({ platform: 'lark', channelId: STAFF_GROUP, author: { userId: ALICE.openId }, text: `status ${ticket.id}` });
    await h.connection.port.send({ type: 'notify', platform: 'lark', channelId: STAFF_GROUP, cards: status.reply.cards!, keys: [`${ticket.id}/test`] });
    const posted = h.fake.postedIn(STAFF_GROUP).at(-1)!;
    expect(posted.content).not.toMatch(/@所有人|@_all|<at id=all/);
    expect(FakeLark.textOf(posted.content).replace(/\u200b/g, '')).toContain('@所有人 payments fail');
  });
});
