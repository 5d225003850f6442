/**
 * An outage, outside chat: 500 tickets breach at the same instant, each step
 * naming a PagerDuty service, a webhook and an e-mail recipient, against the
 * receivers of testkit/ on 127.0.0.1 (real HTTP, real SMTP). How long until
 * every trigger, webhook and e-mail is taken — and the same with the webhook
 * receiver hanging (it never answers): the pager and the e-mail must not wait
 * for it.
 */
import { parseConfig } from '../src/config/load.js';
import type { Ticket } from '../src/domain/ticket.js';
import { App } from '../src/app/app.js';
import { silentLogger } from '../src/service/logger.js';
import type { ChatPort, SentRef } from '../src/service/messages.js';
import { openMemoryStore } from '../src/store/open.js';
import { readOutbound } from '../adapters/outbound/index.js';
import { FakeEventsApi, SmtpReceiver, WebhookReceiver } from '../testkit/outbound-receivers.js';
import type { BenchFigure } from './run.js';

const TICKETS = 500;
const HOUR = 3_600_000;
const ROUTING_KEY = 'R0UTINGKEYBENCH00000000000000001';
const SECRET = 'bench-secret';

const config = (hookUrl: string) => `
people: { alice: { name: Alice, email: alice@example.com } }
staff: { people: [alice], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme, tier: enterprise, channels: { shell: [acme] } }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h }
escalation:
  warnAt: []
  policies:
    default:
      levels: [{ notify: [person:alice, pagerduty:db, webhook:hook, email:alice], delay: 1h }]
pagerduty: { services: { db: {} } }
webhooks: { hook: { url: "${hookUrl}", secretEnv: HOOK_SECRET } }
notifications: { sendLease: 20s }
`;

const quietPort: ChatPort = {
  platform: 'shell',
  send: async (message): Promise<SentRef> => ({ platform: 'shell', channelId: message.channelId, messageId: String(Date.now()) }),
};

async function outage(hangingWebhook: boolean): Promise<{ pagerMs: number; mailMs: number; webhookMs: number | null }> {
  const pd = new FakeEventsApi([ROUTING_KEY]);
  const hook = new WebhookReceiver(SECRET);
  const smtp = new SmtpReceiver();
  await Promise.all([pd.start(), hook.start(), smtp.start()]);
  if (hangingWebhook) hook.hold();
  const parsed = parseConfig(config(hook.url));
  const store = openMemoryStore();
  const now = Date.now();
  for (let id = 1; id <= TICKETS; id++) {
    const ticket: Ticket = {
      id,
      customer: 'acme',
      platform: 'shell',
      channelId: 'acme',
      threadId: `t${id}`,
      events: [{ type: 'opened', at: now - HOUR, customer: 'acme', tier: 'enterprise', severity: 'high', text: 'the API returns 500s' }],
      notifications: {},
      version: 1,
    };
    await store.create(ticket);
  }
  const outbound = readOutbound(parsed, { PAGERDUTY_ROUTING_KEY_DB: ROUTING_KEY, HOOK_SECRET: SECRET, SMTP_URL: smtp.url, PAGERDUTY_EVENTS_URL: pd.url });
  const app = new App({ config: parsed, store, logger: silentLogger });
  app.attach(quietPort);
  for (const port of outbound.ports) app.attachOutbound(port);
  const start = performance.now();
  await app.start();
  let pagerMs = NaN;
  let mailMs = NaN;
  let webhookMs: number | null = null;
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const elapsed = performance.now() - start;
    if (Number.isNaN(pagerMs) && pd.accepted.length >= TICKETS) pagerMs = elapsed;
    if (Number.isNaN(mailMs) && smtp.messages.length >= TICKETS) mailMs = elapsed;
    if (webhookMs === null && hook.requests.filter((r) => r.accepted).length >= TICKETS) webhookMs = elapsed;
    if (!Number.isNaN(pagerMs) && !Number.isNaN(mailMs) && (hangingWebhook || webhookMs !== null)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  app.outbox.close();
  app.scheduler.stop();
  outbound.close();
  await Promise.all([pd.close(), hook.close(), smtp.close()]);
  return { pagerMs, mailMs, webhookMs };
}

export async function bench(): Promise<BenchFigure[]> {
  const healthy = await outage(false);
  const hanging = await outage(true);
  return [
    { name: `${TICKETS} breaches at once: every PagerDuty trigger taken`, value: Math.round(healthy.pagerMs), unit: 'ms' },
    { name: `${TICKETS} breaches at once: every signed webhook taken`, value: Math.round(healthy.webhookMs ?? NaN), unit: 'ms' },
    { name: `${TICKETS} breaches at once: every e-mail taken (one pooled SMTP connection)`, value: Math.round(healthy.mailMs), unit: 'ms' },
    { name: 'the same with the webhook hanging: every trigger taken', value: Math.round(hanging.pagerMs), unit: 'ms', note: 'the webhook queue waits on its own' },
    { name: 'the same with the webhook hanging: every e-mail taken', value: Math.round(hanging.mailMs), unit: 'ms' },
  ];
}
