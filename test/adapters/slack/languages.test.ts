/**
 * Each reader's language through the real Bolt app and the fake Slack: a
 * customer who reads Chinese in Beijing gets a Chinese acknowledgement with
 * the due time in Beijing time; staff read the ping for the same ticket in
 * English, in Berlin time; a Chinese-speaking engineer claims it with
 * `/sla 认领 1` and gets his DM and answers in Chinese.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tsToMs } from '../../../adapters/slack/text.js';
import { viewTicket } from '../../../src/domain/ticket.js';
import { messageEvent, type Payload } from '../../../testkit/slack-requests.js';
import { ACME, ALICE, BOB, CUSTOMER, CUSTOMER_TEAM, Harness, STAFF_CHANNEL, noTroubleIn } from './harness.js';

const WEI = BOB;

const CONFIG = `
people:
  alice: { name: Alice, slack: ${ALICE} }
  wei: { name: Wei, slack: ${WEI}, locale: zh-CN, timezone: Asia/Shanghai }
staff:
  people: [alice, wei]
  channels: { slack: ${STAFF_CHANNEL} }
  timezone: Europe/Berlin
  dm: true
customers:
  - { id: acme, name: Acme Corp, tier: fast, channels: { slack: [${ACME}] }, locale: zh-CN, timezone: Asia/Shanghai }
tiers:
  fast:
    calendar: 24x7
    targets: { default: { firstResponse: 2s, nextResponse: 1h, resolution: 1d } }
escalation:
  warnAt: [0.5]
  policies:
    default:
      warn: [person:alice]
      levels: [{ notify: [person:wei], delay: 30m }]
store: { backend: memory }
`;

/** `HH:MM:SS` of an instant in a zone, as any clock there shows it. */
const wallClock = (ms: number, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ms);

/** Every text a block shows (`text` fields, at any depth). */
function textsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === 'text' && typeof inner === 'string' ? [inner] : textsOf(inner)));
}

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

describe('Slack in the reader’s language', () => {
  it('Chinese for the customer in Beijing time, English for the staff channel in Berlin time, /sla 认领 claims', async () => {
    h = await Harness.start({ config: CONFIG });
    const ts = h.ts();
    await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, user_team: CUSTOMER_TEAM, text: '生产环境宕机了，所有用户无法登录', ts }));
    const due = tsToMs(ts) + 2_000;

    const ack = await h.fake.channel(ACME).thread(ts).expectMessage(/工单 #1 已创建/);
    const text = String(ack.text);
    expect(text).toMatch(/^工单 #1 已创建：Acme Corp · 服务等级：fast · 严重程度：紧急（推测） · /);
    expect(text).toContain(`首次响应截止：`);
    expect(text).toContain(`中国标准时间 ${wallClock(due, 'Asia/Shanghai')}`);
    // No English word but the customer's name, in the fallback text nor in the blocks.
    expect(text.replace('Acme Corp', '').replace(/\bfast\b/, '')).not.toMatch(/[A-Za-z]{2,}/);
    const shown = textsOf(ack.blocks).join('\n');
    expect(shown).toContain('首次响应截止');
    expect(shown.replace(/Acme Corp/g, '').replace(/\bfast\b/g, '')).not.toMatch(/[A-Za-z]{2,}/);

    // The staff ping for the same ticket: English, the same instant in Berlin time.
    const warning = await h.fake.channel(STAFF_CHANNEL).expectMessage(/first response due soon/, 4_000);
    expect(String(warning.text)).toMatch(/^<@U0ALICE> ⚠ #1 first response due soon · Customer: Acme Corp \(fast\) · Severity: urgent \(guessed\) · Due: /);
    expect(String(warning.text)).toMatch(new RegExp(`Due: \\w{3} \\d+ \\w{3} ${wallClock(due, 'Europe/Berlin')} GMT\\+[12]`));
    expect(JSON.stringify(warning.blocks)).toContain('"Claim"');

    // At the breach Wei is pinged; his DM opens in Chinese.
    await h.fake.channel(STAFF_CHANNEL).expectMessage(/BREACHED/, 5_000);
    const dm = await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === WEI), "Wei's DM");
    expect(String(dm.args.text)).toMatch(new RegExp(`^有人在 <#${STAFF_CHANNEL}> 提到了您：\\n`));

    // Wei claims it with the Chinese word; the answer is Chinese, in Beijing time.
    const claimed = await sla(WEI, STAFF_CHANNEL, '认领 1');
    expect(String(claimed.text)).toMatch(/^工单 #1 已由 Wei 认领。/);
    expect(JSON.stringify(claimed.blocks)).toContain('负责人');
    expect(JSON.stringify(claimed.blocks)).toContain('中国标准时间');
    expect(viewTicket((await h.ticketOf(ACME, ts))!).assignee?.personId).toBe('wei');
    // Alice reads the same ticket in English; the customer, in Chinese, with the Chinese word for status.
    expect(JSON.stringify((await sla(ALICE, STAFF_CHANNEL, 'status 1')).blocks)).toContain('Assignee');
    const forCustomer = await sla(CUSTOMER, ACME, '状态 1');
    expect(forCustomer.response_type).toBe('ephemeral');
    expect(JSON.stringify(forCustomer.blocks)).toContain('负责人');
    // Help lists the reader's words.
    expect(String((await sla(CUSTOMER, ACME, '帮助')).text)).toMatch(/^用法：\/sla &lt;命令&gt;\n状态 \[工单\]/);
  }, 20_000);
});
