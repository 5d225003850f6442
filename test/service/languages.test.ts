/**
 * Who reads what, in which language and zone: what goes into a customer's
 * channel is in the customer's; what goes to the staff channel, in staff's;
 * what is addressed to one person, in theirs; a command's answer in the
 * asker's. Through the desk, like a platform sees it.
 */
import { describe, expect, it } from 'vitest';
import { monthStatement } from '../../src/availability/statement.js';
import { allCustomerTerms } from '../../src/availability/terms.js';
import { parseConfig } from '../../src/config/load.js';
import { weeklyFigures } from '../../src/report/digest.js';
import { handoffCard, statementMessages } from '../../src/service/announcements.js';
import { digestCard } from '../../src/service/digest-card.js';
import { askerReader, customerReader, personReader, staffReader } from '../../src/service/readers.js';
import { cardToLine } from '../../src/service/render-text.js';
import { harness, T0 } from '../helpers/app-harness.js';

const CONFIG = `
people:
  alice: { name: Alice }
  wei: { name: Wei, locale: zh-CN, timezone: Asia/Shanghai }
  bob: { name: Bob, timezone: America/New_York }
staff:
  people: [alice, wei, bob]
  channels: { shell: staff }
  timezone: Europe/Berlin
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] }, locale: zh-CN, timezone: Asia/Shanghai, accountEngineer: wei }
  - { id: globex, name: Globex, tier: enterprise, channels: { shell: [globex] }, accountEngineer: alice }
tiers:
  enterprise: { targets: { default: { firstResponse: 1h } }, availability: { target: 99.9 } }
schedules:
  primary:
    timezone: UTC
    layers: [{ users: [alice, wei], rotation: { every: 1d, handoff: "09:00", start: "2026-03-01" } }]
`;

describe('who reads what', () => {
  const config = parseConfig(CONFIG, 'test config');

  it('customers, staff and people each have their language and zone; an asker reads in theirs, else in the channel’s', () => {
    expect(customerReader(config, 'acme')).toEqual({ locale: 'zh-CN', timezone: 'Asia/Shanghai' });
    expect(customerReader(config, 'globex')).toEqual({ locale: 'en', timezone: undefined });
    expect(staffReader(config)).toEqual({ locale: 'en', timezone: 'Europe/Berlin' });
    expect(personReader(config, 'wei')).toEqual({ locale: 'zh-CN', timezone: 'Asia/Shanghai' });
    // A person without a language of their own reads staff's, in their own zone.
    expect(personReader(config, 'bob')).toEqual({ locale: 'en', timezone: 'America/New_York' });
    expect(askerReader(config, 'shell', { userId: 'wei', personId: 'wei' }, 'globex')).toEqual(personReader(config, 'wei'));
    expect(askerReader(config, 'shell', { userId: 'dana' }, 'acme')).toEqual(customerReader(config, 'acme'));
    expect(askerReader(config, 'shell', { userId: 'dana' }, 'staff')).toEqual(staffReader(config));
  });

  it('a locale without a catalogue is a config error that names the path', () => {
    expect(() => parseConfig(CONFIG.replace('locale: zh-CN, timezone: Asia/Shanghai, accountEngineer', 'locale: fr, timezone: Asia/Shanghai, accountEngineer'), 'test config')).toThrow(
      /customers\[0\]\.locale: no messages in "fr" \(locales: en, zh-CN\)/,
    );
  });
});

