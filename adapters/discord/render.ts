/**
 * Cards → Discord messages: an embed per card, buttons (Claim, Waiting on
 * customer, Resolve) and a severity select, and a content line that carries
 * the pings. Only `card.mentions` become `<@user>` / `<@&role>`, and
 * `allowed_mentions` names exactly those ids with an empty `parse`, so
 * nothing else in the message can ping; every other string is escaped.
 */
import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIAllowedMentions,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIStringSelectComponent,
} from 'discord.js';
import { SEVERITIES } from '../../src/config/schema.js';
import type { Config } from '../../src/config/schema.js';
import { displayName, platformIdOf } from '../../src/domain/people.js';
import { LOCALES, voiceIn } from '../../src/i18n/index.js';
import { severityName } from '../../src/service/cards.js';
import type { Card, Reply, TicketAction, Tone } from '../../src/service/messages.js';
import { oneLine } from '../../src/service/render-text.js';
import type { ChannelMap } from './channel-map.js';
import { actionId, rateId } from './custom-ids.js';
import { codeBlock, escapeText, truncate } from './escape.js';
import { isSnowflake } from './snowflake.js';

export type ActionRow = APIActionRowComponent<APIComponentInMessageActionRow>;

/** A message ready for Discord, independent of the endpoint that posts it. */
export interface RenderedMessage {
  content: string;
  embeds: APIEmbed[];
  components: ActionRow[];
  /** The only ids that may be pinged. */
  allowedMentions: Required<Pick<APIAllowedMentions, 'parse' | 'users' | 'roles'>>;
}

const COLOR: Record<Tone, number> = { info: 0x5865f2, good: 0x57f287, warning: 0xfee75c, danger: 0xed4245 };
const ICON: Record<Tone, string> = { info: '', good: '✅ ', warning: '⚠️ ', danger: '🔴 ' };
const BUTTONS: { action: Exclude<TicketAction, 'severity'>; style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success }[] = [
  { action: 'claim', style: ButtonStyle.Primary },
  { action: 'wait', style: ButtonStyle.Secondary },
  { action: 'resolve', style: ButtonStyle.Success },
];

/** Discord's limits: 2000 characters of content, 10 embeds, 5 action rows. Five cards keep an embed batch well under 6000 characters. */
export const MAX_CONTENT = 2000;
export const CARDS_PER_MESSAGE = 5;

export class DiscordRenderer {
  constructor(
    private readonly config: Config,
    private readonly channels: ChannelMap,
  ) {}

  /** Pings for the card's people and roles; people without a Discord id are named, not pinged. */
  mentions(cards: readonly Card[]): { tokens: string[]; users: string[]; roles: string[] } {
    const users: string[] = [];
    const roles: string[] = [];
    const tokens: string[] = [];
    for (const card of cards) {
      for (const person of card.mentions?.people ?? []) {
        const userId = this.discordUserOf(person);
        if (userId && !users.includes(userId)) {
          users.push(userId);
          tokens.push(`<@${userId}>`);
        } else if (!userId) {
          const name = escapeText(`@${displayName(this.config, person)}`);
          if (!tokens.includes(name)) tokens.push(name);
        }
      }
      // Slack user groups in a shared config are not Discord roles; only role ids (digits) ping.
      for (const group of card.mentions?.groups ?? []) {
        if (isSnowflake(group) && !roles.includes(group)) {
          roles.push(group);
          tokens.push(`<@&${group}>`);
        }
      }
    }
    return { tokens, users, roles };
  }

  /** A person id from the config, or `discord:<user id>` for staff known only by role. */
  private discordUserOf(person: string): string | undefined {
    const fromConfig = platformIdOf(this.config, 'discord', person);
    if (fromConfig) return fromConfig;
    const [platform, userId] = person.split(':');
    return platform === 'discord' && isSnowflake(userId) ? userId : undefined;
  }

  /** The ticket's thread, as a channel mention (a link in the app; never a ping). */
  private threadMention(card: Card): string | undefined {
    return card.link?.platform === 'discord' && isSnowflake(card.link.threadId) ? `<#${card.link.threadId}>` : undefined;
  }

