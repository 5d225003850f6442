import { afterEach, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../../src/store/open.js';
import { flakyStore } from '../../helpers/flaky-store.js';
import { messageEvent } from '../../helpers/slack-requests.js';
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
});
