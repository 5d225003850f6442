/**
 * Slash commands, buttons, the severity select and the "Open ticket" message
 * command → the desk. Discord wants an answer within 3 seconds:
 *
 * - Buttons and the select are acknowledged at once (deferUpdate); then the
 *   typed action runs and the message is edited to show the ticket's new
 *   state — unless the desk answers privately and the message is not (then
 *   the clicker alone sees the new state) — or the clicker gets a private
 *   note saying why not.
 * - Commands are answered directly when the core is quick, which it nearly
 *   always is; if it is not, the answer is deferred (privately) and delivered
 *   when ready. Either way the answer keeps the visibility the core chose.
 *
 * Who may do what is the core's decision; the adapter only says who asked
 * and where (a ticket thread maps to its customer channel and ticket).
 */
import {
  ComponentType,
  Events,
  GatewayDispatchEvents,
  MessageFlags,
  type APIEmbed,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type GuildMember,
  type Interaction,
  type InteractionReplyOptions,
  type Message,
  type MessageContextMenuCommandInteraction,
  type StringSelectMenuInteraction,
  type APIInteractionGuildMember,
} from 'discord.js';
import type { Background } from '../common/background.js';
import type { Author } from '../../src/domain/people.js';
import { isSeverity, SEVERITIES } from '../../src/domain/vocabulary.js';
import { severityName } from '../../src/service/cards.js';
import { askerVoice } from '../../src/service/readers.js';
import type { Voice } from '../../src/i18n/index.js';
import type { ChosenAction, SupportDesk } from '../../src/service/desk-port.js';
import { describe, type Logger } from '../../src/service/logger.js';
import type { Card, Reply } from '../../src/service/messages.js';
import type { ChannelMap, Place } from './channel-map.js';
import { commandText, OPEN_TICKET_COMMAND_NAME, SLA_COMMAND_NAME } from './commands.js';
import { parseActionId, parseRateId } from './custom-ids.js';
import { toIncoming, type WireMessage } from './inbound.js';
import type { ActionRow, DiscordRenderer, RenderedMessage } from './render.js';
import type { RoleDirectory } from './roles.js';

export interface InteractionDeps {
  desk: SupportDesk;
  channels: ChannelMap;
  renderer: DiscordRenderer;
  roles: RoleDirectory;
  log: Logger;
  /** Where a slow answer finishes (../common/background.ts). */
  background: Background;
  /** How long a command may take before its answer is deferred (ms); Discord's limit is 3 s. */
  quickReplyMs?: number;
}

const DEFAULT_QUICK_REPLY_MS = 1500;

export class Interactions {
  /** Channel facts from the raw INTERACTION_CREATE, for interactions whose channel discord.js could not resolve. */
  private readonly rawChannels = new Map<string, { channelId?: string; parentId?: string }>();

  constructor(private readonly deps: InteractionDeps) {}

  listen(client: Client): void {
    // The raw dispatch is emitted just before discord.js builds the interaction from it.
    client.ws.on(GatewayDispatchEvents.InteractionCreate, (data: { id?: unknown; channel_id?: unknown; channel?: { id?: unknown; parent_id?: unknown } }) => {
      if (typeof data.id !== 'string') return;
      const channelId = typeof data.channel?.id === 'string' ? data.channel.id : typeof data.channel_id === 'string' ? data.channel_id : undefined;
      const parentId = typeof data.channel?.parent_id === 'string' ? data.channel.parent_id : undefined;
      this.rawChannels.set(data.id, { ...(channelId ? { channelId } : {}), ...(parentId ? { parentId } : {}) });
    });
    client.on(Events.InteractionCreate, (interaction) => {
      void this.handle(interaction)
        .catch((err: unknown) => this.deps.log.error({ err: describe(err), interaction: interaction.id }, 'discord: interaction failed'))
        .finally(() => this.rawChannels.delete(interaction.id));
    });
  }

  /** Where the interaction happened, in the core's terms (a ticket thread → its customer channel and ticket). */
  private placeOf(interaction: Interaction): Place {
    const raw = this.rawChannels.get(interaction.id);
    const channelId = interaction.channelId ?? raw?.channelId ?? '';
    if (raw?.parentId && channelId && this.deps.channels.isBound(raw.parentId)) this.deps.channels.rememberThread(channelId, raw.parentId, true);
    return this.deps.channels.resolve(channelId);
  }

