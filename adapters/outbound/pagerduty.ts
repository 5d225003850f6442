/**
 * PagerDuty, over the Events API v2 (plain HTTP, one JSON POST per event):
 * `trigger` with the ticket's and clock's dedup key, `acknowledge` and
 * `resolve` with the same key. PagerDuty joins every event with one dedup key
 * to one alert, so an event resent after a crash changes nothing. The routing
 * (integration) key of each service is read from the environment and never
 * stored, logged or echoed.
 */
import type { ExternalMessage, OutboundPort } from '../../src/service/messages.js';

export const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerDutyOptions {
  /** PAGERDUTY_EVENTS_URL, else PagerDuty's own. */
  url: string;
  /** Routing key per service id of the config. */
  routingKeys: ReadonlyMap<string, string>;
  /** How long one request may take (ms). */
  timeoutMs: number;
}

export class PagerDutyTransport implements OutboundPort {
  readonly via = 'pagerduty';

  constructor(private readonly options: PagerDutyOptions) {}

  async send(message: ExternalMessage): Promise<void> {
    if (message.via !== 'pagerduty') throw new Error(`the PagerDuty transport cannot send a ${message.via} message`);
    const routingKey = this.options.routingKeys.get(message.service);
    if (!routingKey) throw new Error(`no routing key for PagerDuty service "${message.service}"`);
    const { event } = message;
    const body = {
      routing_key: routingKey,
      event_action: event.action,
      dedup_key: event.dedupKey,
      client: 'slawatch',
      ...(event.payload
        ? {
            payload: {
              summary: event.payload.summary,
              source: event.payload.source,
              severity: event.payload.severity,
              timestamp: event.payload.timestamp,
              ...(event.payload.component ? { component: event.payload.component } : {}),
              ...(event.payload.group ? { group: event.payload.group } : {}),
              ...(event.payload.class ? { class: event.payload.class } : {}),
              ...(event.payload.customDetails ? { custom_details: event.payload.customDetails } : {}),
            },
          }
        : {}),
      ...(event.links?.length ? { links: event.links } : {}),
    };
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'slawatch' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    // 202 Accepted is PagerDuty's answer; any 2xx from a compatible receiver counts.
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const text = (await response.text().catch(() => '')).slice(0, 300);
    throw new Error(`PagerDuty answered ${response.status} to ${event.action} ${event.dedupKey}${text ? `: ${text.replaceAll(routingKey, '[redacted]')}` : ''}`);
  }
}
