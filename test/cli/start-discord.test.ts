/**
 * `slawatch start` with Discord tokens, as an operator runs it: a real
 * process on the real discord.js client, against a fake Discord (REST and
 * gateway) on 127.0.0.1.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configYaml, discordEnv, IDS, newFake } from '../adapters/discord/harness.js';
import type { FakeDiscord } from '../helpers/fake-discord.js';
import { startCli, type RunningCli } from '../helpers/run-cli.js';

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

  it('never writes the token to its logs, and stops on SIGTERM', async () => {
    expect(cli.stderr()).not.toContain(fake.token);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});
