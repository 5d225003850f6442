/**
 * Staff cards and their buttons, through the real SDK: a breach pings the
 * staff group with exactly the on-call person, as an interactive card with
 * Claim / Waiting on customer / Resolve and a severity menu; a click arrives
 * over the long connection (card.action.trigger), changes the ticket, and
 * updates the card in place — in the callback's answer and by a patch. A
 * customer who clicks is refused with a toast only they see.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { FakeLark, type Json, type StoredMessage } from '../../../testkit/fake-lark.js';
import { ACME, ALICE, BOB, CONFIG, CUSTOMER, Harness, noTroubleIn, STAFF_GROUP } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  if (!h) return;
  await h.stop();
  noTroubleIn(h);
  h = undefined;
});

/** A ticket and the staff card that carries its buttons (its status, posted as a notification would be). */
async function ticketWithStaffCard(harness: Harness) {
  const { message } = await harness.fake.say(ACME, CUSTOMER, 'Reports are empty');
  await harness.settled();
  const id = (await harness.ticketOf(ACME, message.message_id))!.id;
  const status = await harness.app.desk.runCommand({ platform: 'lark', channelId: STAFF_GROUP, author: { userId: ALICE.openId }, text: `status ${id}` });
  const ref = await harness.connection.port.send({ type: 'notify', platform: 'lark', channelId: STAFF_GROUP, cards: status.reply.cards!, keys: [`${id}/test`] });
  return { message, id, cardId: ref!.messageId };
}

const cardOf = (message: StoredMessage): Json => JSON.parse(message.content) as Json;
const buttonsOf = (card: Json): Json[] => ((card.elements as Json[]).find((e) => e.tag === 'action')?.actions as Json[] | undefined) ?? [];

describe('a breach', () => {
  it('pings the staff group with exactly the on-call person, as a card with the ticket buttons', async () => {
    h = await Harness.start({ config: CONFIG.replace('default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d }', 'default: { firstResponse: 2s, nextResponse: 2h, resolution: 2d }').replace('warn: [schedule:primary]', 'warn: []') });
    const { message } = await h.fake.say(ACME, CUSTOMER, 'Checkout is down');
    const breach = await h.fake.expectPost(STAFF_GROUP, /first response BREACHED/, 8_000);
    const card = cardOf(breach);
    const mentions = JSON.stringify(card).match(/<at [^>]*>/g);
    expect(mentions).toEqual([`<at id=${ALICE.openId}>`]);
    expect(FakeLark.textOf(breach.content)).toContain('Checkout is down');
    expect(buttonsOf(card).map((b) => (b.value as Json).slawatch)).toEqual(['claim', 'wait', 'resolve', 'severity']);
    expect(h.fake.callsTo('POST', /^\/open-apis\/im\/v1\/messages$/).find((c) => c.body.receive_id === STAFF_GROUP)?.body.uuid).toMatch(/^[0-9a-f]{32}$/);
    // Nothing of the staff's reaches the customer's group but the acknowledgement.
    expect(h.fake.postedIn(ACME).map((m) => m.root_id)).toEqual([message.message_id]);
  });
});

