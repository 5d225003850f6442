/**
 * Posting what the use cases produce through the platforms' ports: a
 * ticket's acknowledgement and state changes in its thread, announcements,
 * direct messages. (Staff notifications and incident notices go through the
 * outbox, at most once per key.) A failed post is logged, never lost
 * silently.
 */
import type { Platform } from '../domain/ticket.js';
import type { DeskContext } from './context.js';
import { describe, type Logger } from './logger.js';
import type { ChatPort, Outbound, SentRef } from './messages.js';
import { formatKey } from './notification-key.js';

export class Poster {
  private readonly ports = new Map<Platform, ChatPort>();

  constructor(
    private readonly ctx: DeskContext,
    private readonly log: Logger,
  ) {}

  attach(port: ChatPort): void {
    this.ports.set(port.platform, port);
  }

  detach(platform: Platform): void {
    this.ports.delete(platform);
  }

  /** The platforms connected now, in the order they were attached. */
  get platforms(): Platform[] {
    return [...this.ports.keys()];
  }

  /**
   * Posts messages a use case produced, in order. A store failure while
   * acknowledging a ticket is thrown, so the event that opened it is refused
   * and delivered again.
   */
  async post(outbound: readonly Outbound[]): Promise<void> {
    for (const message of outbound) {
      const port = this.ports.get(message.platform);
      if (!port) {
        this.log.warn({ platform: message.platform }, 'no connection for this platform; message not posted');
        continue;
      }
      if (message.type === 'thread' && message.ack) {
        await this.acknowledge(port, message, message.ack.resend);
        continue;
      }
      try {
        await port.send(message);
      } catch (err) {
        this.log.error({ platform: message.platform, channel: message.channelId, err: describe(err) }, 'post failed');
      }
    }
  }

  /**
   * Posts a ticket's acknowledgement unless the ticket records it posted, then
   * records it — under a lock per ticket, so two deliveries of the opening
   * message on two replicas do not both post it. A redelivery (`resend`) asks
   * the platform first whether an attempt of a process that died got through.
   */
  private async acknowledge(port: ChatPort, message: Extract<Outbound, { type: 'thread' }>, resend: boolean): Promise<void> {
    const id = message.ticketId;
    await this.ctx.store.withLock(`ack:${id}`, async () => {
      if ((await this.ctx.store.get(id))?.ack?.status !== 'pending') return;
      if (resend) this.log.info({ ticket: id }, 'the acknowledgement of this ticket was not recorded by an earlier delivery; posting it unless the thread has it');
      let ref: SentRef | undefined;
      try {
        ref = await port.send(message, { idempotencyKey: formatKey({ kind: 'ack', ticketId: id }), resend });
      } catch (err) {
        this.log.error({ platform: message.platform, channel: message.channelId, ticket: id, err: describe(err) }, 'acknowledgement not posted; a redelivery of the message will post it');
        return;
      }
      const posted = { status: 'posted' as const, at: this.ctx.now(), ...(ref ? { ref: ref.messageId } : {}) };
      await this.ctx.store.update(id, (ticket) => (ticket.ack?.status === 'pending' ? { ...ticket, ack: posted } : undefined));
    });
  }
}