  async handle(interaction: Interaction): Promise<void> {
    if (interaction.isChatInputCommand() && interaction.commandName === SLA_COMMAND_NAME) return this.slash(interaction);
    if (interaction.isMessageContextMenuCommand() && interaction.commandName === OPEN_TICKET_COMMAND_NAME) return this.openTicket(interaction);
    if (interaction.isButton() || interaction.isStringSelectMenu()) return this.component(interaction);
  }

  private async slash(interaction: ChatInputCommandInteraction): Promise<void> {
    const place = this.placeOf(interaction);
    const work = this.deps.desk
      .runCommand({
        platform: 'discord',
        channelId: place.channelId,
        ...(place.threadId ? { threadId: place.threadId } : {}),
        author: authorOf(interaction),
        text: commandText(interaction.options),
      })
      .then((result) => result.reply);
    await this.answer(interaction, work);
  }

  private async openTicket(interaction: MessageContextMenuCommandInteraction): Promise<void> {
    const target = interaction.targetMessage;
    const place = this.deps.channels.resolve(target.channelId);
    const work = (async (): Promise<Reply> => {
      if (place.threadId) {
        const voice = askerVoice(this.deps.desk.config, 'discord', authorOf(interaction), place.channelId);
        return { ephemeral: true, locale: voice.locale, text: voice.t('discord.openInChannel') };
      }
      const wire = wireOf(target);
      const roles = await this.deps.roles.rolesOf(wire);
      const result = await this.deps.desk.openFromMessage(toIncoming(wire, place, roles, interaction.client.user.id), authorOf(interaction));
      if (result.ticket) this.deps.channels.rememberThread(result.ticket.threadId, result.ticket.channelId, this.deps.channels.threadExists(result.ticket.threadId));
      return result.reply;
    })();
    await this.answer(interaction, work);
  }

  /** Answers a command: directly if the core is quick, else deferred and delivered when ready. */
  private async answer(interaction: ChatInputCommandInteraction | MessageContextMenuCommandInteraction, work: Promise<Reply>): Promise<void> {
    const failed = this.failure(interaction);
    const reply = work.catch((err: unknown) => {
      this.deps.log.error({ err: describe(err), interaction: interaction.id }, 'discord: command failed');
      return failed;
    });
    const timed = await this.deps.background.within(reply, this.deps.quickReplyMs ?? DEFAULT_QUICK_REPLY_MS);
    if (timed.inTime) {
      const quick = timed.value ?? failed;
      await interaction.reply(replyOptions(this.deps.renderer.reply(quick), quick.ephemeral));
      return;
    }
    // Slow: hold the answer privately, then deliver it. A public answer replaces the private placeholder.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const late = (await timed.later) ?? failed;
    const rendered = this.deps.renderer.reply(late);
    if (late.ephemeral) {
      await interaction.editReply(editOptions(rendered));
    } else {
      await interaction.deleteReply();
      await interaction.followUp(replyOptions(rendered, false));
    }
  }

  /** The language of whoever interacts, where they do. */
  private voiceOf(interaction: Interaction): Voice {
    return askerVoice(this.deps.desk.config, 'discord', authorOf(interaction), this.placeOf(interaction).channelId);
  }

  /** What a person is told when their command or click failed on our side (the log has the details). */
  private failure(interaction: Interaction): Reply {
    const voice = this.voiceOf(interaction);
    return { ephemeral: true, locale: voice.locale, text: voice.t('discord.failed') };
  }

