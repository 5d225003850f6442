/**
 * `slawatch start` as an operator runs it: a real process with Slack tokens
 * in its environment, talking to a fake Slack Web API, receiving signed
 * events on its HTTP port, and answering health, readiness and metrics on
 * the same port.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeSlack } from '../../testkit/fake-slack.js';
import { freePort } from '../../testkit/replicas.js';
import { blockActions, button, messageEvent, SlackRequests } from '../../testkit/slack-requests.js';
import { runCli, startCli, startSlackCli, untilStatus, type RunningCli } from '../helpers/run-cli.js';

const BOT_TOKEN = 'xoxb-1111111111-2222222222-STARTTESTTOKENabcdefgh';
const SIGNING_SECRET = 'e2e0a1b2c3d4e5f60718293a4b5c6d7e';
const APP_TOKEN = 'xapp-1-A0SLAWATCH-1234567890-0123456789abcdef0123456789abcdef';

function configFor(dir: string): string {
  return `
people: { alice: { name: Alice, slack: U0ALICE } }
staff: { people: [alice], channels: { slack: C0STAFF } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { slack: [C0ACME] } }
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h } }
store: { backend: sqlite, path: ${join(dir, 'slawatch.sqlite')} }
`;
}

describe('slawatch start with Slack tokens', () => {
  let dir: string;
  let fake: FakeSlack;
  let cli: RunningCli;
  let base: string;
  let slack: SlackRequests;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-slack-start-'));
    fake = await FakeSlack.start();
    const config = join(dir, 'slawatch.yaml');
    await writeFile(config, configFor(dir));
    ({ cli, base } = await startSlackCli(config, { apiUrl: fake.apiUrl, botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET }, { LOG_LEVEL: 'debug' }));
    slack = new SlackRequests(`${base}/slack/events`, SIGNING_SECRET);
  }, 30_000);

  afterAll(async () => {
    cli?.child.kill('SIGTERM');
    await cli?.exited;
    await fake?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('opens a ticket from a signed event, acknowledges it in the thread, and ignores the redelivery', async () => {
    const ts = fake.nextTs();
    const event = messageEvent({ channel: 'C0ACME', user: 'U0CUSTOMER', ts, text: 'Our dashboard is down <!channel>' });
    expect((await slack.event(event, { eventId: 'Ev0START1' })).status).toBe(200);
    const ack = await fake.channel('C0ACME').thread(ts).expectMessage(/Ticket #1 opened/);
    expect(String(ack.text)).not.toContain('<!channel>');
    expect((await slack.event(event, { eventId: 'Ev0START1', retryNum: 1 })).status).toBe(200);
    await fake.channel('C0ACME').expectNoMessage(/Ticket #2/);
    expect(fake.channel('C0ACME').thread(ts).messages()).toHaveLength(1);
  });

  it('rejects a request with a bad signature', async () => {
    const response = await slack.event(messageEvent({ channel: 'C0ACME', user: 'U0CUSTOMER', ts: fake.nextTs(), text: 'forged' }), { signature: 'v0=deadbeef' });
    expect(response.status).toBe(401);
  });

  it('reports ready, and metrics that count the ticket', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: true, slack: true } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^slawatch_tickets_opened_total\{tier="enterprise"\} 1$/m);
    expect(metrics).toMatch(/^slawatch_open_tickets\{tier="enterprise"\} 1$/m);
    expect(metrics).toMatch(/^slawatch_clocks_running\{clock="firstResponse"\} 1$/m);
    expect(metrics).toMatch(/slawatch_store_operation_seconds_count\{operation="create",outcome="ok"\} 1/);
  });

  it('survives signed requests whose bodies are not objects, and still answers commands', async () => {
    const form = (payload: string) => new URLSearchParams({ payload }).toString();
    const hostile: [string, string][] = [
      ...['null', '[]', '"x"', '123', '{}', '{"type":"event_callback"}'].map((text): [string, string] => [text, 'application/json']),
      ...['null', '[]', '"x"'].map((payload): [string, string] => [form(payload), 'application/x-www-form-urlencoded']),
    ];
    const answers = await Promise.all(hostile.map(async ([text, type]) => (await slack.send(text, type, { timeoutMs: 5_000 })).status));
    for (const answer of answers) expect(answer >= 400 && answer < 500, String(answers)).toBe(true);
    expect(cli.child.exitCode).toBeNull();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const status = await slack.command({ user_id: 'U0ALICE', channel_id: 'C0STAFF', text: 'status 1' });
    expect(status.status).toBe(200);
    expect(status.json().text).toMatch(/Ticket #1/);
  });

  it('says which platforms are on and why the others are off', () => {
    const said = cli.stderr().split('\n').filter((l) => /"on":(true|false)/.test(l)).map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(said).toEqual([`Slack: on (HTTP mode on port ${new URL(base).port})`, 'Discord: off — DISCORD_TOKEN not set', 'Feishu/Lark: off — LARK_APP_ID not set', 'shell: off — a chat token is set']);
  });

  it('never writes a token to its logs', () => {
    expect(cli.stderr()).toMatch(/"msg":"Slack connected"/);
    expect(cli.stderr()).not.toContain(BOT_TOKEN);
    expect(cli.stderr()).not.toContain(SIGNING_SECRET);
  });

  it('asks the customer to rate on resolve; a signed button click records the rating, and `report --format json` shows it', async () => {
    const resolved = await slack.command({ user_id: 'U0ALICE', channel_id: 'C0STAFF', text: 'resolve 1' });
    expect(resolved.status).toBe(200);
    const prompt = await fake.channel('C0ACME').expectMessage((m) => /How did we do with #1/.test(JSON.stringify(m.blocks ?? '')));
    const buttons = JSON.stringify(prompt.blocks);
    for (const rating of [1, 2, 3, 4, 5]) expect(buttons).toContain(`"value":"1:${rating}"`);
    const responseUrl = fake.responseUrl('rate-1');
    const click = await slack.interaction(
      blockActions({ user: 'U0CUSTOMER', userTeam: 'T0CUSTOMER', channel: 'C0ACME', messageTs: String(prompt.ts ?? fake.nextTs()), action: button('slawatch_rate_4', '1:4'), responseUrl }),
    );
    expect(click.status).toBe(200);
    await fake.waitForResponse((body) => /you rated #1 4 of 5/.test(String(body.text)));
    const report = await runCli(['report', '--config', join(dir, 'slawatch.yaml'), '--format', 'json', '--by', 'customer'], '');
    expect(report.code).toBe(0);
    const model = JSON.parse(report.lines.join('\n')) as { groups: { key: string; satisfaction: unknown }[]; totals: { satisfaction: unknown } };
    expect(model.groups.find((g) => g.key === 'acme')?.satisfaction).toEqual({ count: 1, average: 4 });
    expect(model.totals.satisfaction).toEqual({ count: 1, average: 4 });
  });

  it('stops cleanly on SIGTERM', async () => {
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});

describe('slawatch start when Slack refuses it or cannot be reached', () => {
  let dir: string;
  let fake: FakeSlack | undefined;
  let cli: RunningCli | undefined;
  let wss: WebSocketServer | undefined;
  afterEach(async () => {
    if (cli && cli.child.exitCode === null) cli.child.kill('SIGTERM');
    await cli?.exited;
    await fake?.stop();
    for (const client of wss?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    await rm(dir, { recursive: true, force: true });
    cli = undefined;
    fake = undefined;
    wss = undefined;
  });

  const runStart = async (env: NodeJS.ProcessEnv) => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-slack-failures-'));
    const config = join(dir, 'slawatch.yaml');
    await writeFile(config, configFor(dir));
    return startCli(['start', '--config', config], { HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, dir);
  };

  it('stops before anything starts when SLACK_SIGNING_SECRET is missing in HTTP mode', async () => {
    fake = await FakeSlack.start();
    cli = await runStart({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: '', SLACK_API_URL: fake.apiUrl, PORT: '0' });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/slawatch: Slack is not configured correctly:\n {2}- SLACK_SIGNING_SECRET is not set/);
    expect(fake.calls).toEqual([]);
    expect(existsSync(join(dir, 'slawatch.sqlite'))).toBe(false);
  });

  it('keeps trying while the Web API is unreachable, then stops with exit code 1 when Slack rejects the token', async () => {
    const apiPort = await freePort();
    cli = await runStart({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `http://127.0.0.1:${apiPort}/api/`, PORT: '0' });
    await expect.poll(() => cli!.stderr(), { timeout: 15_000 }).toMatch(/"msg":"Slack: could not connect \(attempt 1\); trying again in \d+\.\d s"/);
    expect(cli.child.exitCode).toBe(null);
    fake = await FakeSlack.start({ port: apiPort });
    fake.acceptOnly(['xoxb-some-other-token']);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/slawatch: Slack rejected SLACK_BOT_TOKEN \(auth\.test: invalid_auth\)/);
    expect(cli.stderr()).not.toContain(BOT_TOKEN);
  });

  it('is not ready while the Web API is unreachable, and serves Slack once it is back', async () => {
    const apiPort = await freePort();
    const httpPort = await freePort();
    const base = `http://127.0.0.1:${httpPort}`;
    cli = await runStart({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `http://127.0.0.1:${apiPort}/api/`, PORT: String(httpPort) });
    expect(await untilStatus(`${base}/readyz`, 503, cli)).toEqual({ status: 'not ready', checks: { store: true, slack: false } });
    await untilStatus(`${base}/healthz`, 200, cli);
    await expect.poll(() => cli!.stderr(), { timeout: 15_000 }).toMatch(/Slack: could not connect \(attempt 1\)/);
    expect(await untilStatus(`${base}/readyz`, 503, cli)).toMatchObject({ checks: { slack: false } });

    fake = await FakeSlack.start({ port: apiPort });
    expect(await untilStatus(`${base}/readyz`, 200, cli)).toEqual({ status: 'ready', checks: { store: true, slack: true } });
    const ts = fake.nextTs();
    const slack = new SlackRequests(`${base}/slack/events`, SIGNING_SECRET);
    expect((await slack.event(messageEvent({ channel: 'C0ACME', user: 'U0CUSTOMER', ts, text: 'Our dashboard is down' }))).status).toBe(200);
    await fake.channel('C0ACME').thread(ts).expectMessage(/Ticket #1 opened/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('in Socket Mode, is not ready while the socket is down, and ready again once Slack\'s client reconnects', async () => {
    let answering = true;
    const hello = (ws: WebSocket) => ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-local' }, connection_info: { app_id: 'A0SLAWATCH' } }));
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss!.once('listening', () => resolve()));
    let connections = 0;
    wss.on('connection', (ws) => {
      connections++;
      if (answering) hello(ws);
    });
    fake = await FakeSlack.start();
    fake.socketUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    const httpPort = await freePort();
    const base = `http://127.0.0.1:${httpPort}`;
    cli = await runStart({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '', SLACK_API_URL: fake.apiUrl, PORT: String(httpPort) });
    expect(await untilStatus(`${base}/readyz`, 200, cli)).toEqual({ status: 'ready', checks: { store: true, slack: true } });
    expect(connections).toBe(1);

    // The socket drops, and Slack does not say hello on the next one until we let it.
    answering = false;
    for (const client of wss.clients) client.terminate();
    expect(await untilStatus(`${base}/readyz`, 503, cli, 2_000)).toEqual({ status: 'not ready', checks: { store: true, slack: false } });
    await expect.poll(() => connections, { timeout: 20_000 }).toBe(2);
    expect(await untilStatus(`${base}/readyz`, 503, cli, 2_000)).toMatchObject({ checks: { slack: false } });

    answering = true;
    for (const client of wss.clients) hello(client);
    expect(await untilStatus(`${base}/readyz`, 200, cli)).toEqual({ status: 'ready', checks: { store: true, slack: true } });
    expect(cli.stderr()).toMatch(/Socket Mode connection lost/);
    expect(cli.stderr()).toMatch(/"msg":"Slack: on \(Socket Mode\)"/);
    expect(cli.stderr()).not.toContain(APP_TOKEN);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});
