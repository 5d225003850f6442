/**
 * Links to a ticket's thread that a report can print without asking the chat
 * platform (a report runs offline, over the store). Stable: made from ids
 * only, so the same ticket always gets the same link.
 *
 *   slack    with a workspace:  https://<workspace>.slack.com/archives/<channel>/p<ts without the dot>
 *                               (Slack's own permalink format; opens the thread's first message)
 *            without:           https://slack.com/app_redirect?channel=<channel>&message_ts=<ts>
 *                               (opens the channel; Slack documents only `channel` here, the ts
 *                               keeps the link unique to the ticket)
 *   discord  with a guild id:   https://discord.com/channels/<guild>/<channel>/<message>
 *            without:           discord:<channel>/<message> — not a URL: `@me` links only open
 *                               direct messages, so a guild channel needs its guild id
 *   lark                        lark:<chat>/<message> — not a URL: a Feishu/Lark message link is
 *                               issued by the platform, not made from ids
 *   shell                       shell:<channel>/<thread>
 */
import type { Platform } from '../domain/ticket.js';

export interface LinkOptions {
  /** Slack workspace: its subdomain (`acme`) or host (`acme.enterprise.slack.com`). */
  slackWorkspace?: string;
  /** Discord guild (server) id of the customer channels. */
  discordGuild?: string;
}

export interface ThreadPlace {
  platform: Platform;
  channelId: string;
  threadId: string;
}

const SLACK_HOST = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$/i;

/** Checks link options up front, so a typo fails the command instead of printing broken links. */
export function checkLinkOptions(options: LinkOptions): string | undefined {
  if (options.slackWorkspace !== undefined && !SLACK_HOST.test(options.slackWorkspace)) {
    return `Slack workspace "${options.slackWorkspace}" is not a workspace name such as "acme" or "acme.slack.com"`;
  }
  if (options.discordGuild !== undefined && !/^\d{1,20}$/.test(options.discordGuild)) {
    return `Discord guild "${options.discordGuild}" is not a Discord id (digits only)`;
  }
  return undefined;
}

export function threadLink(place: ThreadPlace, options: LinkOptions = {}): string {
  const channel = encodeURIComponent(place.channelId);
  const thread = encodeURIComponent(place.threadId);
  switch (place.platform) {
    case 'slack': {
      const workspace = options.slackWorkspace;
      if (workspace) {
        const host = workspace.includes('.') ? workspace : `${workspace}.slack.com`;
        return `https://${host}/archives/${channel}/p${thread.replace('.', '')}`;
      }
      return `https://slack.com/app_redirect?channel=${channel}&message_ts=${thread}`;
    }
    case 'discord':
      return options.discordGuild ? `https://discord.com/channels/${options.discordGuild}/${channel}/${thread}` : `discord:${channel}/${thread}`;
    case 'lark':
      return `lark:${channel}/${thread}`;
    case 'shell':
      return `shell:${channel}/${thread}`;
  }
}
