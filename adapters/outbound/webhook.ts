/**
 * Webhooks: one JSON POST per notification, signed so the receiver can tell
 * it came from slawatch and is fresh (README, "Pagers, webhooks and e-mail"):
 *
 *   Content-Type: application/json
 *   X-Slawatch-Event: notification | acknowledge | resolve
 *   X-Slawatch-Timestamp: <unix seconds>
 *   X-Slawatch-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 *   Idempotency-Key: <the notification's key>   (the same on every attempt)
 *
 * Any 2xx is delivered; anything else, or no answer within the timeout, is
 * a failure the outbox retries with back-off. A resend after a crash carries
 * the same Idempotency-Key (and body), so a receiver that keeps the keys it
 * has seen turns it into nothing.
 */
import { createHmac } from 'node:crypto';
import type { ExternalMessage, OutboundPort } from '../../src/service/messages.js';

export const SIGNATURE_HEADER = 'X-Slawatch-Signature';
export const TIMESTAMP_HEADER = 'X-Slawatch-Timestamp';
export const EVENT_HEADER = 'X-Slawatch-Event';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export interface WebhookTarget {
  url: string;
  /** The signing secret (from the environment). */
  secret: string;
  timeoutMs: number;
}

/** The signature of a body at a timestamp: what a receiver recomputes and compares. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class WebhookTransport implements OutboundPort {
  readonly via = 'webhook';

  constructor(
    private readonly targets: ReadonlyMap<string, WebhookTarget>,
    private readonly now: () => number = Date.now,
  ) {}

  async send(message: ExternalMessage, options: { idempotencyKey: string; resend: boolean }): Promise<void> {
    if (message.via !== 'webhook') throw new Error(`the webhook transport cannot send a ${message.via} message`);
    const target = this.targets.get(message.name);
    if (!target) throw new Error(`no webhook "${message.name}"`);
    const body = JSON.stringify(message.body);
    const timestamp = String(Math.floor(this.now() / 1000));
    const response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'slawatch',
        [EVENT_HEADER]: message.body.event,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhook(target.secret, timestamp, body),
        [IDEMPOTENCY_HEADER]: options.idempotencyKey,
      },
      body,
      signal: AbortSignal.timeout(target.timeoutMs),
      redirect: 'error',
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`webhook "${message.name}" answered ${response.status}`);
  }
}
