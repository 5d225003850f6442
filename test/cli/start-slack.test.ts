/**
 * `slawatch start` as an operator runs it: a real process with Slack tokens
 * in its environment, talking to a fake Slack Web API, receiving signed
 * events on its HTTP port, and answering health, readiness and metrics on
 * the same port.
 */
import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../testkit/fake-slack.js';
import { messageEvent, SlackRequests } from '../../testkit/slack-requests.js';
import { startCli, type RunningCli } from '../helpers/run-cli.js';

const BOT_TOKEN = 'xoxb-1111111111-2222222222-STARTTESTTOKENabcdefgh';
const SIGNING_SECRET = 'e2e0a1b2c3d4e5f60718293a4b5c6d7e';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
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
    await writeFile(
      config,
      `
people: { alice: { name: Alice, slack: U0ALICE } }
staff: { people: [alice], channels: { slack: C0STAFF } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { slack: [C0ACME] } }
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h } }
store: { backend: sqlite, path: ${join(dir, 'slawatch.sqlite')} }
`,
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    slack = new SlackRequests(`${base}/slack/events`, SIGNING_SECRET);
    cli = startCli(['start', '--config', config], {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
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
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: true, platforms: true } });
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

  it('never writes a token to its logs', () => {
    expect(cli.stderr()).toMatch(/"msg":"Slack connected"/);
    expect(cli.stderr()).not.toContain(BOT_TOKEN);
    expect(cli.stderr()).not.toContain(SIGNING_SECRET);
  });

  it('stops cleanly on SIGTERM', async () => {
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});
