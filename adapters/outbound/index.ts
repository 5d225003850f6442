/**
 * The transports to targets outside chat, from the config and the
 * environment, checked once at start: every missing routing key, secret or
 * SMTP_URL the config needs is reported at once, by variable name; values
 * are never echoed.
 *
 *   PAGERDUTY_EVENTS_URL            the Events API v2 endpoint (default PagerDuty's)
 *   PAGERDUTY_ROUTING_KEY_<SERVICE> a service's routing key (or the variable its routingKeyEnv names;
 *                                   PAGERDUTY_ROUTING_KEY for every service without its own; a service
 *                                   that pagerduty.services does not declare, with neither set: its name)
 *   <webhooks.<name>.secretEnv>     a webhook's signing secret (or `secret: ${NAME}`)
 *   SMTP_URL                        the SMTP server (smtp://user:pass@host:587, smtps://…)
 */
import type { Config } from '../../src/config/schema.js';
import { pagerdutyServiceOf } from '../../src/escalation/ladder.js';
import type { OutboundPort } from '../../src/service/messages.js';
import { EmailTransport } from './email.js';
import { DEFAULT_PAGERDUTY_EVENTS_URL, PagerDutyTransport } from './pagerduty.js';
import { WebhookTransport, type WebhookTarget } from './webhook.js';

export class OutboundEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Pagers, webhooks or e-mail are not configured correctly:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'OutboundEnvError';
  }
}

export interface Outbound {
  ports: OutboundPort[];
  /** One line per kind in use, said at start. */
  lines: string[];
  /** Secrets written into the config file itself (they work; they belong in the environment): said at start, never their values. */
  warnings: string[];
  close(): void;
}

