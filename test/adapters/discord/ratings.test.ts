/**
 * Satisfaction on Discord, through the real discord.js client against the
 * fake Discord: the rating prompt's 1–5 buttons in the ticket's thread, a
 * customer's click answered privately, and `/sla rate` with a comment; and
 * a customer writing again in a closed ticket's thread opens the ticket
 * that follows it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { customIds, messageText } from '../../helpers/fake-discord.js';
import { ackIn, IDS, startHarness, type Harness } from './harness.js';

const EPHEMERAL = 1 << 6;
const DEFERRED_REPLY = 5;

describe('rating a resolved ticket on Discord', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('the prompt carries 1–5 buttons; the customer’s click is answered privately and recorded; /sla rate changes it with a comment', async () => {
    h = await startHarness();
    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Invoices missing');
    const ack = await ackIn(h.fake, opener);
    await h.settle();
    const resolve = h.fake.click(h.rita, ack, 'slawatch:resolve:1');
    await h.fake.waitFor(() => resolve.followUps.length > 0 || resolve.edits.length > 0, 'the resolve answer');
    const prompt = (await h.fake.channel(ack.channel_id).expectMessage(/How did we do with #1/)).message;
    expect(customIds(prompt).filter((id) => id.startsWith('slawatch:rate:'))).toEqual(['slawatch:rate:1:1', 'slawatch:rate:1:2', 'slawatch:rate:1:3', 'slawatch:rate:1:4', 'slawatch:rate:1:5']);

    const click = h.fake.click(h.dana, prompt, 'slawatch:rate:1:2');
    await h.fake.waitFor(() => click.edits.length > 0, 'the private thanks');
    expect(click.callbacks[0]).toMatchObject({ type: DEFERRED_REPLY, status: 204 });
    expect(Number((click.callbacks[0]!.data ?? {}).flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(messageText(click.edits[0]!)).toMatch(/you rated #1 2 of 5/);
    // A rating of 2 pings the account engineer (bob) in the staff channel.
    await h.fake.channel(IDS.staffChannel).expectMessage(/#1 of Acme Corp was rated 2 of 5/);

    const rate = h.fake.slash(h.dana, ack.channel_id, 'rate', { rating: 5, comment: 'sorted in the end', ticket: 1 });
    await h.fake.waitFor(() => rate.callbacks.length > 0 && (rate.edits.length > 0 || rate.callbacks[0]!.type === 4), 'the command answer');
    await h.settle();
    const ticket = (await h.store.get(1))!;
    expect(viewTicket(ticket).rating).toMatchObject({ value: 5, comment: 'sorted in the end' });
    expect(viewTicket(ticket).state).toBe('resolved');
  });

  it('a customer writing in the thread of a closed ticket opens a new ticket there that follows it', async () => {
    h = await startHarness();
    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Webhooks stopped');
    await ackIn(h.fake, opener);
    await h.settle();
    const close = h.fake.slash(h.rita, opener.id, 'close', { ticket: 1 });
    await h.fake.waitFor(() => close.callbacks.length > 0, 'the close answer');
    await h.settle();
    h.fake.postMessage(opener.id, h.dana, 'They stopped again');
    const ack = await h.fake.channel(opener.id).expectMessage(/Ticket #2 opened/);
    expect(messageText(ack.message)).toMatch(/Follows\W+#1/);
    await h.settle();
    const second = (await h.store.get(2))!;
    expect(second.threadId).toBe(opener.id);
    expect(second.events[0]).toMatchObject({ type: 'opened', follows: 1, text: 'They stopped again' });
    expect(viewTicket((await h.store.get(1))!).state).toBe('closed');
  });
});
