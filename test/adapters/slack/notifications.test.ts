/**
 * Warnings, breaches and escalations reach the staff channel — never the
 * customer's — as Block Kit with a plain-text fallback, pinging the right
 * people, linking to the thread, offering the buttons, and carrying their
 * idempotency key so a resend after a crash finds the earlier post.
 * Targets here are seconds long so the real clock runs the ladder.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NOTIFICATION_EVENT_TYPE } from '../../../adapters/slack/port.js';
import type { Card } from '../../../src/service/messages.js';
import { messageEvent } from '../../../testkit/slack-requests.js';
import { ACME, ALICE, BOB, CUSTOMER, CUSTOMER_TEAM, Harness, STAFF_CHANNEL, noTroubleIn } from './harness.js';

const FAST = `
people:
  alice: { name: Alice, slack: ${ALICE} }
  bob: { name: Bob, slack: ${BOB} }
  nina: { name: Nina }
staff:
  people: [alice, bob, nina]
  slackGroups: [S0SUPPORT]
  channels: { slack: ${STAFF_CHANNEL} }
  dm: true
customers:
  - { id: acme, name: Acme Corp, tier: fast, channels: { slack: [${ACME}] } }
tiers:
  fast:
    calendar: 24x7
    targets: { default: { firstResponse: 2s, nextResponse: 1h, resolution: 1d } }
schedules:
  primary:
    timezone: UTC
    layers: [{ users: [alice], rotation: { every: 1w, start: "2026-01-05" } }]
escalation:
  warnAt: [0.5]
  policies:
    default:
      warn: [schedule:primary]
      levels: [{ notify: [schedule:primary, group:S0SUPPORT, person:bob, person:nina], delay: 30m }]
notifications: { coalesceWindow: 1s }
store: { backend: memory }
`;

let h: Harness;
afterEach(async () => {
  await h.stop();
  noTroubleIn(h);
});

describe('the escalation ladder in Slack', () => {
  it('warns the on-call person, then pings everyone at the breach, in the staff channel only', async () => {
    h = await Harness.start({ config: FAST });
    const ts = h.ts();
    await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, user_team: CUSTOMER_TEAM, text: 'Checkout is failing for every order', ts }));
    const staff = h.fake.channel(STAFF_CHANNEL);

    const warning = await staff.expectMessage(/first response due soon/, 4_000);
    expect(String(warning.text)).toMatch(/^<@U0ALICE> ⚠ #1 first response due soon/);
    expect(String(warning.text)).not.toContain('<@U0BOB>');
    // A link to the customer's thread, from chat.getPermalink.
    expect(String(warning.text)).toContain(`<https://fake.slack.test/archives/${ACME}/p${ts.replace('.', '')}|open thread>`);
    expect(h.fake.callsTo('chat.getPermalink')[0]?.args).toMatchObject({ channel: ACME, message_ts: ts });
    expect(warning.metadata).toEqual({ event_type: NOTIFICATION_EVENT_TYPE, event_payload: { key: expect.stringMatching(/^1\//) } });
    expect(JSON.stringify(warning.blocks)).toContain('slawatch_claim');

    const breach = await staff.expectMessage(/BREACHED/, 5_000);
    const text = String(breach.text);
    expect(text).toContain('<@U0ALICE>');
    expect(text).toContain('<@U0BOB>');
    expect(text).toContain('<!subteam^S0SUPPORT>');
    // Nina has no Slack id: named, not pinged.
    expect(text).toContain('@Nina');
    expect(JSON.stringify(breach.blocks)).toContain('<!subteam^S0SUPPORT>');
    for (const message of h.fake.callsTo('chat.postMessage')) expect(message.args).not.toHaveProperty('link_names');

    // The customer's channel got the acknowledgement and nothing else.
    const inCustomerChannel = h.fake.channel(ACME).messages();
    expect(inCustomerChannel).toHaveLength(1);
    expect(JSON.stringify(inCustomerChannel)).not.toMatch(/<@|<!/);

    // staff.dm: each pinged person with a Slack id also gets a DM.
    const dms = await h.fake.waitFor(() => {
      const found = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === ALICE || c.args.channel === BOB);
      return found.length >= 3 ? found : undefined;
    }, 'DMs to Alice (warning, breach) and Bob (breach)');
    expect(dms.map((c) => String(c.args.text))).toEqual(expect.arrayContaining([expect.stringContaining(`You were pinged in <#${STAFF_CHANNEL}>`)]));
  }, 15_000);

  it('a staff reply before the deadline stops the ladder', async () => {
    h = await Harness.start({ config: FAST });
    const ts = h.ts();
    await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, text: 'Search is down', ts }));
    await h.fake.channel(STAFF_CHANNEL).expectMessage(/due soon/, 4_000);
    await h.slack.event(messageEvent({ channel: ACME, user: BOB, text: 'Found it, fixing', ts: h.ts(), thread_ts: ts }));
    // The breach would have come 2 s after the message.
    await h.fake.channel(STAFF_CHANNEL).expectNoMessage(/BREACHED/, 1_600);
  }, 15_000);
});

describe('the staff-channel port', () => {
  const card = (id: number): Card => ({ tone: 'danger', title: `#${id} first response BREACHED`, fields: [{ label: 'Customer', value: 'Acme Corp' }], mentions: { people: ['alice'], groups: [] }, actions: { ticketId: id, offer: ['claim'] } });

  it('a resend finds the earlier post by its idempotency key in the channel history and does not post again', async () => {
    h = await Harness.start();
    const earlier = h.fake.seed(STAFF_CHANNEL, { text: 'earlier ping', user: h.fake.botUserId, bot_id: h.fake.botId, metadata: { event_type: NOTIFICATION_EVENT_TYPE, event_payload: { key: '7/fr:breach' } } });
    const port = h.connection.context.port;

    const ref = await port.send({ type: 'notify', platform: 'slack', channelId: STAFF_CHANNEL, cards: [card(7)], keys: ['7/fr:breach'] }, { idempotencyKey: '7/fr:breach', resend: true });
    expect(ref?.messageId).toBe(earlier.ts);
    expect(h.fake.callsTo('conversations.history').some((c) => c.args.channel === STAFF_CHANNEL && c.args.include_all_metadata === 'true')).toBe(true);
    expect(h.fake.channel(STAFF_CHANNEL).messages()).toEqual([]);

    // A different key was never sent: it is posted.
    await port.send({ type: 'notify', platform: 'slack', channelId: STAFF_CHANNEL, cards: [card(8)], keys: ['8/fr:breach'] }, { idempotencyKey: '8/fr:breach', resend: true });
    expect(h.fake.channel(STAFF_CHANNEL).messages()).toHaveLength(1);
  });

  it('a resend coalesced differently from the first attempt posts only the keys no earlier post carries', async () => {
    h = await Harness.start();
    // The first attempt went out coalesced with another ticket's ping.
    h.fake.seed(STAFF_CHANNEL, { text: 'earlier pings', user: h.fake.botUserId, bot_id: h.fake.botId, metadata: { event_type: NOTIFICATION_EVENT_TYPE, event_payload: { key: '6/fr:breach|7/fr:breach' } } });
    const port = h.connection.context.port;

    await port.send({ type: 'notify', platform: 'slack', channelId: STAFF_CHANNEL, cards: [card(7)], keys: ['7/fr:breach'] }, { idempotencyKey: '7/fr:breach', resend: true });
    expect(h.fake.channel(STAFF_CHANNEL).messages()).toEqual([]);

    await port.send({ type: 'notify', platform: 'slack', channelId: STAFF_CHANNEL, cards: [card(7), card(9)], keys: ['7/fr:breach', '9/fr:breach'] }, { idempotencyKey: '7/fr:breach|9/fr:breach', resend: true });
    const [posted] = h.fake.channel(STAFF_CHANNEL).messages();
    expect(h.fake.channel(STAFF_CHANNEL).messages()).toHaveLength(1);
    expect(posted?.metadata).toEqual({ event_type: NOTIFICATION_EVENT_TYPE, event_payload: { key: '9/fr:breach' } });
    expect(JSON.stringify(posted?.blocks)).toContain('#9 first response');
    expect(JSON.stringify(posted?.blocks)).not.toContain('#7 first response');
  });

  it('refuses to put a staff notification or an announcement into a customer channel (the service\'s rule, on the way to the port)', async () => {
    h = await Harness.start();
    h.app.outbox.enqueue({ platform: 'slack', channelId: ACME, card: card(3), key: '3/x' });
    await h.app.flush();
    await h.app.post([{ type: 'post', platform: 'slack', channelId: ACME, card: card(4) }]);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(h.logs.some((l) => l.level === 'error' && /customer channel/.test(l.message))).toBe(true);
    h.logs.length = 0; // that error was the point
  });

  it('a storm of pings coalesced into one message stays within Slack\'s 50 blocks', async () => {
    h = await Harness.start();
    const cards = Array.from({ length: 25 }, (_, i) => card(i + 1));
    await h.connection.context.port.send({ type: 'notify', platform: 'slack', channelId: STAFF_CHANNEL, cards, keys: cards.map((_, i) => `${i + 1}/x`) });
    const [message] = h.fake.channel(STAFF_CHANNEL).messages();
    expect((message?.blocks as unknown[]).length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(message?.blocks)).toMatch(/and \d+ more/);
    expect(String(message?.text).split('\n')).toHaveLength(25);
  });
});
