/**
 * `slawatch start` with Feishu/Lark credentials, as an operator runs it: a
 * real process on the real @larksuiteoapi/node-sdk, over the long connection
 * to a fake open platform on 127.0.0.1 — tickets in topics, one
 * acknowledgement across a redelivery, a breach ping card in the staff group
 * whose Claim button claims, health and readiness on the HTTP port.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeLark, type Json, type Person } from '../../testkit/fake-lark.js';
import { LarkRequests } from '../../testkit/lark-requests.js';
import { freePort } from '../../testkit/replicas.js';
import { startCli, untilStatus, type RunningCli } from '../helpers/run-cli.js';

const ALICE: Person = { openId: 'ou_alice', tenantKey: 'tenant_ours' };
const DANA: Person = { openId: 'ou_acme_dana', tenantKey: 'tenant_acme' };

function configFor(dir: string, firstResponse = '3s'): string {
  return `
people: { alice: { name: Alice, lark: ${ALICE.openId} } }
staff: { people: [alice], channels: { lark: oc_staff } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { lark: [oc_acme] } }
tiers:
  enterprise:
    calendar: 24x7
    targets: { default: { firstResponse: ${firstResponse} } }
schedules:
  primary:
    timezone: UTC
    layers: [{ users: [alice], rotation: { every: 1w, start: "2026-01-05" } }]
escalation:
  warnAt: []
  policies:
    default:
      levels: [{ notify: [schedule:primary], delay: 30m }]
store: { backend: sqlite, path: ${join(dir, 'slawatch.sqlite')} }
`;
}

describe('slawatch start with Feishu/Lark credentials', () => {
  let dir: string;
  let fake: FakeLark;
  let cli: RunningCli;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-lark-start-'));
    fake = await FakeLark.start();
    const config = join(dir, 'slawatch.yaml');
    await writeFile(config, configFor(dir));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    cli = startCli(['start', '--config', config], { ...fake.env(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'debug' });
    await untilStatus(`${base}/readyz`, 200, cli);
    await fake.untilConnected();
  }, 30_000);

  afterAll(async () => {
    if (cli && cli.child.exitCode === null) cli.child.kill('SIGTERM');
    await cli?.exited;
    await fake?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('opens a ticket in the message\'s topic, acknowledges it once across a redelivery, and pings the staff group at the breach', async () => {
    const { message, event, ack } = await fake.say('oc_acme', DANA, 'Checkout is down <at user_id="all"></at> @all', { eventId: 'ev_checkout' });
    expect(ack).toEqual({ code: 200 });
    const reply = await fake.waitFor(() => fake.repliesTo(message.message_id)[0], 'the acknowledgement', 10_000);
    expect(FakeLark.textOf(reply.content)).toMatch(/Ticket #1 opened for Acme Corp/);
    expect(reply.thread_id).toBeDefined();
    expect(await fake.deliver(event)).toEqual({ code: 200 });

    const breach = await fake.expectPost('oc_staff', /first response BREACHED/, 10_000);
    expect(breach.msg_type).toBe('interactive');
    expect(breach.content.match(/<at [^>]*>/g)).toEqual([`<at id=${ALICE.openId}>`]);
    expect(breach.content).not.toMatch(/<at user_id=\\?"all|@all/);
    expect(fake.repliesTo(message.message_id)).toHaveLength(1);
    expect(fake.postedIn('oc_acme')).toHaveLength(1);
  });

  it('the Claim button on the breach card claims the ticket and updates the card', async () => {
    const breach = await fake.expectPost('oc_staff', /first response BREACHED/, 10_000);
    const buttons = ((JSON.parse(breach.content) as { elements: Json[] }).elements.find((e) => e.tag === 'action')!.actions as Json[]);
    const claim = buttons.find((b) => (b.value as Json).slawatch === 'claim')!;
    const answer = await fake.click(breach.message_id, ALICE, claim.value);
    expect(answer.code).toBe(200);
    expect(FakeLark.textOf((answer.data as { card: { data: Json } }).card.data)).toMatch(/claimed by Alice/);
    await fake.waitFor(() => fake.patches.find((p) => p.message_id === breach.message_id), 'the card patch');
  });

  it('reports ready, and metrics that count the ticket', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: true, lark: true } });
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^slawatch_tickets_opened_total\{tier="enterprise"\} 1$/m);
  });

  it('says which platforms are on, and never writes the secret to its logs', () => {
    const said = cli.stderr().split('\n').filter((l) => /"on":(true|false)/.test(l)).map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(said).toEqual(['Slack: off — SLACK_BOT_TOKEN not set', 'Discord: off — DISCORD_TOKEN not set', 'Feishu/Lark: on (long connection)', 'shell: off — a chat token is set']);
    expect(cli.stderr()).toMatch(/"msg":"Feishu\/Lark connected"/);
    expect(cli.stderr()).not.toContain(fake.appSecret);
    expect(cli.stderr()).not.toMatch(/access_key=[0-9a-f]/);
  });

  it('stops cleanly on SIGTERM', async () => {
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});

describe('slawatch start with Feishu/Lark in webhook mode', () => {
  it('serves /lark/events on the bot\'s port, next to /readyz: the URL check, then a signed event opens a ticket', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slawatch-lark-webhook-'));
    const fake = await FakeLark.start();
    const config = join(dir, 'slawatch.yaml');
    await writeFile(config, configFor(dir, '1h'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const cli = startCli(['start', '--config', config], { ...fake.env(), LARK_MODE: 'webhook', LARK_ENCRYPT_KEY: 'cliEncryptKey123', LARK_VERIFICATION_TOKEN: 'v-cli-token', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    try {
      expect(await untilStatus(`${base}/readyz`, 200, cli)).toEqual({ status: 'ready', checks: { store: true, lark: true } });
      const lark = new LarkRequests(`${base}/lark/events`, 'cliEncryptKey123');
      expect(await lark.send({ challenge: 'c-1', token: 'v-cli-token', type: 'url_verification' }, { unsigned: true })).toEqual({ status: 200, body: { challenge: 'c-1' } });
      const { message, event } = await fake.say('oc_acme', DANA, 'Exports fail', { deliver: false });
      const signed = { ...event, header: { ...(event.header as Json), token: 'v-cli-token' } };
      expect((await lark.send(signed)).status).toBe(200);
      await fake.waitFor(() => fake.repliesTo(message.message_id)[0], 'the acknowledgement', 10_000);
      expect(cli.stderr()).toMatch(new RegExp(`"msg":"Feishu/Lark: on \\(webhook mode: /lark/events on port ${port}\\)"`));
    } finally {
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      await fake.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('slawatch start when Feishu/Lark refuses it or cannot be reached', () => {
  let dir: string;
  let fake: FakeLark | undefined;
  let cli: RunningCli | undefined;
  afterEach(async () => {
    if (cli && cli.child.exitCode === null) cli.child.kill('SIGTERM');
    await cli?.exited;
    await fake?.stop();
    await rm(dir, { recursive: true, force: true });
    cli = undefined;
    fake = undefined;
  });

  const runStart = async (env: NodeJS.ProcessEnv) => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-lark-failures-'));
    const config = join(dir, 'slawatch.yaml');
    await writeFile(config, configFor(dir, '1h'));
    return startCli(['start', '--config', config], { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env }, dir);
  };

  it('stops before anything starts when a variable is wrong', async () => {
    fake = await FakeLark.start();
    cli = await runStart({ ...fake.env(), LARK_APP_ID: 'my-app', LARK_MODE: 'webhook' });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/slawatch: Feishu\/Lark is not configured correctly:\n {2}- LARK_APP_ID does not look like an App ID/);
    expect(cli.stderr()).toMatch(/- LARK_ENCRYPT_KEY is not set/);
    expect(fake.calls).toEqual([]);
    expect(existsSync(join(dir, 'slawatch.sqlite'))).toBe(false);
  });

  it('keeps trying while the platform is unreachable, then stops with exit code 1 when it rejects the secret', async () => {
    const port = await freePort();
    cli = await runStart({ LARK_APP_ID: 'cli_a1b2c3d4e5f60718', LARK_APP_SECRET: 'NotTheSecret0123456789', LARK_DOMAIN: `http://127.0.0.1:${port}` });
    await expect.poll(() => cli!.stderr(), { timeout: 15_000 }).toMatch(/"msg":"Feishu\/Lark: could not connect \(attempt 1\); trying again in \d+\.\d s"/);
    expect(cli.child.exitCode).toBe(null);
    fake = await FakeLark.start({ port });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/slawatch: Feishu\/Lark rejected LARK_APP_ID \/ LARK_APP_SECRET \(code 10014: app secret invalid\)/);
    expect(cli.stderr()).not.toContain('NotTheSecret0123456789');
  });
});
