/**
 * Rendering and Slack's text conventions, without a network: mentions only
 * from card.mentions, every user string escaped, Block Kit limits kept, and
 * exact timestamp conversions.
 */
import { describe, expect, it } from 'vitest';
import { mentionGroup, mentionPerson, renderCards, renderHome } from '../../../adapters/slack/render.js';
import { compareTs, escapeSlack, escapeWithin, msToTs, slackToPlain, tsToMs } from '../../../adapters/slack/text.js';
import type { Card } from '../../../src/service/messages.js';
import { voiceIn } from '../../../src/i18n/index.js';

const config = { people: { alice: { name: 'Alice', slack: 'U0ALICE' }, eve: { name: '<!channel> Eve & co', slack: '<!here>' }, nina: { name: 'Nina' } } };

describe('mentions', () => {
  it('pings people by their Slack id, and names (escaped) those without a valid one', () => {
    expect(mentionPerson(config, 'alice')).toBe('<@U0ALICE>');
    expect(mentionPerson(config, 'nina')).toBe('@Nina');
    expect(mentionPerson(config, 'eve')).toBe('@&lt;!channel&gt; Eve &amp; co');
  });

  it('pings Slack user groups only', () => {
    expect(mentionGroup('S0SUPPORT')).toBe('<!subteam^S0SUPPORT>');
    expect(mentionGroup('300000000000000001')).toBeUndefined();
    expect(mentionGroup('S0X><!channel')).toBeUndefined();
  });
});

describe('cards', () => {
  const hostile = '<!everyone> & <@U0BOSS>';
  const card: Card = {
    tone: 'danger',
    title: `#1 ${hostile}`,
    fields: [{ label: hostile, value: hostile }],
    quote: `line one ${hostile}\n> line two`,
    body: hostile,
    footer: hostile,
    mentions: { people: ['alice'], groups: ['S0SUPPORT'] },
    link: { platform: 'slack', channelId: 'C1', threadId: '1.000001' },
    actions: { ticketId: 1, offer: ['claim', 'wait', 'resolve', 'severity'], severity: 'high' },
  };

  it('escape every string; the only pings are the mentions', () => {
    const message = renderCards([card], { config, withActions: true, permalinks: new Map([['C1:1.000001', 'https://x.slack.com/archives/C1/p1000001?thread_ts=1&cid=C1']]) });
    const all = JSON.stringify(message);
    expect(all).not.toMatch(/<!everyone>|<@U0BOSS>/);
    expect(message.text.startsWith('<@U0ALICE> <!subteam^S0SUPPORT> ')).toBe(true);
    expect(all).toContain('&lt;!everyone&gt; &amp; &lt;@U0BOSS&gt;');
    // Quoted customer text cannot end the quote and start its own markup.
    expect(all).toContain('>line one &lt;!everyone&gt; &amp; &lt;@U0BOSS&gt;\\n>&gt; line two');
    expect(all).toContain('<https://x.slack.com/archives/C1/p1000001?thread_ts=1&amp;cid=C1|View the thread>');
  });

  it('drop a permalink that could break out of its link', () => {
    const message = renderCards([card], { config, withActions: false, permalinks: new Map([['C1:1.000001', 'https://evil|<!channel>']]) });
    expect(JSON.stringify(message)).not.toContain('evil');
    expect(JSON.stringify(message)).not.toContain('"actions"');
  });

  it('keep long text within Block Kit limits and never split an entity', () => {
    const long: Card = { tone: 'info', title: 'x', fields: [], quote: '&'.repeat(5_000) };
    const [, quote] = renderCards([long], { config, withActions: false }).blocks as { text: { text: string } }[];
    expect(quote!.text.text.length).toBeLessThanOrEqual(602);
    expect(quote!.text.text).toMatch(/^>(&amp;)+…$/);
  });
});

describe('App Home', () => {
  it('fits a long queue into 100 blocks', () => {
    const rows = Array.from({ length: 150 }, (_, i) => ({ ticketId: i, line: `#${i}  Acme · enterprise · normal · 1h left · unclaimed` }));
    const view = renderHome(rows, Date.UTC(2026, 10, 27, 9, 30), voiceIn('en'));
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(view)).toMatch(/and \d+ more/);
    expect(JSON.stringify(view)).toContain('updated 2026-11-27 09:30 UTC');
  });
});

describe('Slack text conventions', () => {
  it('converts timestamps exactly', () => {
    expect(tsToMs('1712345678.123456')).toBe(1712345678123);
    expect(tsToMs('1712345678')).toBe(1712345678000);
    expect(msToTs(1712345678123)).toBe('1712345678.123000');
    expect(compareTs('1712345678.000010', '1712345678.000009')).toBeGreaterThan(0);
    expect(compareTs('1712345677.999999', '1712345678.000000')).toBeLessThan(0);
    expect(() => tsToMs('soon')).toThrow();
  });

  it('unescapes Slack text once and escapes it once', () => {
    const fromSlack = 'a &amp;lt; b &lt;!here&gt; &amp; c';
    const plain = slackToPlain(fromSlack);
    expect(plain).toBe('a &lt; b <!here> & c');
    expect(escapeSlack(plain)).toBe(fromSlack);
    expect(escapeWithin('<<<<', 9)).toBe('&lt;&lt;…');
  });
});