describe('buttons on a staff card', () => {
  it('Claim claims the ticket and updates the card in place, in the answer and by a patch', async () => {
    h = await Harness.start();
    const { message, id, cardId } = await ticketWithStaffCard(h);
    const ack = await h.fake.click(cardId, BOB, { slawatch: 'claim', ticket: String(id) });
    expect(ack.code).toBe(200);
    const answer = ack.data as { toast: Json; card: { type: string; data: Json } };
    expect(answer.toast).toMatchObject({ type: 'success' });
    expect(String(answer.toast.content)).toMatch(/claimed by Bob/);
    expect(answer.card.type).toBe('raw');
    expect(FakeLark.textOf(answer.card.data)).toMatch(/Assignee\nBob/);
    const patch = await h.fake.waitFor(() => h!.fake.patches.find((p) => p.message_id === cardId), 'the card patch');
    expect(FakeLark.textOf(patch.card)).toMatch(/claimed by Bob/);
    expect(viewTicket((await h.ticketOf(ACME, message.message_id))!).assignee?.personId).toBe('bob');
  });

  it('Resolve resolves, tells the customer in the thread, and the updated card offers no Resolve', async () => {
    h = await Harness.start();
    const { message, id, cardId } = await ticketWithStaffCard(h);
    const ack = await h.fake.click(cardId, ALICE, { slawatch: 'resolve', ticket: String(id) });
    const answer = ack.data as { card: { data: Json } };
    expect(buttonsOf(answer.card.data).map((b) => (b.value as Json).slawatch)).not.toContain('resolve');
    await h.settled();
    expect(viewTicket((await h.ticketOf(ACME, message.message_id))!).state).toBe('resolved');
    expect(h.fake.repliesTo(message.message_id).map((m) => FakeLark.textOf(m.content)).join('\n')).toMatch(/resolved/i);
  });

  it('the severity menu changes the severity', async () => {
    h = await Harness.start();
    const { message, id, cardId } = await ticketWithStaffCard(h);
    const ack = await h.fake.click(cardId, ALICE, { slawatch: 'severity', ticket: String(id) }, 'low');
    expect(String((ack.data as { toast: Json }).toast.content)).toMatch(/severity changed to low/);
    expect(viewTicket((await h.ticketOf(ACME, message.message_id))!).severity).toBe('low');
  });

  it('a customer who clicks is refused with a toast, and nothing changes', async () => {
    h = await Harness.start();
    const { message, id, cardId } = await ticketWithStaffCard(h);
    const ack = await h.fake.click(cardId, CUSTOMER, { slawatch: 'claim', ticket: String(id) });
    expect(ack.data).toEqual({ toast: { type: 'warning', content: expect.stringMatching(/only the support team/) } });
    await h.settled();
    expect(h.fake.patches).toEqual([]);
    expect(viewTicket((await h.ticketOf(ACME, message.message_id))!).assignee).toBeUndefined();
  });

  it('the event\'s own tenant (the app\'s) never makes the one who clicked staff', async () => {
    h = await Harness.start();
    const { message, id, cardId } = await ticketWithStaffCard(h);
    const ack = await h.fake.click(cardId, { openId: 'ou_someone_unknown' }, { slawatch: 'claim', ticket: String(id) });
    expect((ack.data as { toast: Json }).toast.type).toBe('warning');
    expect(viewTicket((await h.ticketOf(ACME, message.message_id))!).assignee).toBeUndefined();
  });

  it('a redelivered click gets the same answer and is not run again', async () => {
    h = await Harness.start();
    const { id, cardId } = await ticketWithStaffCard(h);
    const first = await h.fake.click(cardId, BOB, { slawatch: 'claim', ticket: String(id) }, undefined, 'ev_click');
    const again = await h.fake.click(cardId, BOB, { slawatch: 'claim', ticket: String(id) }, undefined, 'ev_click');
    expect(again).toEqual(first);
    await h.settled();
    expect(h.fake.patches).toHaveLength(1);
  });

  it('a click on something that is not one of the ticket buttons is answered with nothing', async () => {
    h = await Harness.start();
    const { cardId } = await ticketWithStaffCard(h);
    expect(await h.fake.click(cardId, ALICE, { other: 'app' })).toEqual({ code: 200, data: {} });
  });
});

describe('the rating prompt', () => {
  it('comes as a card with 1–5 buttons in the thread on resolve; the customer’s click is a toast and a rating in the log', async () => {
    h = await Harness.start();
    const { message, id, cardId } = await ticketWithStaffCard(h);
    await h.fake.click(cardId, ALICE, { slawatch: 'resolve', ticket: String(id) });
    await h.settled();
    const prompt = h.fake.repliesTo(message.message_id).find((m) => /How did we do/.test(m.content));
    expect(prompt).toBeDefined();
    const buttons = buttonsOf(cardOf(prompt!));
    expect(buttons.map((b) => b.value)).toEqual([1, 2, 3, 4, 5].map((rating) => ({ slawatch: 'rate', ticket: String(id), rating: String(rating) })));
    const ack = await h.fake.click(prompt!.message_id, CUSTOMER, { slawatch: 'rate', ticket: String(id), rating: '4' });
    expect(ack.data).toEqual({ toast: { type: 'success', content: `Thanks — you rated #${id} 4 of 5.` } });
    await h.settled();
    expect(viewTicket((await h.ticketOf(ACME, message.message_id))!).rating?.value).toBe(4);
  });
});
