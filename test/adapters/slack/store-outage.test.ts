import { afterEach, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../../src/store/open.js';
import { flakyStore } from '../../helpers/flaky-store.js';
import { messageEvent } from '../../../testkit/slack-requests.js';
import { ACME, CUSTOMER, Harness } from './harness.js';

describe('when the store is unreachable', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
  });

  it('refuses the event (so Slack redelivers it) and takes the redelivery once the store is back', async () => {
    const store = flakyStore(openMemoryStore());
    h = await Harness.start({ store });
    const ts = h.ts();
    const event = messageEvent({ channel: ACME, user: CUSTOMER, text: 'Our API is down', ts });
    store.down = true;
    const refused = await h.slack.event(event, { eventId: 'Ev0OUTAGE1' });
    expect(refused.status).toBe(500);
    expect(h.fake.channel(ACME).thread(ts).messages()).toEqual([]);
    store.down = false;
    const redelivered = await h.slack.event(event, { eventId: 'Ev0OUTAGE1', retryNum: 1, retryReason: 'http_error' });
    expect(redelivered.status).toBe(200);
    await h.fake.channel(ACME).thread(ts).expectMessage(/Ticket #1 opened/);
    expect(await store.get(1)).toMatchObject({ threadId: ts });
  });

  it('loses the store in the middle of opening a ticket at any step, and the redelivery makes one ticket with one acknowledgement', async () => {
    // The store dies after 1, 2, 3 … calls of the first delivery (message lookup, channel lock, ticket id, message
    // index, ticket, acknowledgement lock, acknowledgement record …), until it lasts through the whole delivery.
    let refusedAt = 0;
    for (let calls = 1; ; calls++) {
      const store = flakyStore(openMemoryStore());
      h = await Harness.start({ store });
      const ts = h.ts();
      const event = messageEvent({ channel: ACME, user: CUSTOMER, text: 'Our API is down', ts });
      h.fake.seed(ACME, { ts, user: CUSTOMER, text: 'Our API is down' }); // in the channel, as in Slack
      store.downAfter(calls);
      const first = await h.slack.event(event, { eventId: 'Ev0HALFWAY' });
      if (first.status === 200) break;
      expect(first.status).toBe(500);
      refusedAt = calls;
      store.down = false;
      expect((await h.slack.event(event, { eventId: 'Ev0HALFWAY', retryNum: 1, retryReason: 'http_error' })).status).toBe(200);
      await h.fake.channel(ACME).thread(ts).expectMessage(/Ticket #\d+ opened/);
      const tickets: number[] = [];
      for await (const ticket of store.listAll()) tickets.push(ticket.id);
      expect(tickets, `store down after ${calls} calls`).toHaveLength(1);
      expect(await store.findByMessage('slack', ACME, ts)).toBe(tickets[0]);
      expect(h.fake.channel(ACME).thread(ts).messages(), `store down after ${calls} calls`).toHaveLength(1);
      expect((await store.get(tickets[0]!))?.ack?.status).toBe('posted');
      await h.stop();
      h = undefined;
    }
    expect(refusedAt).toBeGreaterThanOrEqual(10);
  });
});
