/**
 * The roles of a message's author, for the staff check. Gateway messages
 * carry them (`member.roles`); messages fetched over REST while reconciling
 * do not, so those are looked up: the client's member cache, else one
 * GET /guilds/:guild/members/:user, remembered for a few minutes.
 */
import { Routes, type Client } from 'discord.js';
import { describe, type Logger } from '../../src/service/logger.js';
import type { ChannelMap } from './channel-map.js';
import type { WireMessage } from './inbound.js';

const REMEMBER_MS = 5 * 60_000;

export class RoleDirectory {
  private readonly fetched = new Map<string, { roles: string[]; at: number }>();

  constructor(
    private readonly client: Client,
    private readonly channels: ChannelMap,
    private readonly log: Logger,
  ) {}

  async rolesOf(message: WireMessage): Promise<string[]> {
    if (message.member?.roles) return message.member.roles;
    const userId = message.author?.id;
    const guildId = message.guild_id ?? this.channels.guildOf(message.channel_id);
    if (!userId || !guildId || message.author?.bot) return [];
    const cached = this.client.guilds.cache.get(guildId)?.members.cache.get(userId);
    if (cached) return [...cached.roles.cache.keys()];
    const key = `${guildId}:${userId}`;
    const remembered = this.fetched.get(key);
    if (remembered && Date.now() - remembered.at < REMEMBER_MS) return remembered.roles;
    try {
      const member = (await this.client.rest.get(Routes.guildMember(guildId, userId))) as { roles?: unknown };
      const roles = Array.isArray(member.roles) ? member.roles.filter((r): r is string => typeof r === 'string') : [];
      this.fetched.set(key, { roles, at: Date.now() });
      return roles;
    } catch (err) {
      // A member who left, or a guild we cannot read: no roles, so not staff by role.
      this.log.debug({ guild: guildId, user: userId, err: describe(err) }, 'discord: member roles unavailable');
      return [];
    }
  }
}