  embed(card: Card): APIEmbed {
    const description: string[] = [];
    if (card.quote) description.push(`> ${escapeText(oneLine(card.quote, 500))}`);
    if (card.body) description.push(...card.body.split('\n').map((line) => escapeText(line)));
    const thread = this.threadMention(card);
    if (thread) description.push(escapeText(voiceIn(card.locale).t('discord.thread', { thread: '\u0000' })).replace('\u0000', thread));
    const url = card.link?.platform === 'discord' ? this.channels.linkTo(card.link.threadId) : undefined;
    return {
      title: truncate(escapeText(card.title), 256),
      color: COLOR[card.tone],
      ...(description.length ? { description: truncate(description.join('\n'), 4096) } : {}),
      ...(card.fields.length
        ? { fields: card.fields.slice(0, 25).map((f) => ({ name: truncate(escapeText(f.label), 256), value: truncate(escapeText(f.value) || '—', 1024), inline: true })) }
        : {}),
      ...(url ? { url } : {}),
      ...(card.footer ? { footer: { text: truncate(card.footer, 2048) } } : {}),
    };
  }

  /** The rating prompt's buttons, 1 to 5, in one row. */
  rateRows(card: Card): ActionRow[] {
    if (!card.rate) return [];
    const voice = voiceIn(card.locale);
    const ticket = card.rate.ticketId;
    const buttons: APIButtonComponentWithCustomId[] = [1, 2, 3, 4, 5].map((rating) => ({
      type: ComponentType.Button,
      style: ButtonStyle.Secondary,
      custom_id: rateId(ticket, rating),
      label: voice.t('rating.button', { rating }),
    }));
    return [{ type: ComponentType.ActionRow, components: buttons }];
  }

  /**
   * The card's controls. `full`: a row of buttons and a row with the severity
   * select (one card per message). `compact`: one row of buttons naming the
   * ticket (several cards in one message, at most five rows).
   */
  rows(card: Card, layout: 'full' | 'compact'): ActionRow[] {
    const actions = card.actions;
    if (!actions || actions.offer.length === 0) return [];
    const ticket = actions.ticketId;
    const voice = voiceIn(card.locale);
    const buttons: APIButtonComponentWithCustomId[] = BUTTONS.filter((b) => actions.offer.includes(b.action)).map((b) => ({
      type: ComponentType.Button,
      style: b.style,
      custom_id: actionId(b.action, ticket),
      label: layout === 'full' ? voice.t('button.label', { action: b.action }) : voice.t('button.compact', { action: b.action, ticket: `#${ticket}` }),
    }));
    const rows: ActionRow[] = [];
    if (buttons.length) rows.push({ type: ComponentType.ActionRow, components: buttons });
    if (layout === 'full' && actions.offer.includes('severity')) {
      const select: APIStringSelectComponent = {
        type: ComponentType.StringSelect,
        custom_id: actionId('severity', ticket),
        placeholder: voice.t('button.changeSeverity'),
        min_values: 1,
        max_values: 1,
        options: SEVERITIES.map((s) => ({ label: voice.t('button.severityOption', { severity: severityName(voice, s) }), value: s, default: s === actions.severity })),
      };
      rows.push({ type: ComponentType.ActionRow, components: [select] });
    }
    return rows;
  }

  /** One card in a ticket's thread (acknowledgements, state changes): nobody is pinged. */
  threadMessage(card: Card): RenderedMessage {
    return {
      content: truncate(`${ICON[card.tone]}${escapeText(card.title)}`, MAX_CONTENT),
      embeds: [this.embed(card)],
      components: [...this.rows(card, 'full'), ...this.rateRows(card)].slice(0, 5),
      allowedMentions: { parse: [], users: [], roles: [] },
    };
  }

  /**
   * Notifications for the staff channel: the pings and one line per card in
   * the content, an embed per card. A storm arrives as several cards; they
   * are sent five to a message.
   */
  notifyMessages(cards: readonly Card[]): RenderedMessage[] {
    const out: RenderedMessage[] = [];
    for (let i = 0; i < cards.length; i += CARDS_PER_MESSAGE) {
      const chunk = cards.slice(i, i + CARDS_PER_MESSAGE);
      out.push(this.announce(chunk));
    }
    return out;
  }

  /** A card for any channel (handoffs, digests), with its pings. */
  postMessage(card: Card): RenderedMessage {
    return this.announce([card]);
  }