describe('through the desk', () => {
  it('the acknowledgement is the customer’s; the answer to a command the asker’s; a state change in the thread the customer’s', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', '请问如何导出发票？');
    await h.say('globex', 'erin', 'How do I export invoices?');
    // T0 is 10:00 UTC: 18:00 in Shanghai; due an hour later.
    expect(h.port.lines('acme')).toEqual([
      '工单 #1 已创建：Acme Corp · 服务等级：企业版 · 严重程度：低（推测） · 首次响应截止：3月2日周一 中国标准时间 19:00（1小时后） · 谢谢！支持团队已收到您的请求。在此对话串中的回复都会加入工单。',
    ]);
    expect(h.port.lines('globex')[0]).toMatch(/^Ticket #2 opened for Globex · Tier: enterprise · Severity: low \(guessed\) · First response due: Mon 2 Mar 11:00 UTC \(in 1 hour\) · Thanks/);

    // Bob asks in English and reads New York time; Wei asks in Chinese words and reads Chinese.
    expect((await h.command('staff', 'bob', 'oncall primary')).reply.text).toBe('primary: Wei until Tue 3 Mar 04:00 EST, then Alice');
    expect((await h.command('staff', 'wei', '值班 primary')).reply.text).toBe('primary：Wei 值班至 3月3日周二 中国标准时间 17:00，之后是 Alice');
    expect((await h.command('acme', 'dana', '认领 1')).reply.text).toBe('抱歉——只有支持团队可以更改工单。我们已收到您的请求，会在这里回复您。');
    expect((await h.command('staff', 'wei', '级别 紧急 1')).reply.text).toBe('{by} 已将工单 #1 的严重程度改为紧急。'.replace('{by}', 'Wei'));

    // Alice (English) resolves: she reads English, the customer's thread hears it in Chinese.
    const resolved = await h.command('staff', 'alice', 'resolve 1');
    expect(resolved.reply.text).toBe('Ticket #1 resolved by Alice.');
    expect(h.port.lines('acme').at(-1)).toBe('✓ 工单 #1 已由 Alice 解决。 · 我们处理 #1 的表现如何？请从 1（差）到 5（优秀）评分；评分在一天内可以修改。');
    await h.app.stop();
  });

  it('incident notices are in each customer’s language and zone; staff read the command’s answer in theirs', async () => {
    const h = await harness(CONFIG);
    const opened = await h.command('staff', 'wei', '事件 开启 "API 报错" 全部');
    expect(opened.reply.text).toBe('事件 inc-1 已开启：API 报错（中断，影响所有客户）。通知将发送到2 个客户的2 个频道。');
    await h.timers.advance(0);
    expect(h.port.lines('acme')).toEqual(['🔴 事件：API 报错 · 影响：服务不可用 · 开始于：3月2日周一 中国标准时间 18:00 · 编号：inc-1 · 我们已获悉该问题，正在处理。进展会发布在本频道。']);
    expect(h.port.lines('globex')).toEqual(['🔴 Incident: API 报错 · Impact: service unavailable · Since: Mon 2 Mar 10:00 UTC · Reference: inc-1 · We are aware of the problem and working on it. Updates follow in this channel.']);
    await h.app.stop();
  });
});

describe('what the recurring jobs post', () => {
  const config = parseConfig(CONFIG, 'test config');

  it('the monthly statement: the staff summary in staff’s language, each engineer’s line in theirs', () => {
    const statement = monthStatement(allCustomerTerms(config), [], { month: '2026-02', at: T0, maintenanceNoticeMs: config.availability.maintenanceNotice });
    const [summary, ...dms] = statementMessages(config, statement, T0, ['shell']);
    expect(summary?.type === 'post' && summary.card.title).toBe('Availability statement 2026-02');
    const dmTo = (person: string) => dms.flatMap((m) => (m.type === 'dm' && m.person === person ? [m.card] : []))[0];
    const toWei = dmTo('wei');
    const toAlice = dmTo('alice');
    expect(toWei && cardToLine(toWei)).toBe('2026-02 可用性：Acme Corp · 可用性：100.0000%（目标 99.9%：已达成） · 停机时间：0:00:00 · 性能下降：0:00:00 · 不计入的维护：0:00:00 · 赔付：无 · 事件：无');
    expect(toAlice && cardToLine(toAlice)).toMatch(/^Availability 2026-02: Globex · Availability: 100\.0000% \(target 99\.9%: met\)/);
  });

  it('with staff.locale zh-CN, hand-offs and the weekly digest are in Chinese', () => {
    const chinese = parseConfig(CONFIG.replace('  timezone: Europe/Berlin\n', '  timezone: Europe/Berlin\n  locale: zh-CN\n'), 'test config');
    expect(cardToLine(handoffCard(chinese, 'primary', Date.parse('2026-03-02T09:00:00Z')))).toBe('@wei primary 值班：Wei · 接替：Alice · 值班至：3月3日周二 中欧标准时间 10:00');
    const digest = digestCard(chinese, weeklyFigures(chinese, [], Date.parse('2026-03-09T08:00:00Z'), 'Europe/Berlin'));
    expect(digest.title).toBe('每周 SLA 摘要 · 2026年3月2日周一 – 2026年3月8日周日');
    expect(digest.fields[0]).toEqual({ label: '本周超时', value: '无' });
    expect(digest.fields[1]).toEqual({ label: '值班：primary', value: expect.stringMatching(/^Alice 3月2日周一 00:00 – 3月2日周一 10:00; Wei 3月2日周一 10:00 – /) });
  });
});
