/**
 * The Discord adapter's environment: read once at start-up and validated, so
 * a missing id or a malformed URL stops the bot with a message that says
 * which variable to fix. The token's value never appears in a message.
 */

export const DEFAULT_DISCORD_API_URL = 'https://discord.com/api';

export interface DiscordEnv {
  token: string;
  applicationId: string;
  /** Registers commands in this guild only (instant, for development); otherwise globally. */
  guildId?: string;
  /** REST base without the version (discord.js appends `/v10`); the gateway URL comes from its GET /gateway/bot. */
  apiUrl: string;
}

export class DiscordEnvError extends Error {
  override name = 'DiscordEnvError';
}

const SNOWFLAKE = /^\d{1,20}$/;

export function readDiscordEnv(env: NodeJS.ProcessEnv): DiscordEnv {
  const problems: string[] = [];
  const token = env.DISCORD_TOKEN?.trim() ?? '';
  if (!token) problems.push('DISCORD_TOKEN is not set (the bot token from the Developer Portal, Bot page)');
  else if (/\s/.test(token)) problems.push('DISCORD_TOKEN contains whitespace; paste the bot token alone, without "Bot "');

  const applicationId = env.DISCORD_APPLICATION_ID?.trim() ?? '';
  if (!applicationId) problems.push('DISCORD_APPLICATION_ID is not set (the Application ID from the Developer Portal, General Information page)');
  else if (!SNOWFLAKE.test(applicationId)) problems.push('DISCORD_APPLICATION_ID must be a Discord id (digits only)');

  const guildId = env.DISCORD_GUILD_ID?.trim() || undefined;
  if (guildId && !SNOWFLAKE.test(guildId)) problems.push('DISCORD_GUILD_ID must be a Discord id (digits only), or unset for global commands');

  const apiUrl = (env.DISCORD_API_URL?.trim() || DEFAULT_DISCORD_API_URL).replace(/\/+$/, '');
  if (!isHttpUrl(apiUrl)) problems.push('DISCORD_API_URL must be an http(s) URL such as https://discord.com/api');

  if (problems.length) throw new DiscordEnvError(`Discord is not configured correctly:\n  - ${problems.join('\n  - ')}`);
  return { token, applicationId, apiUrl, ...(guildId ? { guildId } : {}) };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
