/**
 * Where a Discord channel id belongs in slawatch's terms. A ticket is bound
 * to the customer's channel; its conversation lives in a thread started on
 * the opening message, and Discord gives that thread the message's own id.
 * So a message in thread T of channel C is, for the core, a message in C
 * whose thread is T — and T is the ticket's thread id.
 */
import type { Client } from 'discord.js';
import type { Config } from '../../src/config/schema.js';
import { customerForChannel } from '../../src/service/context.js';

export interface Place {
  /** The channel the core knows: the customer's channel for its threads, else the channel itself. */
  channelId: string;
  /** Set when the message is in a thread of `channelId`. */
  threadId?: string;
  /** True when `channelId` is bound to a customer. */
  bound: boolean;
}

export class ChannelMap {
  /** thread id → parent channel id, for threads the bot knows as ticket threads. */
  private readonly parents = new Map<string, string>();
  /** Threads known to exist (created by the bot or seen on the gateway). */
  private readonly existing = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly client: Client,
    private readonly defaultGuildId?: string,
  ) {}

  isBound(channelId: string): boolean {
    return customerForChannel(this.config, 'discord', channelId) !== undefined;
  }

  get boundChannels(): string[] {
    return [...new Set(this.config.customers.flatMap((c) => c.channels.discord))];
  }

  customerName(channelId: string): string | undefined {
    return customerForChannel(this.config, 'discord', channelId)?.name;
  }

  rememberThread(threadId: string, parentId: string, exists: boolean): void {
    this.parents.set(threadId, parentId);
    if (exists) this.existing.add(threadId);
  }

  threadExists(threadId: string): boolean {
    return this.existing.has(threadId) || this.client.channels.cache.has(threadId);
  }

  parentOf(channelId: string): string | undefined {
    const known = this.parents.get(channelId);
    if (known) return known;
    const cached = this.client.channels.cache.get(channelId);
    return cached?.isThread() ? (cached.parentId ?? undefined) : undefined;
  }

  /** Where a message posted in the Discord channel `discordChannelId` belongs. */
  resolve(discordChannelId: string): Place {
    if (this.isBound(discordChannelId)) return { channelId: discordChannelId, bound: true };
    const parent = this.parentOf(discordChannelId);
    if (parent) return { channelId: parent, threadId: discordChannelId, bound: this.isBound(parent) };
    return { channelId: discordChannelId, bound: false };
  }

  /** The guild a channel is in, for links and member look-ups. */
  guildOf(channelId: string): string | undefined {
    const channel = this.client.channels.cache.get(channelId) ?? this.client.channels.cache.get(this.parentOf(channelId) ?? '');
    if (channel && 'guildId' in channel && channel.guildId) return channel.guildId;
    if (this.defaultGuildId) return this.defaultGuildId;
    const guilds = [...this.client.guilds.cache.keys()];
    return guilds.length === 1 ? guilds[0] : undefined;
  }

  /** A web link to a channel or thread (opens in the app), when its guild is known. */
  linkTo(channelId: string): string | undefined {
    const guild = this.guildOf(channelId);
    return guild ? `https://discord.com/channels/${guild}/${channelId}` : undefined;
  }
}