  private announce(cards: readonly Card[]): RenderedMessage {
    const { tokens, users, roles } = this.mentions(cards);
    const lines = cards.map((card) => {
      const thread = this.threadMention(card);
      return `${ICON[card.tone]}${escapeText(card.title)}${thread ? ` — ${thread}` : ''}`;
    });
    const pings = tokens.length ? `${tokens.join(' ')} ` : '';
    return {
      content: fitLines(`${pings}${lines[0] ?? ''}`, lines.slice(1)),
      embeds: cards.map((card) => this.embed(card)),
      components: cards.length === 1 ? this.rows(cards[0] as Card, 'full') : cards.flatMap((card) => this.rows(card, 'compact')).slice(0, 5),
      allowedMentions: { parse: [], users, roles },
    };
  }

  /** The answer to a command: its text (a code block when it has several lines) and its cards. */
  reply(reply: Reply): RenderedMessage {
    const text = reply.text.includes('\n') ? codeBlock(truncate(reply.text, MAX_CONTENT - 12)) : escapeText(reply.text);
    const cards = (reply.cards ?? []).slice(0, CARDS_PER_MESSAGE);
    const components = cards.length === 1 ? this.rows(cards[0] as Card, 'full') : cards.flatMap((card) => this.rows(card, 'compact')).slice(0, 5);
    return {
      content: truncate(text, MAX_CONTENT),
      embeds: cards.map((card) => this.embed(card)),
      components,
      allowedMentions: { parse: [], users: [], roles: [] },
    };
  }

  /**
   * A message after a button or select changed its ticket: the ticket's
   * embed takes the new state, severity and assignee from `card` (a status
   * card) and its controls become the ones `card` offers. Other tickets in
   * the same message keep theirs.
   */
  afterAction(message: { embeds: APIEmbed[]; components: ActionRow[] }, ticketId: number, card: Card): { embeds: APIEmbed[]; components: ActionRow[] } {
    const updates = card.fields.filter((f) => UPDATED_LABELS.has(f.label));
    const embeds = message.embeds.map((embed) => (ticketOfEmbed(embed) === ticketId ? mergeFields(embed, updates) : embed));
    const mine = (row: ActionRow) => row.components.some((c) => 'custom_id' in c && c.custom_id.endsWith(`:${ticketId}`) && c.custom_id.startsWith('slawatch:'));
    const index = message.components.findIndex(mine);
    const layout = message.embeds.length > 1 ? 'compact' : 'full';
    const replacement = this.rows(card, layout);
    const others = message.components.filter((row) => !mine(row));
    const components = index < 0 ? others : [...others.slice(0, index), ...replacement, ...others.slice(index)].slice(0, 5);
    return { embeds, components };
  }
}

/**
 * The fields a change updates on a message, by their labels in every language: a message posted
 * in one language may be clicked by someone who reads another.
 */
const UPDATED = ['field.state', 'field.severity', 'field.assignee'] as const;
const UPDATED_LABELS: ReadonlySet<string> = new Set(LOCALES.flatMap((locale) => UPDATED.map((key) => voiceIn(locale).t(key))));
const SEVERITY_LABELS: ReadonlySet<string> = new Set(LOCALES.map((locale) => voiceIn(locale).t('field.severity')));
/** The field's label in any language → the same field in `fields` (whatever language it was posted in). */
function sameField(fields: { name: string }[], label: string): number {
  const key = UPDATED.find((k) => LOCALES.some((locale) => voiceIn(locale).t(k) === label));
  const names = new Set(LOCALES.map((locale) => (key ? voiceIn(locale).t(key) : label)));
  return fields.findIndex((f) => names.has(f.name));
}

/** The ticket an embed is about: every card title names it as `#<id>`. */
function ticketOfEmbed(embed: APIEmbed): number | undefined {
  const match = /#(\d+)/.exec(embed.title ?? '');
  return match ? Number(match[1]) : undefined;
}

function mergeFields(embed: APIEmbed, updates: { label: string; value: string }[]): APIEmbed {
  const fields = [...(embed.fields ?? [])];
  for (const update of updates) {
    const value = truncate(escapeText(update.value), 1024);
    const at = sameField(fields, update.label);
    if (at >= 0) fields[at] = { ...fields[at], name: update.label, value };
    else if (!SEVERITY_LABELS.has(update.label)) fields.push({ name: update.label, value, inline: true });
  }
  return { ...embed, fields: fields.slice(0, 25) };
}

/** The first line always; further lines while they fit. */
function fitLines(first: string, rest: string[]): string {
  let content = truncate(first, MAX_CONTENT);
  for (const line of rest) {
    if (content.length + line.length + 1 > MAX_CONTENT) break;
    content += `\n${line}`;
  }
  return content;
}