/** The variable a PagerDuty service's routing key is read from by default. */
export function routingKeyVariable(serviceId: string): string {
  return `PAGERDUTY_ROUTING_KEY_${serviceId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The Events API endpoint: the URL given, or — given a bare host (`http://127.0.0.1:8080`) — its `/v2/enqueue`. */
export function eventsUrl(given: string): string | undefined {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v2/enqueue';
  return url.toString();
}

/** The PagerDuty services the config pages without declaring them under pagerduty.services (ladder targets, people's `pagerduty`). */
export function undeclaredPagerdutyServices(config: Config): string[] {
  const named = new Set<string>();
  for (const person of Object.values(config.people)) if (person.pagerduty) named.add(person.pagerduty);
  for (const policy of Object.values(config.escalation.policies)) {
    for (const target of [...policy.warn, ...policy.levels.flatMap((l) => l.notify)]) {
      if (target.startsWith('pagerduty:')) named.add(pagerdutyServiceOf(target.slice('pagerduty:'.length), config));
    }
  }
  return [...named].filter((id) => !config.pagerduty.services[id]);
}

/** Whether the config sends e-mail anywhere (a ladder names an `email:` target). */
function usesEmail(config: Config): boolean {
  return Object.values(config.escalation.policies).some((p) => [...p.warn, ...p.levels.flatMap((l) => l.notify)].some((t) => t.startsWith('email:')));
}

/** Builds the transports the config needs; throws OutboundEnvError listing every problem. */
export function readOutbound(config: Config, env: NodeJS.ProcessEnv): Outbound {
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;
  const warnings: string[] = [];
  /** A secret as the config gives it: `${NAME}` is the variable NAME (its name, when unset, in `missing`); else the value itself. */
  const secretOf = (given: string, where: string): { value?: string; missing?: string } => {
    const reference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(given.trim())?.[1];
    if (reference) {
      const found = value(reference);
      return found ? { value: found } : { missing: reference };
    }
    warnings.push(`${where} is written in the config file; put it in an environment variable (\${NAME}) so it stays out of the file`);
    return { value: given };
  };
  // An attempt must end well within the send lease, or another replica could take the send over while it runs.
  const timeoutMs = Math.max(500, Math.min(10_000, Math.floor(config.notifications.sendLease / 2)));
  const ports: OutboundPort[] = [];
  const lines: string[] = [];
  let email: EmailTransport | undefined;

  const services = Object.entries(config.pagerduty.services);
  const undeclared = undeclaredPagerdutyServices(config);
  if (services.length || undeclared.length) {
    const routingKeys = new Map<string, string>();
    // A service named only in a ladder or on a person: its own variable, the shared one, else the name is the
    // integration key itself (`pagerduty:<routing key>`, as Alertmanager's routing_key) — said at start, never shown.
    let keysInFile = 0;
    for (const id of undeclared) {
      const key = value(routingKeyVariable(id)) ?? value('PAGERDUTY_ROUTING_KEY');
      if (!key) keysInFile++;
      routingKeys.set(id, key ?? id);
    }
    if (keysInFile) {
      warnings.push(
        `${keysInFile} PagerDuty target(s) name no service of pagerduty.services and no PAGERDUTY_ROUTING_KEY_<NAME> or PAGERDUTY_ROUTING_KEY is set: the name after "pagerduty:" is sent as the routing key; declare the services to keep keys out of the file`,
      );
    }
    for (const [id, service] of services) {
      const what = `the Events API v2 routing key of PagerDuty service "${id}"`;
      if (service.routingKey !== undefined) {
        const key = secretOf(service.routingKey, `pagerduty.services.${id}.routingKey`);
        if (key.value) routingKeys.set(id, key.value);
        else problems.push(`${key.missing} is not set (${what}, pagerduty.services.${id}.routingKey)`);
        continue;
      }
      const variable = service.routingKeyEnv ?? routingKeyVariable(id);
      // One integration for every service: PAGERDUTY_ROUTING_KEY, unless the service names its own variable.
      const key = value(variable) ?? (service.routingKeyEnv ? undefined : value('PAGERDUTY_ROUTING_KEY'));
      if (key) routingKeys.set(id, key);
      else problems.push(`${variable} is not set (${what}, pagerduty.services.${id}${service.routingKeyEnv ? '.routingKeyEnv' : ''})`);
    }
    const url = eventsUrl(value('PAGERDUTY_EVENTS_URL') ?? DEFAULT_PAGERDUTY_EVENTS_URL);
    if (!url) problems.push('PAGERDUTY_EVENTS_URL is not an http(s) URL');
    ports.push(new PagerDutyTransport({ url: url ?? DEFAULT_PAGERDUTY_EVENTS_URL, routingKeys, timeoutMs }));
    lines.push(`PagerDuty: on (${services.length ? services.map(([id]) => id).join(', ') : 'services named in the ladder'})`);
  }

  const hooks = Object.entries(config.webhooks);
  if (hooks.length) {
    const targets = new Map<string, WebhookTarget>();
    for (const [name, hook] of hooks) {
      const secret = hook.secretEnv !== undefined ? { value: value(hook.secretEnv), missing: hook.secretEnv } : secretOf(hook.secret ?? '', `webhooks.${name}.secret`);
      const where = hook.secretEnv !== undefined ? 'secretEnv' : 'secret';
      if (!secret.value) problems.push(`${secret.missing} is not set (the signing secret of webhook "${name}", webhooks.${name}.${where})`);
      else targets.set(name, { url: hook.url, secret: secret.value, timeoutMs: Math.min(hook.timeout ?? timeoutMs, timeoutMs) });
    }
    ports.push(new WebhookTransport(targets));
    lines.push(`webhooks: on (${hooks.map(([name]) => name).join(', ')})`);
  }

  const smtpUrl = value('SMTP_URL');
  if (smtpUrl) {
    if (!/^smtps?:\/\//.test(smtpUrl)) problems.push('SMTP_URL is not an smtp:// or smtps:// URL');
    else {
      email = new EmailTransport({ smtpUrl, from: config.email.from, timeoutMs });
      ports.push(email);
      lines.push('e-mail: on (SMTP_URL)');
    }
  } else if (usesEmail(config)) {
    problems.push('SMTP_URL is not set (an escalation policy names an email: target)');
  }

  if (problems.length) {
    email?.close();
    throw new OutboundEnvError(problems);
  }
  return { ports, lines, warnings, close: () => email?.close() };
}
