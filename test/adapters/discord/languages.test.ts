/**
 * Each reader's language on the real discord.js client against the fake
 * Discord: a customer who reads Chinese in Beijing gets the acknowledgement,
 * the thread's name and its controls in Chinese, with the due time in
 * Beijing time; staff read the ping in English, in Berlin time; `/sla`
 * shows Chinese names to a Chinese client and `认领` claims.
 */
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SLA_COMMAND } from '../../../adapters/discord/commands.js';
import { viewTicket } from '../../../src/domain/ticket.js';
import { messageText, type InteractionRecord, type Json } from '../../helpers/fake-discord.js';
import { IDS, startHarness, type Harness } from './harness.js';

const YAML = `
people:
  alice: { name: Alice, discord: "${IDS.alice}" }
  wei: { name: Wei, discord: "${IDS.bob}", locale: zh-CN, timezone: Asia/Shanghai }
staff:
  people: [alice, wei]
  channels: { discord: "${IDS.staffChannel}" }
  timezone: Europe/Berlin
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { discord: ["${IDS.acme}"] }, locale: zh-CN, timezone: Asia/Shanghai }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 2s, resolution: 1d }
escalation:
  warnAt: [0.5]
  policies:
    default:
      warn: [person:alice]
      levels: [{ notify: [person:alice], delay: 1h }]
notifications:
  coalesceWindow: 0.3s
store: { backend: memory }
`;

/** `HH:MM:SS` of an instant in a zone, as any clock there shows it. */
const wallClock = (ms: number, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ms);

/** The text of an interaction's direct answer. */
async function answerOf(h: Harness, interaction: InteractionRecord): Promise<string> {
  const callback = await h.fake.waitFor(() => interaction.callbacks[0], 'an interaction callback');
  return messageText(callback.data ?? {});
}

const labels = (message: { components?: unknown }) =>
  ((message.components ?? []) as Json[]).flatMap((row) => ((row.components ?? []) as Json[]).flatMap((c) => [c.label, c.placeholder].filter((v): v is string => typeof v === 'string')));

describe('Discord in the reader’s language', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('Chinese for the customer in Beijing time, English for the staff channel in Berlin time; 认领 claims', async () => {
    h = await startHarness({ yaml: YAML });
    const wei = h.fake.member(IDS.bob, 'bob');
    const opener = h.fake.postMessage(IDS.acme, h.dana, '生产环境宕机了，所有用户无法登录');
    const due = Date.parse(opener.timestamp) + 2_000;

    const ack = (await h.fake.channel(opener.id).expectMessage(/工单 #1 已创建/, 5_000)).message;
    expect(h.fake.threadOf(opener.id)?.name).toBe('工单 #1 · Acme Corp');
    const text = messageText(ack);
    expect(text).toMatch(/服务等级: 企业版/);
    expect(text).toMatch(/严重程度: 紧急（推测）/);
    expect(text).toContain(`首次响应截止: 12月`);
    expect(text).toContain(`中国标准时间 ${wallClock(due, 'Asia/Shanghai')}`);
    // No English word but the customer's name — in the card and on its controls.
    expect(text.replace(/Acme Corp/g, '')).not.toMatch(/[A-Za-z]{2,}/);
    expect(labels(ack)).toEqual(['认领', '等待客户回复', '解决', '更改严重程度']);

    // The ping for the same ticket in the staff channel: English, the same instant in Berlin time.
    const ping = messageText((await h.fake.channel(IDS.staffChannel).expectMessage(/first response due soon/, 4_000)).message);
    expect(ping).toMatch(/Customer: Acme Corp \(enterprise\)/);
    expect(ping).toMatch(new RegExp(`Due: \\w{3} \\d+ \\w{3} ${wallClock(due, 'Europe/Berlin')} GMT\\+[12]`));

    // A Chinese Discord shows /sla 认领; the interaction carries "claim", and Wei's answer is Chinese.
    const claim = (SLA_COMMAND as RESTPostAPIChatInputApplicationCommandsJSONBody).options?.find((o) => o.name === 'claim');
    expect(claim?.name_localizations?.['zh-CN']).toBe('认领');
    expect(claim?.description_localizations?.['zh-CN']).toBe('认领工单（员工）');
    expect(await answerOf(h, h.fake.slash(wei, opener.id, 'claim'))).toMatch(/^工单 #1 已由 Wei 认领。/);
    expect(viewTicket((await h.store.get(1))!).assignee?.personId).toBe('wei');
    // The Chinese word itself, as a client that sends the name it shows would: the same parser.
    expect(await answerOf(h, h.fake.slash(wei, opener.id, '认领'))).toMatch(/^工单 #1：您已经认领了该工单。/);
    // Alice reads the same ticket in English.
    expect(await answerOf(h, h.fake.slash(h.alice, IDS.staffChannel, 'status', { ticket: 1 }))).toMatch(/Assignee: Wei/);
  }, 15_000);
});
