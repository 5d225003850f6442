/**
 * The discord.js client slawatch runs: the intents it needs (guild channels
 * and threads, guild messages, and their content — a privileged intent to
 * enable in the Developer Portal), REST pointed at DISCORD_API_URL (the
 * gateway address then comes from its GET /gateway/bot), and mentions off
 * by default: a message pings only the ids its `allowed_mentions` names.
 */
import { Client, GatewayIntentBits, Partials } from 'discord.js';
import type { DiscordEnv } from './env.js';

export function createDiscordClient(settings: Pick<DiscordEnv, 'apiUrl'>): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    // Interactions in a thread the client has not cached still resolve their channel (and its parent).
    partials: [Partials.Channel],
    allowedMentions: { parse: [], repliedUser: false },
    rest: { api: settings.apiUrl },
  });
}