  /** Claim, Waiting on customer, Resolve, severity: acknowledge now, act, then edit the message. */
  private async component(interaction: ButtonInteraction | StringSelectMenuInteraction): Promise<void> {
    const rate = parseRateId(interaction.customId);
    if (rate) return this.rate(interaction, rate);
    const parsed = parseActionId(interaction.customId);
    if (!parsed) return;
    await interaction.deferUpdate();
    let chosen: ChosenAction;
    if (parsed.action === 'severity') {
      const severity = interaction.isStringSelectMenu() ? interaction.values[0] : undefined;
      if (!isSeverity(severity)) {
        const voice = this.voiceOf(interaction);
        const severities = Object.fromEntries(SEVERITIES.map((s) => [s, severityName(voice, s)]));
        await interaction.followUp(replyOptions(this.deps.renderer.reply({ ephemeral: true, locale: voice.locale, text: voice.t('discord.pickSeverity', severities) }), true));
        return;
      }
      chosen = { action: 'severity', ticket: parsed.ticketId, severity };
    } else {
      chosen = { action: parsed.action, ticket: parsed.ticketId };
    }
    const place = this.placeOf(interaction);
    const onPrivateMessage = interaction.message.flags.has(MessageFlags.Ephemeral);
    let reply: Reply;
    let card: Card | undefined;
    try {
      const result = await this.deps.desk.runAction({
        platform: 'discord',
        channelId: place.channelId,
        ...(place.threadId ? { threadId: place.threadId } : {}),
        author: authorOf(interaction),
        action: chosen,
      });
      reply = result.reply;
      // A change that went through shows on the message with the ticket's new status card — unless the answer is
      // private and the message is not; a refusal answers with a private note.
      card = result.applied && (!reply.ephemeral || onPrivateMessage) ? reply.cards?.[0] : undefined;
    } catch (err) {
      this.deps.log.error({ err: describe(err), interaction: interaction.id }, 'discord: button action failed');
      reply = this.failure(interaction);
    }
    if (card) {
      const current = {
        embeds: interaction.message.embeds.map((embed): APIEmbed => embed.toJSON()),
        components: interaction.message.components.filter((c) => c.type === ComponentType.ActionRow).map((row) => row.toJSON() as ActionRow),
      };
      const next = this.deps.renderer.afterAction(current, parsed.ticketId, card);
      await interaction.editReply({ embeds: next.embeds, components: next.components, allowedMentions: { parse: [] } });
    } else {
      await interaction.followUp(replyOptions(this.deps.renderer.reply(reply), true));
    }
  }

  /** A rating button of the satisfaction prompt: the customer alone is told the outcome; the prompt stays for a change of mind. */
  private async rate(interaction: ButtonInteraction | StringSelectMenuInteraction, rate: { ticketId: number; rating: number }): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const place = this.placeOf(interaction);
    let reply: Reply;
    try {
      const result = await this.deps.desk.runAction({
        platform: 'discord',
        channelId: place.channelId,
        ...(place.threadId ? { threadId: place.threadId } : {}),
        author: authorOf(interaction),
        action: { action: 'rate', ticket: rate.ticketId, rating: rate.rating },
      });
      reply = result.reply;
    } catch (err) {
      this.deps.log.error({ err: describe(err), interaction: interaction.id }, 'discord: rating failed');
      reply = this.failure(interaction);
    }
    const rendered = this.deps.renderer.reply(reply);
    await interaction.editReply({ content: rendered.content, embeds: rendered.embeds, components: rendered.components, allowedMentions: { parse: [] } });
  }
}

/** Who is asking: their id, name and roles (the staff check is the core's). */
function authorOf(interaction: Interaction): Author {
  const member = interaction.member as GuildMember | APIInteractionGuildMember | null;
  const roles = !member ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  const nick = member ? ('nickname' in member ? member.nickname : member.nick) : undefined;
  return {
    userId: interaction.user.id,
    name: nick ?? interaction.user.globalName ?? interaction.user.username,
    isBot: interaction.user.bot,
    groups: roles,
  };
}

/** The JSON-shaped view of a discord.js message (the target of "Open ticket"). */
function wireOf(message: Message): WireMessage {
  return {
    id: message.id,
    channel_id: message.channelId,
    ...(message.guildId ? { guild_id: message.guildId } : {}),
    type: message.type,
    author: { id: message.author.id, username: message.author.username, global_name: message.author.globalName, bot: message.author.bot, system: message.system },
    ...(message.member ? { member: { roles: [...message.member.roles.cache.keys()], nick: message.member.nickname } } : {}),
    ...(message.webhookId ? { webhook_id: message.webhookId } : {}),
    content: message.content,
    timestamp: new Date(message.createdTimestamp).toISOString(),
    attachments: [...message.attachments.values()].map((a) => ({ filename: a.name })),
  };
}

function replyOptions(rendered: RenderedMessage, ephemeral: boolean): InteractionReplyOptions {
  return { ...editOptions(rendered), ...(ephemeral ? { flags: MessageFlags.Ephemeral as const } : {}) };
}

function editOptions(rendered: RenderedMessage) {
  return {
    content: rendered.content,
    embeds: rendered.embeds,
    components: rendered.components,
    allowedMentions: { parse: [], users: rendered.allowedMentions.users, roles: rendered.allowedMentions.roles },
  };
}
