/**
 * Customer text is data, never markup: whatever a customer types — special
 * mentions, user and group mentions, entities — every call the bot makes
 * and every answer it gives shows those characters escaped, and nothing
 * but `card.mentions` ever pings.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { messageChanged, messageEvent } from '../../../testkit/slack-requests.js';
import { ACME, ALICE, CONFIG, CUSTOMER, Harness, STAFF_CHANNEL } from './harness.js';

const FAST = (config: string) =>
  config
    .replace('targets: { default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d } }', 'targets: { default: { firstResponse: 1s, nextResponse: 2h, resolution: 2d } }')
    .replace('store: { backend: memory }', 'notifications: { coalesceWindow: 1s }\nstore: { backend: memory }');

/** How Slack delivers what the customer typed: `<!channel> <@U0BOSS> <!subteam^S0SUPPORT> <!here> <!everyone> R&D <b>` */
const HOSTILE = '<!channel> please <@U0BOSS> and <!subteam^S0SUPPORT|@support> look <!here|here> <!everyone> — R&amp;D says 1 &lt; 2 &gt; 0 <b>';
const SPECIAL = /<!channel>|<!here|<!everyone>|<@U0BOSS>|<!subteam\^S0SUPPORT\|/;

let h: Harness;
beforeEach(async () => {
  h = await Harness.start({ config: FAST(CONFIG) });
});
afterEach(async () => {
  await h.stop();
});

describe('customer text quoted by the bot', () => {
  it('is escaped in every call and every answer: no special mention can be injected', async () => {
    const ts = h.ts();
    await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, text: HOSTILE, ts }));
    const ticket = (await h.ticketOf(ACME, ts))!;
    // The core keeps what the customer typed, as plain text.
    expect(viewTicket(ticket).title).toBe('<!channel> please <@U0BOSS> and <!subteam^S0SUPPORT|@support> look <!here|here> <!everyone> — R&D says 1 < 2 > 0 <b>');

    // A breach quotes the text in the staff channel; /sla status and App Home show it too.
    const breach = await h.fake.channel(STAFF_CHANNEL).expectMessage(/BREACHED/, 4_000);
    const status = await h.slack.command({ user_id: ALICE, channel_id: STAFF_CHANNEL, text: `status ${ticket.id}`, response_url: h.fake.responseUrl() });
    await h.slack.command({ user_id: CUSTOMER, channel_id: ACME, text: `status ${ticket.id}`, response_url: h.fake.responseUrl() });
    await h.slack.command({ user_id: CUSTOMER, channel_id: ACME, text: '<!channel> <@U0BOSS>', response_url: h.fake.responseUrl() });

    // What was quoted is there, escaped once.
    expect(String(breach.text)).toContain('&lt;!channel&gt; please &lt;@U0BOSS&gt;');
    expect(JSON.stringify(breach.blocks)).toContain('&lt;!subteam^S0SUPPORT|@support&gt;');
    expect(JSON.stringify(breach.blocks)).toContain('R&amp;D says 1 &lt; 2 &gt; 0 &lt;b&gt;');
    expect(status.text).toContain('&lt;!everyone&gt;');

    const everything = [...h.fake.everythingSent(), status.text];
    for (const sent of everything) expect(sent).not.toMatch(SPECIAL);
    // The one legitimate group ping is the policy's, written by the renderer.
    expect(JSON.stringify(breach)).toContain('<!subteam^S0SUPPORT>');
    for (const call of h.fake.calls) expect(call.args).not.toHaveProperty('link_names');
  }, 10_000);

  it('an edited message is stored as plain text and quoted escaped', async () => {
    const ts = h.ts();
    await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, text: 'harmless', ts }));
    await h.slack.event(messageChanged({ channel: ACME, user: CUSTOMER, ts, text: '<!here> now &amp; then', previousText: 'harmless', editedTs: h.ts() }));
    const id = (await h.ticketOf(ACME, ts))!.id;
    const status = await h.slack.command({ user_id: ALICE, channel_id: STAFF_CHANNEL, text: `status ${id}`, response_url: h.fake.responseUrl() });
    expect(status.text).toContain('&lt;!here&gt; now &amp; then');
    expect(status.text).not.toMatch(SPECIAL);
  });
});
