/**
 * Black box: `slawatch start` with Slack tokens and SLAWATCH_HOOK_TOKEN, a
 * fake Slack, and Alertmanager v4 payloads posted to the bot's port. The
 * notices land in every channel of every affected customer and nowhere
 * else; a redelivery posts nothing; the resolve follows; the incident is in
 * the store for `slawatch availability`.
 */
import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../testkit/fake-slack.js';
import { runCli, startCli, type RunningCli } from '../helpers/run-cli.js';
import { RTC_EU, webhook } from '../adapters/http/alertmanager-payloads.js';

const BOT_TOKEN = 'xoxb-1111111111-2222222222-HOOKTESTTOKENabcdefgh';
const SIGNING_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const HOOK_TOKEN = 'alertmanager-hook-token-0123456789';
const EU_CHANNELS = ['C0ACME', 'C0ACMEOPS', 'C0UMBRELLA'];
const OTHER_CHANNELS = ['C0GLOBEX', 'C0STAFF'];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('slawatch start with the Alertmanager hook', () => {
  let dir: string;
  let config: string;
  let fake: FakeSlack;
  let cli: RunningCli;
  let hook: string;
  // The alert started two minutes before the test: news, not history.
  const startsAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 120_000);
  const alert = { ...RTC_EU, startsAt: startsAt.toISOString() };
  const post = (body: string, token = HOOK_TOKEN) => fetch(hook, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  const noticesIn = (channel: string) => fake.stored(channel).filter((m) => /RTC down in EU/.test(String(m.text)));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-hook-start-'));
    fake = await FakeSlack.start();
    config = join(dir, 'slawatch.yaml');
    await writeFile(
      config,
      `
people: { alice: { name: Alice, slack: U0ALICE } }
staff: { people: [alice], channels: { slack: C0STAFF } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, region: eu, channels: { slack: [C0ACME, C0ACMEOPS] }, monthlyFee: { amount: 5000, currency: USD } }
  - { id: umbrella, name: Umbrella, tier: enterprise, region: eu, channels: { slack: [C0UMBRELLA] } }
  - { id: globex, name: Globex, tier: enterprise, region: us, channels: { slack: [C0GLOBEX] } }
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h } }
    availability: { target: 99.9, credits: [{ below: 99.9, percent: 10 }] }
store: { backend: sqlite, path: ${join(dir, 'slawatch.sqlite')} }
`,
    );
    const port = await freePort();
    hook = `http://127.0.0.1:${port}/hooks/alertmanager`;
    cli = startCli(['start', '--config', config], {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      SLAWATCH_HOOK_TOKEN: HOOK_TOKEN,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`bot did not come up:\n${cli.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 30_000);

  afterAll(async () => {
    cli?.child.kill('SIGTERM');
    await cli?.exited;
    await fake?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('says at start that the hook is on', () => {
    expect(cli.stderr()).toMatch(/"path":"\/hooks\/alertmanager".*"msg":"Alertmanager hook enabled"/);
  });

  it('refuses a wrong token with 401 and posts nothing', async () => {
    const response = await post(webhook([alert]), 'not-the-token-0123456789');
    expect(response.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    for (const channel of [...EU_CHANNELS, ...OTHER_CHANNELS]) expect(fake.stored(channel)).toEqual([]);
  });

  it('a firing alert for region eu: one notice in each EU customer channel, none in Globex’s or the staff channel', async () => {
    const response = await post(webhook([alert]));
    expect(response.status).toBe(200);
    const id = `am-${alert.fingerprint}-${startsAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')}`;
    expect(await response.json()).toEqual({ opened: [id], resolved: [], unchanged: [], refused: [] });
    for (const channel of EU_CHANNELS) await fake.channel(channel).expectMessage(/Incident: RTC down in EU/);
    for (const channel of OTHER_CHANNELS) await fake.channel(channel).expectNoMessage(/RTC down/);
    for (const channel of EU_CHANNELS) expect(noticesIn(channel)).toHaveLength(1);
  });

  it('a redelivery of the same payload posts nothing new', async () => {
    const response = await post(webhook([alert]));
    expect(await response.json()).toMatchObject({ opened: [], unchanged: [expect.stringMatching(/^am-5ef77f1f8a3ecb8d-/)] });
    await new Promise((r) => setTimeout(r, 1_000));
    for (const channel of EU_CHANNELS) expect(noticesIn(channel)).toHaveLength(1);
    for (const channel of OTHER_CHANNELS) expect(fake.stored(channel)).toEqual([]);
  });

  it('the resolved alert posts the resolve once in each EU channel', async () => {
    const endsAt = new Date(startsAt.getTime() + 60_000).toISOString();
    await post(webhook([{ ...alert, status: 'resolved', endsAt }]));
    await post(webhook([{ ...alert, status: 'resolved', endsAt }]));
    for (const channel of EU_CHANNELS) await fake.channel(channel).expectMessage(/Resolved: RTC down in EU/);
    await new Promise((r) => setTimeout(r, 500));
    for (const channel of EU_CHANNELS) expect(noticesIn(channel).map((m) => String(m.text).slice(0, 30))).toEqual([expect.stringContaining('Incident: RTC down'), expect.stringContaining('Resolved: RTC down')]);
    for (const channel of OTHER_CHANNELS) expect(fake.stored(channel)).toEqual([]);
  });

  it('the incident is in the store: slawatch availability reads it without a file', async () => {
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    const month = startsAt.toISOString().slice(0, 7);
    const result = await runCli(['availability', '--config', config, '--month', month, '--at', new Date(startsAt.getTime() + 3_600_000).toISOString(), '--json'], '');
    expect(result.stderr).toBe('');
    const customers = (JSON.parse(result.lines.join('\n')) as { customers: { customer: string; downtimeSeconds: number }[] }).customers;
    // One minute of outage (the alert's start to its end), for the EU customers only — counted in the month it began.
    const minute = startsAt.getUTCMonth() === new Date(startsAt.getTime() + 60_000).getUTCMonth() ? 60 : (Date.UTC(startsAt.getUTCFullYear(), startsAt.getUTCMonth() + 1) - startsAt.getTime()) / 1000;
    expect(customers.map((c) => [c.customer, c.downtimeSeconds])).toEqual([
      ['acme', minute],
      ['globex', 0],
      ['umbrella', minute],
    ]);
  });
});
