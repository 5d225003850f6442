/**
 * The renderers' own words — buttons, the severity menu, links, App Home —
 * are in the card's language, and a customer's text inside a translated
 * sentence is escaped for each platform exactly as in English: no ping, no
 * markup can form.
 */
import type { Client } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { ChannelMap } from '../../adapters/discord/channel-map.js';
import { DiscordRenderer } from '../../adapters/discord/render.js';
import { renderCards as renderLark } from '../../adapters/lark/render.js';
import { renderCards as renderSlack, renderHome, renderHomeForCustomer } from '../../adapters/slack/render.js';
import { parseConfig } from '../../src/config/load.js';
import { voiceIn } from '../../src/i18n/index.js';
import type { Card } from '../../src/service/messages.js';

const config = parseConfig(
  `
people:
  alice: { name: Alice, slack: U0ALICE, discord: "100000000000000001" }
staff: { people: [alice] }
tiers: { enterprise: {} }
`,
  'test config',
);

/** A staff card in Chinese whose customer text tries every platform's pings and markup. */
const HOSTILE = '<!channel> @everyone <@&1> <at id=all></at> *bold* [x](https://evil.test)';
const card: Card = {
  tone: 'danger',
  locale: 'zh-CN',
  title: voiceIn('zh-CN').t('notice.opened.title', { title: HOSTILE }),
  fields: [{ label: voiceIn('zh-CN').t('field.customer'), value: HOSTILE }],
  quote: HOSTILE,
  actions: { ticketId: 7, offer: ['claim', 'wait', 'resolve', 'severity'], severity: 'high' },
};

describe('Slack', () => {
  const rendered = renderSlack([card], { config, withActions: true });
  const blocks = JSON.stringify(rendered.blocks);

  it('buttons and the severity menu in the card’s language', () => {
    expect(blocks).toContain('"text":"认领"');
    expect(blocks).toContain('"text":"等待客户回复"');
    expect(blocks).toContain('"text":"严重程度"');
    expect(blocks).toContain('"text":"高"');
    // The values stay the ones the action handler reads.
    expect(blocks).toContain('"value":"7:high"');
  });

  it('the customer’s text inside the Chinese title is escaped as in English', () => {
    expect(rendered.text).toContain('事件：&lt;!channel&gt; @everyone &lt;@&amp;1&gt;');
    expect(`${rendered.text}${blocks}`).not.toMatch(/<!channel>|<@&1>/);
  });

  it('App Home in the viewer’s language', () => {
    const home = JSON.stringify(renderHome([], Date.UTC(2026, 10, 27, 9, 30), voiceIn('zh-CN')));
    expect(home).toContain('支持队列');
    expect(home).toContain('0 个未关闭的工单，最紧急的在前 · 更新于 2026-11-27 09:30 UTC');
    expect(JSON.stringify(renderHomeForCustomer(voiceIn('zh-CN')))).toContain('`/sla 状态 &lt;工单&gt;`');
  });
});

describe('Discord', () => {
  const renderer = new DiscordRenderer(config, new ChannelMap(config, {} as Client));

  it('buttons, the compact buttons and the severity menu in the card’s language', () => {
    const full = JSON.stringify(renderer.rows(card, 'full'));
    expect(full).toContain('"label":"认领"');
    expect(full).toContain('"placeholder":"更改严重程度"');
    expect(full).toContain('"label":"严重程度：紧急"');
    expect(JSON.stringify(renderer.rows(card, 'compact'))).toContain('"label":"等待 #7"');
  });

  it('the customer’s text inside the Chinese title is escaped as in English', () => {
    const message = renderer.threadMessage(card);
    expect(message.content).toContain('@\u200beveryone');
    expect(message.allowedMentions).toEqual({ parse: [], users: [], roles: [] });
    expect(JSON.stringify(message)).not.toMatch(/@everyone|<@&1>/);
  });

  it('a status change in one language updates a message posted in another', () => {
    const posted = { embeds: [renderer.embed({ ...card, locale: 'en', title: '#7 first response BREACHED', fields: [{ label: 'Assignee', value: 'nobody' }] })], components: renderer.rows({ ...card, locale: 'en' }, 'full') };
    const status: Card = { ...card, title: '工单 #7 — Acme', fields: [{ label: '负责人', value: 'Wei' }] };
    const next = renderer.afterAction(posted, 7, status);
    expect(next.embeds[0]?.fields).toEqual([{ name: '负责人', value: 'Wei', inline: true }]);
  });
});

describe('Feishu/Lark', () => {
  it('buttons and the severity menu in the card’s language; the customer’s text is neutralised as in English', () => {
    const rendered = JSON.stringify(renderLark([card], { config, withActions: true }));
    expect(rendered).toContain('"content":"认领"');
    expect(rendered).toContain('"content":"解决"');
    expect(rendered).toContain('"content":"严重程度"');
    expect(rendered).not.toContain('<at id=all>');
    expect(rendered).toContain('<\u200bat id=all>');
  });
});
