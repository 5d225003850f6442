/**
 * Gateway message events → the desk. MESSAGE_CREATE, MESSAGE_UPDATE and
 * MESSAGE_DELETE are read from discord.js's raw dispatch stream (the JSON the
 * gateway sent), translated by inbound.ts and handed to `desk.receiveMessage`,
 * `messageEdited` and `messageDeleted`; each message moves its customer
 * channel's reconciliation cursor.
 *
 * Work is queued per customer channel: a ticket's thread and its channel
 * share one queue, so an edit never overtakes its message, and
 * reconciliation (reconcile.ts) takes the same queue, so a missed message
 * fetched over REST never races the same message from the gateway.
 */
import { GatewayDispatchEvents, type Client } from 'discord.js';
import type { SupportDesk } from '../../src/service/desk-port.js';
import { describe, type Logger } from '../../src/service/logger.js';
import type { CursorBook } from '../common/cursors.js';
import type { ChannelMap, Place } from './channel-map.js';
import { asWireMessage, isConversation, isFromBot, textOf, toIncoming, type WireMessage } from './inbound.js';
import type { RoleDirectory } from './roles.js';
import type { KeyedSerial } from '../common/serial.js';

export interface IntakeDeps {
  desk: SupportDesk;
  client: Client;
  channels: ChannelMap;
  roles: RoleDirectory;
  cursors: CursorBook;
  serial: KeyedSerial;
  log: Logger;
}

export class MessageIntake {
  constructor(private readonly deps: IntakeDeps) {}

  /** Subscribes to the raw dispatches (discord.js hands their `d` untyped, hence the checks in asWireMessage). */
  listen(): void {
    const { client, log } = this.deps;
    const guard = (what: string, work: Promise<unknown>) =>
      void work.catch((err: unknown) => log.error({ err: describe(err) }, `discord: ${what} failed`));
    client.ws.on(GatewayDispatchEvents.MessageCreate, (data: unknown) => {
      const message = asWireMessage(data);
      if (message) guard('message', this.created(message));
    });
    client.ws.on(GatewayDispatchEvents.MessageUpdate, (data: unknown) => {
      const message = asWireMessage(data);
      if (message) guard('edit', this.updated(message));
    });
    client.ws.on(GatewayDispatchEvents.MessageDelete, (data: unknown) => {
      const message = asWireMessage(data);
      if (message) guard('deletion', this.deleted(message.channel_id, [message.id]));
    });
    client.ws.on(GatewayDispatchEvents.MessageDeleteBulk, (data: { ids?: unknown; channel_id?: unknown }) => {
      const ids = Array.isArray(data.ids) ? data.ids.filter((id): id is string => typeof id === 'string') : [];
      if (typeof data.channel_id === 'string') guard('deletion', this.deleted(data.channel_id, ids));
    });
    client.ws.on(GatewayDispatchEvents.ThreadCreate, (data: { id?: unknown; parent_id?: unknown }) => {
      if (typeof data.id === 'string' && typeof data.parent_id === 'string' && this.deps.channels.isBound(data.parent_id)) {
        this.deps.channels.rememberThread(data.id, data.parent_id, true);
      }
    });
  }

  /** A message was posted. Resolves once it is recorded. */
  async created(message: WireMessage): Promise<void> {
    const place = this.deps.channels.resolve(message.channel_id);
    if (!place.bound) return;
    await this.deps.serial.run(place.channelId, async () => {
      if (isConversation(message)) await this.record(message, place);
      await this.deps.cursors.advance(place.channelId, message.id);
    });
  }

  private async record(message: WireMessage, place: Place): Promise<void> {
    const { desk, client, roles, channels } = this.deps;
    const botUserId = client.user?.id;
    const groups = isFromBot(message, botUserId) ? [] : await roles.rolesOf(message);
    const outcome = await desk.receiveMessage(toIncoming(message, place, groups, botUserId));
    if (outcome.kind === 'opened') channels.rememberThread(outcome.ticket.threadId, outcome.ticket.channelId, channels.threadExists(outcome.ticket.threadId));
  }

  /** An edit: only a changed text matters (Discord also sends updates for link previews, without content). */
  async updated(message: WireMessage): Promise<void> {
    if (message.content === undefined || isFromBot(message, this.deps.client.user?.id)) return;
    const place = this.deps.channels.resolve(message.channel_id);
    if (!place.bound) return;
    const at = message.edited_timestamp ? Date.parse(message.edited_timestamp) : this.deps.desk.now();
    await this.deps.serial.run(place.channelId, () =>
      this.deps.desk.messageEdited('discord', place.channelId, message.id, textOf(message), Number.isFinite(at) ? at : this.deps.desk.now()),
    );
  }

  /** Deletions carry no timestamp: they are noted at the time they arrive. */
  async deleted(channelId: string, ids: readonly string[]): Promise<void> {
    const place = this.deps.channels.resolve(channelId);
    if (!place.bound) return;
    await this.deps.serial.run(place.channelId, async () => {
      for (const id of ids) await this.deps.desk.messageDeleted('discord', place.channelId, id, this.deps.desk.now());
    });
  }
}
