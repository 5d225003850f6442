/**
 * `slawatch start` in the shell, in two languages at once: a customer who
 * reads Chinese in Beijing time opens a ticket and is answered in Chinese,
 * with the due time in their zone; staff read the ping for the same ticket
 * in English, in Berlin time — the same instant; commands work in Chinese
 * words (`/sla 认领 1`) and each answer is in the asker's language.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/run-cli.js';

const CONFIG = `
people:
  alice: { name: Alice }
  wei: { name: Wei, locale: zh-CN, timezone: Asia/Shanghai }
staff:
  people: [alice, wei]
  channels: { shell: staff }
  timezone: Europe/Berlin
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] }, locale: zh-CN, timezone: Asia/Shanghai }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 2s, resolution: 1h }
escalation:
  warnAt: [0.5]
  policies:
    default:
      levels: [{ notify: [person:alice], delay: 1h }]
`;

/** `HH:MM` of an instant in a zone, as any clock there shows it. */
function wallClock(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

describe('slawatch start speaks each reader’s language', () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-languages-'));
    config = join(dir, 'slawatch.yaml');
    await writeFile(config, CONFIG);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a Chinese customer in Beijing, English staff in Berlin, commands in Chinese', async () => {
    const bot = startCli(['start', '--config', config, '--store', join(dir, 'tickets.sqlite')]);
    try {
      bot.send('/as 王芳');
      bot.send('/in acme');
      const before = Date.now();
      bot.send('生产环境宕机了，所有用户无法登录');
      const ack = await bot.waitFor(/^\[acme › #1\] slawatch: /);
      const after = Date.now();

      // The acknowledgement: Chinese, and no English word but the customer's name.
      const said = ack.slice(ack.indexOf('slawatch: ') + 'slawatch: '.length);
      expect(said).toMatch(/^工单 #1 已创建：Acme Corp · 服务等级：企业版 · 严重程度：紧急（推测） · 首次响应截止：/);
      expect(said.replace('Acme Corp', '')).not.toMatch(/[A-Za-z]{2,}/);
      // Due in 2 s, shown in Beijing time and said to be.
      const due = [before + 2_000, after + 2_000];
      expect(said).toContain('中国标准时间');
      expect(due.map((ms) => wallClock(ms, 'Asia/Shanghai'))).toContain(/中国标准时间 (\d\d:\d\d)/.exec(said)?.[1]);
      expect(said).toMatch(/（\d+秒钟后）/);

      // The staff ping for the same ticket: English, in Berlin time — the same instant.
      const ping = await bot.waitFor(/^\[staff\] slawatch: .*#1 first response due soon/);
      expect(ping).toMatch(/Customer: Acme Corp \(enterprise\) · Severity: urgent \(guessed\) · Due: \w{3} \d+ \w{3} \d\d:\d\d(:\d\d)? GMT\+[12] · Assignee: nobody/);
      expect(due.map((ms) => wallClock(ms, 'Europe/Berlin'))).toContain(/Due: \w{3} \d+ \w{3} (\d\d:\d\d)/.exec(ping)?.[1]);

      // Help lists the customer's words.
      bot.send('/help');
      await bot.waitFor(/^认领 \[工单\] +认领工单（员工）$/);
      // The customer asks for the status in Chinese words, and reads it in Chinese.
      bot.send('/sla 状态');
      await bot.waitFor(/^（仅您可见） slawatch: 工单 #1 — Acme Corp · 客户：Acme Corp · 状态：处理中 .*负责人：无人/);

      // A Chinese-speaking engineer claims it with the Chinese word and reads the answer in Chinese, in Beijing time.
      bot.send('/as wei');
      bot.send('/sla 认领 1');
      const claimed = await bot.waitFor(/^（仅您可见） slawatch: 工单 #1 — Acme Corp · .*负责人：Wei/);
      expect(claimed).toMatch(/首次响应：(已于 )?\d+月\d+日周. 中国标准时间 \d\d:\d\d(:\d\d)? (截止|超时)/);
      // An English-speaking engineer reads the same ticket in English.
      bot.send('/as alice');
      bot.send('/status 1');
      await bot.waitFor(/^\(only you\) slawatch: Ticket #1 — Acme Corp · Customer: Acme Corp · State: open · Tier: enterprise · Severity: urgent \(guessed\) · Assignee: Wei/);
      // A refusal in the asker's words: Wei claimed it already.
      bot.send('/as wei');
      bot.send('/认领 1');
      await bot.waitFor(/^（仅您可见） slawatch: 工单 #1：您已经认领了该工单。$/);
      // Resolving, in Chinese: the customer's thread hears it in Chinese.
      bot.send('/sla 解决 1');
      await bot.waitFor(/^\[acme › #1\] slawatch: ✓ 工单 #1 已由 Wei 解决。 · 我们处理 #1 的表现如何？请从 1（差）到 5（优秀）评分；评分在一天内可以修改。$/);
      // The shell has no buttons: the prompt says how to answer, in the customer's language.
      await bot.waitFor(/^\[acme › #1\] slawatch: 请回复 1 到 5 的数字，后面可以附上评价。$/);
    } finally {
      bot.child.stdin.end();
      await bot.exited;
    }
  });
});
