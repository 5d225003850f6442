/**
 * Incidents in Slack, through the real Bolt app against the fake Slack:
 * `/sla incident …` for staff, notices in the affected customers' channels
 * (no pings, no buttons, staff text escaped), a resend that finds the
 * earlier notice in the channel history, and direct messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NOTIFICATION_EVENT_TYPE } from '../../../adapters/slack/port.js';
import type { Payload } from '../../../testkit/slack-requests.js';
import { ACME, ALICE, CUSTOMER, GLOBEX, Harness, STAFF_CHANNEL, noTroubleIn } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.stop();
  noTroubleIn(h);
});

async function sla(user: string, channel: string, text: string): Promise<Payload> {
  const response = await h.slack.command({ user_id: user, channel_id: channel, text, response_url: h.fake.responseUrl() });
  expect(response.status).toBe(200);
  return response.json();
}

describe('/sla incident in Slack', () => {
  it('staff open an incident: the answer is shown in the staff channel, the notice goes to the affected customer’s channel only', async () => {
    h = await Harness.start();
    const answer = await sla(ALICE, STAFF_CHANNEL, 'incident open Dashboard <!channel> *down* customer acme');
    expect(answer.response_type).toBe('in_channel');
    expect(String(answer.text)).toContain('Incident inc-1 opened');
    const notice = await h.fake.channel(ACME).expectMessage(/Incident: Dashboard/);
    // Staff text is shown, never pings or formats; a customer channel gets no buttons.
    expect(String(notice.text)).not.toContain('<!channel>');
    expect(String(notice.text)).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(notice.blocks)).not.toMatch(/"type":"actions"|<!channel>|<@U/);
    expect(notice.metadata).toEqual({ event_type: NOTIFICATION_EVENT_TYPE, event_payload: { key: 'incident:incident:inc-1/0/slack:C0ACME' } });
    await h.fake.channel(GLOBEX).expectNoMessage(/Incident/);
    expect(h.fake.channel(STAFF_CHANNEL).messages()).toEqual([]);
    await h.app.idle();
    const record = await h.store.incidents().get('incident', 'inc-1');
    expect(record?.notices['0/slack:C0ACME']).toMatchObject({ status: 'sent', ref: h.fake.stored(ACME)[0]?.ts });
  });

  it('a customer is refused, privately, and nothing is recorded', async () => {
    h = await Harness.start();
    const answer = await sla(CUSTOMER, ACME, 'incident open Everything is down');
    expect(answer.response_type).toBe('ephemeral');
    expect(String(answer.text)).toMatch(/only the support team/);
    expect(await h.store.incidents().get('incident', 'inc-1')).toBeUndefined();
  });

  it('a resent notice is found in the customer channel’s history by its key and not posted again', async () => {
    h = await Harness.start();
    const key = 'incident:incident:inc-7/0/slack:C0ACME';
    const earlier = h.fake.seed(ACME, { text: 'earlier notice', user: h.fake.botUserId, bot_id: h.fake.botId, metadata: { event_type: NOTIFICATION_EVENT_TYPE, event_payload: { key } } });
    const card = { tone: 'danger' as const, title: 'Incident: API errors', fields: [] };
    const port = h.connection.context.port;
    const ref = await port.send({ type: 'notice', platform: 'slack', channelId: ACME, cards: [card], keys: [key] }, { idempotencyKey: key, resend: true });
    expect(ref?.messageId).toBe(earlier.ts);
    expect(h.fake.channel(ACME).messages()).toEqual([]);
    await port.send({ type: 'notice', platform: 'slack', channelId: ACME, cards: [card], keys: ['incident:incident:inc-7/1/slack:C0ACME'] }, { resend: true });
    expect(h.fake.channel(ACME).messages()).toHaveLength(1);
  });

  it('a direct message goes to the person’s Slack id; a person without one gets none', async () => {
    h = await Harness.start();
    const port = h.connection.context.port;
    const card = { tone: 'info' as const, title: 'Availability 2026-02: Acme Corp', fields: [{ label: 'Availability', value: '99.95%' }] };
    const ref = await port.send({ type: 'dm', platform: 'slack', channelId: 'dm:alice', person: 'alice', card });
    expect(ref).toBeDefined();
    const posts = h.fake.callsTo('chat.postMessage');
    expect(posts.map((c) => c.args.channel)).toEqual([ALICE]);
    expect(String(posts[0]?.args.text)).toContain('Availability 2026-02: Acme Corp');
    expect(await port.send({ type: 'dm', platform: 'slack', channelId: 'dm:nobody', person: 'nobody', card })).toBeUndefined();
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
    h.logs.length = 0;
  });
});
