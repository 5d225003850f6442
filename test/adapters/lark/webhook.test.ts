/**
 * Webhook mode: Feishu POSTs encrypted, signed events to /lark/events. The
 * URL check is answered with its challenge; a message event opens a ticket
 * (its redelivery changes nothing); a card callback is answered with the
 * updated card; and a request that is unsigned, wrongly signed, carries the
 * wrong verification token or is not encrypted is refused before any
 * handler sees it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { LarkRequests } from '../../../testkit/lark-requests.js';
import { ACME, ALICE, BOB, CUSTOMER, Harness, noTroubleIn, STAFF_GROUP } from './harness.js';

const ENCRYPT_KEY = 'webhookEncryptKey0123456789';
const VERIFICATION_TOKEN = 'v-webhook-token-abc';

let h: Harness;
let lark: LarkRequests;
beforeEach(async () => {
  h = await Harness.start({ env: { LARK_MODE: 'webhook', LARK_ENCRYPT_KEY: ENCRYPT_KEY, LARK_VERIFICATION_TOKEN: VERIFICATION_TOKEN, PORT: '0', HOST: '127.0.0.1' } });
  lark = new LarkRequests(`http://127.0.0.1:${h.connection.address()!.port}/lark/events`, ENCRYPT_KEY);
});
afterEach(async () => {
  await h.stop();
  noTroubleIn(h);
});

/** The fake's event, with the verification token webhook events carry. */
function withToken(event: Record<string, unknown>, token = VERIFICATION_TOKEN) {
  return { ...event, header: { ...(event.header as object), token } };
}

describe('webhook mode', () => {
  it('answers the URL check with its challenge', async () => {
    expect(await lark.send({ challenge: 'ch-123', token: VERIFICATION_TOKEN, type: 'url_verification' }, { unsigned: true })).toEqual({ status: 200, body: { challenge: 'ch-123' } });
    expect((await lark.send({ challenge: 'ch-123', token: 'v-wrong', type: 'url_verification' }, { unsigned: true })).status).toBe(401);
  });

  it('opens a ticket from a signed event, and a redelivery changes nothing', async () => {
    const { message, event } = await h.fake.say(ACME, CUSTOMER, 'Webhooks are late', { deliver: false });
    expect((await lark.send(withToken(event))).status).toBe(200);
    await h.fake.waitFor(() => h.fake.repliesTo(message.message_id)[0], 'the acknowledgement');
    expect((await lark.send(withToken(event))).status).toBe(200);
    await h.settled();
    expect(await h.ticketCount()).toBe(1);
    expect(h.fake.repliesTo(message.message_id)).toHaveLength(1);
  });

  it('answers a card callback with the updated card', async () => {
    const { message, event } = await h.fake.say(ACME, CUSTOMER, 'Dashboards blank', { deliver: false });
    await lark.send(withToken(event));
    await h.settled();
    const id = (await h.ticketOf(ACME, message.message_id))!.id;
    const status = await h.app.desk.runCommand({ platform: 'lark', channelId: STAFF_GROUP, author: { userId: ALICE.openId }, text: `status ${id}` });
    const ref = await h.connection.port.send({ type: 'notify', platform: 'lark', channelId: STAFF_GROUP, cards: status.reply.cards!, keys: [`${id}/test`] });
    const click = {
      schema: '2.0',
      header: { event_id: 'ev_click_1', event_type: 'card.action.trigger', create_time: String(Date.now()), token: VERIFICATION_TOKEN, app_id: h.fake.appId, tenant_key: h.fake.tenantKey },
      event: { operator: { open_id: BOB.openId, tenant_key: BOB.tenantKey }, action: { tag: 'button', value: { slawatch: 'claim', ticket: String(id) } }, context: { open_message_id: ref!.messageId, open_chat_id: STAFF_GROUP } },
    };
    const answer = await lark.send(click);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ toast: { type: 'success' }, card: { type: 'raw' } });
    expect(viewTicket((await h.store.get(id))!).assignee?.personId).toBe('bob');
  });

  it('refuses what Feishu did not send, before any handler sees it', async () => {
    const { event } = await h.fake.say(ACME, CUSTOMER, 'Forged', { deliver: false });
    expect((await lark.send(withToken(event), { signature: 'deadbeef' })).status).toBe(401);
    expect((await lark.send(withToken(event), { unsigned: true })).status).toBe(401);
    expect((await lark.send(withToken(event, 'v-wrong'))).status).toBe(401);
    expect((await lark.send(withToken(event), { raw: JSON.stringify(withToken(event)) })).status).toBe(401);
    expect((await lark.send(withToken(event), { raw: 'not json' })).status).toBe(400);
    expect((await lark.send(withToken(event), { raw: 'null' })).status).toBe(400);
    expect((await lark.send(withToken(event), { raw: JSON.stringify({ encrypt: 'garbage' }) })).status).toBe(401);
    await h.settled();
    expect(await h.ticketCount()).toBe(0);
    expect(h.logs.filter((l) => /refused a webhook request/.test(l.message))).toHaveLength(7);
  });
});
