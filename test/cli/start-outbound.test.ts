/**
 * `slawatch start` as a user runs it, with PagerDuty, a webhook and SMTP
 * pointed at real receivers on 127.0.0.1: one trigger per ticket and clock,
 * acknowledge on claim, resolve on the staff reply, valid signatures, the
 * account engineer's message at open — and a SIGKILL in the middle of a
 * send, then a restart: what arrived is counted, not deduplicated.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../testkit/fake-slack.js';
import { FakeEventsApi, SmtpReceiver, WebhookReceiver } from '../../testkit/outbound-receivers.js';
import { freePort } from '../../testkit/replicas.js';
import { messageEvent, SlackRequests } from '../../testkit/slack-requests.js';
import { startCli, untilStatus, type RunningCli } from '../helpers/run-cli.js';

const ROUTING_KEY = 'R0UTINGKEYSTARTTEST0000000000001';
const SECRET = 'whsec-start-test-0123456789';

const config = (hookUrl: string) => `
people:
  alice: { name: Alice, email: alice@example.com }
  carol: { name: Carol, email: carol@example.com }
staff: { people: [alice, carol], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] }, accountEngineer: carol }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h }
      urgent: { firstResponse: immediate }
escalation:
  policies:
    default:
      levels:
        - { notify: [person:alice, pagerduty:db, webhook:goalert, email:alice], delay: 1h }
pagerduty: { services: { db: {} } }
webhooks: { goalert: { url: "${hookUrl}", secretEnv: GOALERT_SECRET } }
email: { from: "slawatch <slawatch@example.com>" }
notifications: { sendLease: 2s, retryAfter: 1s }
`;

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tally = (keys: string[]) => keys.reduce<Record<string, number>>((out, k) => ({ ...out, [k]: (out[k] ?? 0) + 1 }), {});

describe('slawatch start with PagerDuty, a webhook and e-mail', () => {
  const pd = new FakeEventsApi([ROUTING_KEY]);
  const hook = new WebhookReceiver(SECRET);
  const smtp = new SmtpReceiver();
  let dir: string;
  let args: string[];
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    await Promise.all([pd.start(), hook.start(), smtp.start()]);
    dir = await mkdtemp(join(tmpdir(), 'slawatch-outbound-'));
    await writeFile(join(dir, 'slawatch.yaml'), config(hook.url));
    args = ['start', '--config', join(dir, 'slawatch.yaml'), '--store', join(dir, 'store.sqlite'), '--keep-running'];
    env = { PAGERDUTY_EVENTS_URL: pd.url, PAGERDUTY_ROUTING_KEY_DB: ROUTING_KEY, GOALERT_SECRET: SECRET, SMTP_URL: smtp.url };
  });
  afterAll(async () => {
    await Promise.all([pd.close(), hook.close(), smtp.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('pages, acknowledges and resolves once per ticket and clock; a SIGKILL mid-send and a restart duplicate nothing that was taken', async () => {
    const output: string[] = [];
    const kill = async (cli: RunningCli) => {
      cli.child.kill('SIGKILL');
      await cli.exited;
      output.push(...cli.lines);
    };

    // Ticket 1: urgent, so its first response is due at once — paged at open; claimed, then answered.
    let cli = startCli(args, env);
    await cli.waitFor(/PagerDuty: on \(db\)/);
    await cli.waitFor(/slawatch shell/);
    cli.send('/in acme');
    cli.send('Production is down, urgent');
    await cli.waitFor(/Ticket #1 opened/);
    await until('the trigger of #1', () => pd.accepted.length === 1 && hook.requests.length === 1 && smtp.messages.length === 1);
    cli.send('/as alice');
    cli.send('/sla claim');
    await until('the acknowledgement of #1', () => pd.accepted.length === 2 && hook.requests.length === 2);
    cli.send('On it, the database is failing over');
    await until('the resolve of #1', () => pd.accepted.length === 3 && hook.requests.length === 3);

    // Ticket 2: the pager and the webhook take the request but never answer; the bot is killed meanwhile.
    pd.hold();
    hook.hold();
    cli.send('/as dana');
    cli.send('/top');
    cli.send('The EU region is down too, urgent');
    await cli.waitFor(/Ticket #2 opened/);
    await until('the trigger of #2 in flight', () => pd.events.length === 4 && hook.requests.length === 4 && smtp.messages.length === 2);
    await kill(cli);
    await until('the dead sender\'s connections seen closed', () => pd.heldOpen === 0 && hook.heldOpen === 0);
    pd.release();
    hook.release();

    // Restarted: the dead process's sends are taken over when their lease (2 s) ends, with the same keys.
    cli = startCli(args, env);
    await cli.waitFor(/slawatch shell/);
    await until('the resent trigger of #2', () => pd.accepted.length === 4 && hook.requests.filter((r) => r.accepted).length === 4, 20_000);
    // Killed and restarted again once everything was taken: nothing more arrives.
    await new Promise((r) => setTimeout(r, 500));
    await kill(cli);
    const settled = { pd: pd.events.length, hook: hook.requests.length, mail: smtp.messages.length };
    cli = startCli(args, env);
    await cli.waitFor(/slawatch shell/);
    await new Promise((r) => setTimeout(r, 2_500)); // past a lease (2 s) and a retry
    await kill(cli);
    expect({ pd: pd.events.length, hook: hook.requests.length, mail: smtp.messages.length }).toEqual(settled);

    // PagerDuty took each event once: one trigger per ticket and clock, acknowledge on claim, resolve on the reply.
    expect(pd.accepted.map((e) => `${e.action} ${e.dedupKey}`)).toEqual([
      'trigger slawatch-1-firstResponse-1',
      'acknowledge slawatch-1-firstResponse-1',
      'resolve slawatch-1-firstResponse-1',
      'trigger slawatch-2-firstResponse-1',
    ]);
    expect(pd.events.every((e) => e.routingKey === ROUTING_KEY)).toBe(true);
    // What arrived: the trigger of #2 twice — the first never answered (the sender died waiting), the resend with the
    // same dedup key, which PagerDuty joins to the same alert. Nothing else twice.
    expect(tally(pd.events.map((e) => `${e.action} ${e.dedupKey}`))).toEqual({
      'trigger slawatch-1-firstResponse-1': 1,
      'acknowledge slawatch-1-firstResponse-1': 1,
      'resolve slawatch-1-firstResponse-1': 1,
      'trigger slawatch-2-firstResponse-1': 2,
    });
    const [first, resent] = pd.events.filter((e) => e.dedupKey === 'slawatch-2-firstResponse-1');
    expect([first?.accepted, resent?.accepted]).toEqual([false, true]);

    // The webhook: every signature valid; each notification taken once, by its Idempotency-Key.
    expect(hook.requests.every((r) => r.valid)).toBe(true);
    expect(tally(hook.requests.filter((r) => r.accepted).map((r) => `${r.event} ${r.idempotencyKey}`))).toEqual({
      'notification 1/webhook:goalert/firstResponse:1:level1:0': 1,
      'acknowledge 1/webhook:goalert/firstResponse:1:acknowledge': 1,
      'resolve 1/webhook:goalert/firstResponse:1:resolve': 1,
      'notification 2/webhook:goalert/firstResponse:1:level1:0': 1,
    });
    expect(tally(hook.requests.map((r) => r.idempotencyKey))['2/webhook:goalert/firstResponse:1:level1:0']).toBe(2);

    // E-mail: one per ticket's step, never again.
    expect(tally(smtp.messages.map((m) => m.header('Message-ID') ?? ''))).toEqual({
      '<slawatch.1/email=alice/firstResponse=1=level1=0@example.com>': 1,
      '<slawatch.2/email=alice/firstResponse=1=level1=0@example.com>': 1,
    });

    // The account engineer heard of each ticket once, by direct message.
    expect(output.filter((l) => l.startsWith('[dm:carol]')).map((l) => /New ticket #\d/.exec(l)?.[0])).toEqual(['New ticket #1', 'New ticket #2']);
  }, 60_000);
});

describe('slawatch start on Slack with a pager and a webhook', () => {
  it('pages at open from a Slack message, counts the deliveries in /metrics, and never logs a key or a secret', async () => {
    const pd = new FakeEventsApi([ROUTING_KEY]);
    const hook = new WebhookReceiver(SECRET);
    await Promise.all([pd.start(), hook.start()]);
    const fake = await FakeSlack.start();
    const dir = await mkdtemp(join(tmpdir(), 'slawatch-outbound-slack-'));
    let cli: RunningCli | undefined;
    try {
      await writeFile(
        join(dir, 'slawatch.yaml'),
        `
people: { alice: { name: Alice, slack: U0ALICE } }
staff: { people: [alice], channels: { slack: C0STAFF } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { slack: [C0ACME] } }
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h }, urgent: { firstResponse: immediate } }
escalation:
  policies:
    default:
      levels: [{ notify: [person:alice, pagerduty:db, webhook:goalert], delay: 1h }]
pagerduty: { services: { db: {} } }
webhooks: { goalert: { url: "${hook.url}", secret: "\${GOALERT_SECRET}" } }
store: { backend: sqlite, path: ${join(dir, 'slawatch.sqlite')} }
`,
      );
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const signing = 'e2e0a1b2c3d4e5f60718293a4b5c6d7e';
      cli = startCli(['start', '--config', join(dir, 'slawatch.yaml')], {
        SLACK_BOT_TOKEN: 'xoxb-1111111111-2222222222-OUTBOUNDTESTabcdefgh',
        SLACK_SIGNING_SECRET: signing,
        SLACK_API_URL: fake.apiUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'debug',
        PAGERDUTY_EVENTS_URL: pd.baseUrl,
        PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
        GOALERT_SECRET: SECRET,
      });
      await untilStatus(`${base}/readyz`, 200, cli);
      const ts = fake.nextTs();
      await new SlackRequests(`${base}/slack/events`, signing).event(messageEvent({ channel: 'C0ACME', user: 'U0CUSTOMER', ts, text: 'Production is down, urgent' }), { eventId: 'Ev0PAGE1' });
      await until('the trigger', () => pd.accepted.length === 1 && hook.requests.filter((r) => r.accepted).length === 1);
      await fake.channel('C0STAFF').expectMessage(/#1 first response BREACHED/);
      expect(pd.accepted.map((e) => `${e.action} ${e.dedupKey}`)).toEqual(['trigger slawatch-1-firstResponse-1']);
      expect(String((pd.accepted[0]?.links?.[0] as { href?: string } | undefined)?.href)).toMatch(/^https:\/\/slack\.com\/app_redirect\?channel=C0ACME&message_ts=/);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^slawatch_deliveries_sent_total\{target="pagerduty"\} 1$/m);
      expect(metrics).toMatch(/^slawatch_deliveries_sent_total\{target="webhook"\} 1$/m);
      expect(metrics).toMatch(/^slawatch_deliveries_sent_total\{target="slack"\} [1-9]/m);
      const logs = cli.stderr();
      expect(logs).toMatch(/"msg":"PagerDuty: on \(db\)"/);
      expect(logs).toMatch(/"target":"pagerduty:db"/);
      expect(logs).not.toContain(ROUTING_KEY);
      expect(logs).not.toContain(SECRET);
    } finally {
      cli?.child.kill('SIGTERM');
      await cli?.exited;
      await fake.stop();
      await Promise.all([pd.close(), hook.close()]);
      await rm(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
