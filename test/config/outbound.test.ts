/**
 * Contact methods and targets outside chat in the config: every wrong
 * reference named with its path and line; secrets refused in the file; the
 * variables the transports need, named at start and never echoed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventsUrl, OutboundEnvError, readOutbound, routingKeyVariable } from '../../adapters/outbound/index.js';
import { parseConfig } from '../../src/config/load.js';
import { problemsOf } from '../helpers/config-problems.js';
import { FakeEventsApi } from '../../testkit/outbound-receivers.js';

const BASE = `
people:
  alice: { name: Alice, email: alice@example.com, phone: "+4930123456", pagerduty: db }
  bob: { name: Bob }
tiers:
  standard:
    targets: { default: { firstResponse: 1h } }
pagerduty:
  services:
    db: {}
    web: { routingKeyEnv: PD_WEB_KEY, severity: critical }
webhooks:
  goalert: { url: "https://goalert.example.com/api/v2/generic/incoming", secretEnv: GOALERT_SECRET }
email:
  groups: { leads: [alice, ops@example.com] }
escalation:
  policies:
    default:
      levels:
        - { notify: [pagerduty:db, pagerduty:alice, webhook:goalert, email:alice, email:leads] }
`;

describe('targets outside chat in the config', () => {
  it('accepts people with e-mail, phone and a PagerDuty service, and the targets that name them', () => {
    const config = parseConfig(BASE);
    expect(config.people.alice).toMatchObject({ email: 'alice@example.com', phone: '+4930123456', pagerduty: 'db' });
    expect(config.escalation.policies.default?.levels[0]?.notify).toHaveLength(5);
    expect(config.email.from).toBe('slawatch <slawatch@localhost>');
  });

  it('names the path and line of an unknown webhook, a person without a PagerDuty service or e-mail, a bad phone', () => {
    const bad = BASE.replace('- { notify: [pagerduty:db, pagerduty:alice, webhook:goalert, email:alice, email:leads] }', '- { notify: [pagerduty:nope, pagerduty:bob, webhook:slack-ops, email:bob, email:nobody] }')
      .replace('leads: [alice, ops@example.com]', 'leads: [alice, bob, ghost]')
      .replace('phone: "+4930123456"', 'phone: "030 123456"');
    expect(problemsOf(bad)).toEqual([
      'people.alice.phone: expected a phone number in E.164 form, such as +4930123456 (line 3)',
      'email.groups.leads[1]: person "bob" has no email (people.bob.email) (line 15)',
      'email.groups.leads[2]: unknown person "ghost" (a group lists person ids or e-mail addresses) (line 15)',
      'escalation.policies.default.levels[0].notify[1]: person "bob" has no PagerDuty service (people.bob.pagerduty) (line 20)',
      'escalation.policies.default.levels[0].notify[2]: unknown webhook "slack-ops" (declare it under webhooks) (line 20)',
      'escalation.policies.default.levels[0].notify[3]: person "bob" has no email (people.bob.email) (line 20)',
      'escalation.policies.default.levels[0].notify[4]: unknown person or e-mail group "nobody" (line 20)',
    ]);
  });

  it('wants a webhook secret one way', () => {
    expect(problemsOf(BASE.replace('secretEnv: GOALERT_SECRET', 'secret: "${GOALERT_SECRET}", secretEnv: GOALERT_SECRET'))).toEqual([
      'webhooks.goalert: a webhook needs its signing secret: secretEnv (the variable that holds it) or secret (${NAME} reads the variable NAME), not both (line 13)',
    ]);
    expect(problemsOf(BASE.replace(', secretEnv: GOALERT_SECRET', ''))).toHaveLength(1);
  });
});

describe('the transports, from the environment', () => {
  it('lists every missing variable at once, never a value', () => {
    const config = parseConfig(BASE);
    let error: unknown;
    try {
      readOutbound(config, { PD_WEB_KEY: 'secret-web-key', PAGERDUTY_EVENTS_URL: 'ftp://nope' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(OutboundEnvError);
    expect((error as OutboundEnvError).problems).toEqual([
      'PAGERDUTY_ROUTING_KEY_DB is not set (the Events API v2 routing key of PagerDuty service "db", pagerduty.services.db)',
      'PAGERDUTY_EVENTS_URL is not an http(s) URL',
      'GOALERT_SECRET is not set (the signing secret of webhook "goalert", webhooks.goalert.secretEnv)',
      'SMTP_URL is not set (an escalation policy names an email: target)',
    ]);
    expect(String(error)).not.toContain('secret-web-key');
  });

  it('reads ${NAME} from the environment; takes a secret written in the file, warning without its value', () => {
    const text = BASE.replace('secretEnv: GOALERT_SECRET', 'secret: "${HOOK_SECRET}"').replace('web: { routingKeyEnv: PD_WEB_KEY, severity: critical }', 'web: { routingKey: literal-web-key }');
    expect(() => readOutbound(parseConfig(text), { PAGERDUTY_ROUTING_KEY: 'k', SMTP_URL: 'smtp://127.0.0.1:2525' })).toThrow(
      'HOOK_SECRET is not set (the signing secret of webhook "goalert", webhooks.goalert.secret)',
    );
    // PAGERDUTY_ROUTING_KEY serves every service without its own variable.
    const outbound = readOutbound(parseConfig(text), { PAGERDUTY_ROUTING_KEY: 'k', HOOK_SECRET: 's', SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(outbound.warnings).toEqual(['pagerduty.services.web.routingKey is written in the config file; put it in an environment variable (${NAME}) so it stays out of the file']);
    expect(outbound.warnings.join('')).not.toContain('literal-web-key');
    outbound.close();
  });

  it('builds one transport per kind in use, and says so', () => {
    const outbound = readOutbound(parseConfig(BASE), { PAGERDUTY_ROUTING_KEY_DB: 'k1', PD_WEB_KEY: 'k2', GOALERT_SECRET: 's', SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(outbound.ports.map((p) => p.via)).toEqual(['pagerduty', 'webhook', 'email']);
    expect(outbound.lines).toEqual(['PagerDuty: on (db, web)', 'webhooks: on (goalert)', 'e-mail: on (SMTP_URL)']);
    outbound.close();
    expect(routingKeyVariable('eu-db.primary')).toBe('PAGERDUTY_ROUTING_KEY_EU_DB_PRIMARY');
    // PAGERDUTY_EVENTS_URL: the endpoint, or a bare host whose /v2/enqueue is meant.
    expect(eventsUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/v2/enqueue');
    expect(eventsUrl('http://127.0.0.1:8080/custom/path')).toBe('http://127.0.0.1:8080/custom/path');
    expect(eventsUrl('ftp://x')).toBeUndefined();
  });

  describe('a PagerDuty service named but not declared under pagerduty.services', () => {
    const UNDECLARED = `
people:
  alice: { name: Alice, pagerduty: PDB0001 }
tiers:
  standard:
    targets: { default: { firstResponse: 1h } }
escalation:
  policies:
    default:
      levels:
        - { notify: [pagerduty:alice, pagerduty:R0UTINGKEY0WEB] }
`;
    let api: FakeEventsApi | undefined;
    afterEach(async () => api?.close());

    /** Triggers one event for each service through the transport the config and environment make; the routing keys the API got. */
    async function routingKeysSent(env: Record<string, string>): Promise<{ keys: string[]; warnings: string[] }> {
      api = new FakeEventsApi([]);
      await api.start();
      const outbound = readOutbound(parseConfig(UNDECLARED), { PAGERDUTY_EVENTS_URL: api.url, ...env });
      const port = outbound.ports.find((p) => p.via === 'pagerduty');
      for (const service of ['PDB0001', 'R0UTINGKEY0WEB']) {
        await port?.send({ via: 'pagerduty', service, event: { action: 'resolve', dedupKey: `slawatch-1-first_response-1` } }, { idempotencyKey: service, resend: false }).catch(() => undefined);
      }
      outbound.close();
      return { keys: api.events.map((e) => e.routingKey), warnings: outbound.warnings };
    }

    it('is accepted by the config, and pages with its own variable, else the shared one', async () => {
      expect(problemsOf(UNDECLARED)).toEqual([]);
      expect((await routingKeysSent({ PAGERDUTY_ROUTING_KEY_PDB0001: 'key-db', PAGERDUTY_ROUTING_KEY: 'key-shared' })).keys).toEqual(['key-db', 'key-shared']);
    });

    it('with no variable set, its name is the routing key, and the start warns without showing it', async () => {
      const { keys, warnings } = await routingKeysSent({});
      expect(keys).toEqual(['PDB0001', 'R0UTINGKEY0WEB']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/2 PagerDuty target\(s\) name no service/);
      expect(warnings.join('')).not.toMatch(/PDB0001|R0UTINGKEY0WEB/);
    });
  });
});

