/**
 * After downtime, each bound group is read from its cursor (im/v1/messages):
 * a top-level message posted meanwhile opens its ticket, a reply in a live
 * ticket's thread joins it, an edit of a ticket's message is recorded, and a
 * command said meanwhile is not taken for a question. Reading it all again
 * changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { FakeLark } from '../../../testkit/fake-lark.js';
import { ACME, ALICE, CUSTOMER, GLOBEX, Harness, noTroubleIn } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  if (!h) return;
  await h.stop();
  noTroubleIn(h);
  h = undefined;
});

const GLOBEX_ED = { openId: 'ou_globex_ed', tenantKey: 'tenant_globex' };

describe('catching up after downtime', () => {
  it('feeds what the groups said while the bot was away, in order, once', async () => {
    h = await Harness.start();
    const { message: opening } = await h.fake.say(ACME, CUSTOMER, 'Exports fail');
    await h.settled();
    let reply = '';
    let fresh = '';
    h = await h.restart(() => {
      reply = h!.fake.seed(ACME, CUSTOMER, 'Still failing this morning', { rootId: opening.message_id }).message_id;
      h!.fake.seed(ACME, ALICE, 'Fixed, please retry', { rootId: opening.message_id });
      fresh = h!.fake.seed(GLOBEX, GLOBEX_ED, 'Our SSO is broken').message_id;
      h!.fake.seed(GLOBEX, GLOBEX_ED, '@_user_1 status 1', { mentions: [{ key: '@_user_1', openId: h!.fake.botOpenId, name: 'slawatch' }] });
      h!.fake.edit(opening.message_id, 'Exports fail since the upgrade');
    });
    expect(h.connection.reconciled).toMatchObject({ channels: 2, failed: [] });
    await h.settled();

    const first = (await h.ticketOf(ACME, opening.message_id))!;
    expect(first.events.map((e) => e.type)).toEqual(['opened', 'customer_message', 'staff_reply', 'message_edited']);
    expect(first.events[1]).toMatchObject({ messageId: reply });
    expect(viewTicket(first).title).toBe('Exports fail since the upgrade');
    const second = (await h.ticketOf(GLOBEX, fresh))!;
    // The command said meanwhile is neither a ticket nor part of one.
    expect(second.events).toEqual([expect.objectContaining({ type: 'opened', text: 'Our SSO is broken' })]);
    expect(h.fake.repliesTo(fresh)).toHaveLength(1);
    expect(await h.ticketCount()).toBe(2);

    // Once more, with nothing new: nothing changes.
    const version = first.version;
    h = await h.restart();
    await h.settled();
    expect((await h.ticketOf(ACME, opening.message_id))!.version).toBe(version);
    expect(await h.ticketCount()).toBe(2);
    expect(h.fake.repliesTo(fresh)).toHaveLength(1);
  });

  it('a group read for the first time starts at its newest message: older history opens nothing', async () => {
    const fake = await FakeLark.start({ tenantKey: 'tenant_ours' });
    fake.seed(ACME, CUSTOMER, 'An old question from last year');
    h = await Harness.start({ fake });
    await h.settled();
    expect(await h.ticketCount()).toBe(0);
    expect(h.logs.some((l) => /first start in this channel/.test(l.message))).toBe(true);
  });
});
