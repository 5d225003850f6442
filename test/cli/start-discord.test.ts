/**
 * `slawatch start` with Discord tokens, as an operator runs it: a real
 * process on the real discord.js client, against a fake Discord (REST and
 * gateway) on 127.0.0.1.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configYaml, discordEnv, IDS, newFake } from '../adapters/discord/harness.js';
import type { FakeDiscord } from '../helpers/fake-discord.js';
import { freePort } from '../../testkit/replicas.js';
import { startCli, untilStatus, type RunningCli } from '../helpers/run-cli.js';

describe('slawatch start with Discord tokens', () => {
  let dir: string;
  let fake: FakeDiscord;
  let cli: RunningCli;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-discord-start-'));
    fake = await newFake();
    const config = join(dir, 'slawatch.yaml');
    await writeFile(config, configYaml({ targets: '{ firstResponse: 2s }', warnAt: '[]' }).replace('store: { backend: memory }', `store: { backend: sqlite, path: ${join(dir, 's.sqlite')} }`));
    cli = startCli(['start', '--config', config], { ...discordEnv(fake), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug' });
    await fake.waitForSession(1, 20_000);
  }, 30_000);

  afterAll(async () => {
    cli?.child.kill('SIGTERM');
    await cli?.exited;
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('opens a ticket in a thread, pings the staff channel at the breach with exactly the right mention, and ignores a redelivery', async () => {
    const dana = fake.member(IDS.dana, 'dana');
    const message = fake.postMessage(IDS.acme, dana, 'Checkout is down @everyone <@&300000000000000001>');
    const until = Date.now() + 10_000;
    while (!fake.threadOf(message.id) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const thread = fake.threadOf(message.id);
    if (!thread) throw new Error(`no thread was started on the customer's message:\n${cli.stderr()}`);
    const ack = await fake.channel(thread.id).expectMessage(/Ticket #1 opened/);
    expect(ack.pinged).toEqual({ users: [], roles: [], everyone: false });
    fake.redeliver(message);
    const breach = await fake.channel(IDS.staffChannel).expectMessage(/first response BREACHED/, 10_000);
    // Level 1 goes to the primary on-call (alice) and the account engineer (bob), and pings nobody else.
    expect(breach.pinged.users.sort()).toEqual([IDS.alice, IDS.bob].sort());
    expect(breach.pinged.roles).toEqual([]);
    expect(breach.pinged.everyone).toBe(false);
    await fake.channel(IDS.staffChannel).expectNoMessage(/Ticket #2|#2 /, 500);
  });

  it('never writes the token to its logs, says which platforms are on, and stops on SIGTERM', async () => {
    expect(cli.stderr()).not.toContain(fake.token);
    const said = cli.stderr().split('\n').filter((l) => /"on":(true|false)/.test(l)).map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(said).toEqual(['Slack: off — SLACK_BOT_TOKEN not set', 'Discord: on', 'Feishu/Lark: off — LARK_APP_ID not set', 'shell: off — a chat token is set']);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});

describe('slawatch start when Discord refuses it or cannot be reached', () => {
  let fake: FakeDiscord | undefined;
  let cli: RunningCli | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (cli && cli.child.exitCode === null) cli.child.kill('SIGTERM');
    await cli?.exited;
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    cli = undefined;
    fake = undefined;
    dir = undefined;
  });

  const runStart = async (env: NodeJS.ProcessEnv) => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-discord-failures-'));
    const config = join(dir, 'slawatch.yaml');
    await writeFile(config, configYaml());
    return startCli(['start', '--config', config], { PORT: '0', HOST: '127.0.0.1', ...env }, dir);
  };

  it('stops with a message naming DISCORD_TOKEN, and exit code 1, when Discord rejects the token', async () => {
    fake = await newFake();
    const rejected = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.rejected.token-that-must-never-be-printed';
    cli = await runStart({ ...discordEnv(fake), DISCORD_TOKEN: rejected });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/slawatch: Discord rejected DISCORD_TOKEN \(401 Unauthorized\)/);
    expect(cli.stderr()).not.toContain(rejected);
    expect(fake.requests.some((r) => r.path === '/gateway/bot' && r.status === 401)).toBe(true);
  });

  it('stops before anything starts when DISCORD_APPLICATION_ID is missing', async () => {
    fake = await newFake();
    cli = await runStart({ ...discordEnv(fake), DISCORD_APPLICATION_ID: '' });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/DISCORD_APPLICATION_ID is not set/);
    expect(cli.stderr()).not.toContain(fake.token);
    expect(fake.requests).toEqual([]);
  });

  it('keeps trying while Discord is unreachable, not ready until connected, then opens tickets', async () => {
    const discordPort = await freePort();
    const httpPort = await freePort();
    const token = `fake-token-${Date.now()}`;
    cli = await runStart({ DISCORD_TOKEN: token, DISCORD_APPLICATION_ID: '900000000000000001', DISCORD_API_URL: `http://127.0.0.1:${discordPort}/api`, PORT: String(httpPort), LOG_LEVEL: 'info' });
    const base = `http://127.0.0.1:${httpPort}`;
    expect(await untilStatus(`${base}/readyz`, 503, cli)).toEqual({ status: 'not ready', checks: { store: true, discord: false } });
    await untilStatus(`${base}/healthz`, 200, cli);
    await expect.poll(() => cli!.stderr(), { timeout: 10_000 }).toMatch(/"msg":"Discord: could not connect \(attempt 1\); trying again in \d+\.\d s"/);
    expect(await untilStatus(`${base}/readyz`, 503, cli)).toMatchObject({ checks: { discord: false } });
    expect(cli.child.exitCode).toBe(null);

    fake = await newFake({ port: discordPort, token });
    expect(await untilStatus(`${base}/readyz`, 200, cli)).toEqual({ status: 'ready', checks: { store: true, discord: true } });
    const message = fake.postMessage(IDS.acme, fake.member(IDS.dana, 'dana'), 'Checkout is down');
    await fake.channel(message.id).expectMessage(/Ticket #1 opened/, 10_000);
    expect(cli.stderr()).not.toContain(token);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});
