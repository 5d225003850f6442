/**
 * Cards as Slack messages: Block Kit for people, a plain-text line per card
 * as the fallback (`text`, which notifications and screen readers use).
 *
 * Safety: every string from a card is escaped (& < >), so customer text can
 * never become markup. The only pings are the ones this file writes itself,
 * from `card.mentions`: `<@U…>` for people with a Slack id in the config,
 * `<!subteam^S…>` for user groups. Nothing here sets `link_names`.
 */
import type { types } from '@slack/bolt';
import { SEVERITIES, type Config, type Severity } from '../../src/config/schema.js';
import { displayName, platformIdOf } from '../../src/domain/people.js';
import { voiceIn, type Voice } from '../../src/i18n/index.js';
import { severityName } from '../../src/service/cards.js';
import { commandWord } from '../../src/service/commands.js';
import type { Card, Reply, TicketAction } from '../../src/service/messages.js';
import { cardToLine } from '../../src/service/render-text.js';
import { escapeSlack, escapeWithin } from './text.js';

type Block = types.KnownBlock;

/** The action ids of the buttons and the severity menu (actions.ts listens for these). */
export const ACTION_IDS = {
  claim: 'slawatch_claim',
  wait: 'slawatch_wait',
  resolve: 'slawatch_resolve',
  severity: 'slawatch_severity',
} as const satisfies Record<TicketAction, string>;

/** The action id of the rating buttons (1–5) in a customer's thread; each button's value is `<ticket>:<rating>`. */
export const RATE_ACTION_ID = 'slawatch_rate';

/** The rating prompt's buttons, 1 to 5: shown wherever the card goes (a customer's thread too). */
function rateBlock(card: Card, index: number): types.ActionsBlock | undefined {
  if (!card.rate) return undefined;
  const ticket = String(card.rate.ticketId);
  const voice = voiceIn(card.locale);
  const elements: types.ActionsBlock['elements'] = [1, 2, 3, 4, 5].map((rating) => ({
    type: 'button' as const,
    action_id: `${RATE_ACTION_ID}_${rating}`,
    text: { type: 'plain_text' as const, text: escapeSlack(voice.t('rating.button', { rating })) },
    value: `${ticket}:${rating}`,
  }));
  return { type: 'actions', block_id: `slawatch_rate_${ticket}_${index}`, elements };
}

function buttonLabel(voice: Voice, action: Exclude<TicketAction, 'severity'>): string {
  return voice.t('button.label', { action });
}

const ICON = { info: '', good: ':white_check_mark: ', warning: ':warning: ', danger: ':rotating_light: ' } as const;

/** Slack's limits (characters / blocks). */
const LIMIT = { sectionText: 3000, field: 2000, option: 75, messageBlocks: 50, homeBlocks: 100, quote: 600 } as const;

export interface RenderOptions {
  config: Pick<Config, 'people'>;
  /** Permalinks already looked up, by `channelId:threadId`. */
  permalinks?: ReadonlyMap<string, string>;
  /** Offer the ticket buttons (staff-facing messages only). */
  withActions: boolean;
}

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export const permalinkKey = (channelId: string, threadId: string) => `${channelId}:${threadId}`;

/** A ping for a config person: their Slack mention, or their name (no ping) when they have no Slack id. */
export function mentionPerson(config: Pick<Config, 'people'>, personId: string): string {
  const slackId = platformIdOf(config, 'slack', personId);
  return slackId && /^[UW][A-Z0-9]+$/.test(slackId) ? `<@${slackId}>` : `@${escapeSlack(displayName(config, personId))}`;
}

/** A ping for a Slack user group; ids that are not Slack user group ids (a Discord role, say) are left out. */
export function mentionGroup(groupId: string): string | undefined {
  return /^S[A-Z0-9]+$/.test(groupId) ? `<!subteam^${groupId}>` : undefined;
}

function mentionsOf(card: Card, options: RenderOptions): string {
  const people = (card.mentions?.people ?? []).map((p) => mentionPerson(options.config, p));
  const groups = (card.mentions?.groups ?? []).map(mentionGroup).filter((g): g is string => g !== undefined);
  return [...people, ...groups].join(' ');
}

function linkOf(card: Card, options: RenderOptions): string | undefined {
  if (!card.link) return undefined;
  const url = options.permalinks?.get(permalinkKey(card.link.channelId, card.link.threadId));
  // A permalink is Slack's own URL; anything that could break out of <url|label> is refused.
  return url && /^https?:\/\/[^\s<>|]+$/.test(url) ? url.replace(/&/g, '&amp;') : undefined;
}

/** The plain-text fallback for one card: one line, mentions first, the thread link last. */
export function cardText(card: Card, options: RenderOptions): string {
  // cardToLine escapes values but not labels; labels are escaped here so no string goes out raw.
  const labelsEscaped = { ...card, fields: card.fields.map((f) => ({ label: escapeSlack(f.label), value: f.value })) };
  const line = cardToLine(labelsEscaped, {
    mentionPerson: (p) => mentionPerson(options.config, p),
    mentionGroup: (g) => mentionGroup(g) ?? '',
    escape: escapeSlack,
  }).replace(/^\s+/, '');
  const link = linkOf(card, options);
  return link ? `${line} · <${link}|${escapeSlack(voiceIn(card.locale).t('slack.openThread'))}>` : line;
}

function mrkdwn(text: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text };
}

function headline(card: Card, options: RenderOptions): string {
  const mentions = mentionsOf(card, options);
  return `${mentions ? `${mentions} ` : ''}${ICON[card.tone]}*${escapeWithin(card.title, 500)}*`;
}

function quoteOf(text: string): string {
  return escapeWithin(text.trim(), LIMIT.quote)
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

function actionsBlock(card: Card, index: number): types.ActionsBlock | undefined {
  const offer = card.actions;
  if (!offer || offer.offer.length === 0) return undefined;
  const ticket = String(offer.ticketId);
  const voice = voiceIn(card.locale);
  const elements: types.ActionsBlock['elements'] = [];
  for (const action of offer.offer) {
    if (action === 'severity') {
      const option = (s: Severity): types.PlainTextOption => ({ text: { type: 'plain_text', text: escapeSlack(severityName(voice, s)) }, value: `${ticket}:${s}` });
      elements.push({
        type: 'static_select',
        action_id: ACTION_IDS.severity,
        placeholder: { type: 'plain_text', text: escapeSlack(voice.t('button.severity')) },
        options: SEVERITIES.map(option),
        ...(offer.severity ? { initial_option: option(offer.severity) } : {}),
      });
    } else {
      elements.push({
        type: 'button',
        action_id: ACTION_IDS[action],
        text: { type: 'plain_text', text: escapeSlack(buttonLabel(voice, action)) },
        value: ticket,
        ...(action === 'resolve' ? { style: 'primary' as const } : {}),
      });
    }
  }
  // Block ids are unique per message; several cards may offer buttons for the same ticket.
  return { type: 'actions', block_id: `slawatch_ticket_${ticket}_${index}`, elements };
}

/** One card as blocks: headline, fields, quoted customer text, body, link and footer, buttons. */
function fullBlocks(card: Card, index: number, options: RenderOptions): Block[] {
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(headline(card, options)) }];
  const fields = card.fields.map((f) => mrkdwn(`*${escapeWithin(f.label, 100)}*\n${escapeWithin(f.value, LIMIT.field - 120)}`));
  for (let i = 0; i < fields.length; i += 10) blocks.push({ type: 'section', fields: fields.slice(i, i + 10) });
  if (card.quote?.trim()) blocks.push({ type: 'section', text: mrkdwn(quoteOf(card.quote)) });
  if (card.body) blocks.push({ type: 'section', text: mrkdwn(escapeWithin(card.body, LIMIT.sectionText)) });
  const context = contextBlock(card, options);
  if (context) blocks.push(context);
  const actions = options.withActions ? actionsBlock(card, index) : undefined;
  if (actions) blocks.push(actions);
  const rate = rateBlock(card, index);
  if (rate) blocks.push(rate);
  return blocks;
}

/** One card in at most three blocks, for messages that carry many (a coalesced storm of pings). */
function compactBlocks(card: Card, index: number, options: RenderOptions): Block[] {
  const lines = [headline(card, options)];
  if (card.fields.length) lines.push(card.fields.slice(0, 6).map((f) => `${escapeWithin(f.label, 60)}: ${escapeWithin(f.value, 200)}`).join(' · '));
  if (card.quote?.trim()) lines.push(quoteOf(card.quote.replace(/\s+/g, ' ').slice(0, 200)));
  if (card.body) lines.push(escapeWithin(card.body, 600));
  // Each part is bounded above, so the section stays within Slack's 3000 characters.
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(lines.join('\n')) }];
  const context = contextBlock(card, options);
  if (context) blocks.push(context);
  const actions = options.withActions ? actionsBlock(card, index) : undefined;
  if (actions) blocks.push(actions);
  const rate = rateBlock(card, index);
  if (rate) blocks.push(rate);
  return blocks;
}

function contextBlock(card: Card, options: RenderOptions): types.ContextBlock | undefined {
  const parts: string[] = [];
  const link = linkOf(card, options);
  if (link) parts.push(`<${link}|${escapeSlack(voiceIn(card.locale).t('slack.viewThread'))}>`);
  if (card.footer) parts.push(escapeWithin(card.footer, 500));
  return parts.length ? { type: 'context', elements: [mrkdwn(parts.join(' · '))] } : undefined;
}

/** Cards as one Slack message (several cards: compact, within Slack's 50-block limit). */
export function renderCards(cards: readonly Card[], options: RenderOptions): SlackMessage {
  const text = cards.map((card) => cardText(card, options)).join('\n');
  if (cards.length === 1) return { text, blocks: fullBlocks(cards[0] as Card, 0, options) };
  const blocks: Block[] = [];
  let shown = 0;
  for (const [index, card] of cards.entries()) {
    const next: Block[] = [...(blocks.length ? [{ type: 'divider' as const }] : []), ...compactBlocks(card, index, options)];
    const roomForMore = index < cards.length - 1 ? 1 : 0;
    if (blocks.length + next.length + roomForMore > LIMIT.messageBlocks) break;
    blocks.push(...next);
    shown++;
  }
  if (shown < cards.length) {
    const rest = cards.slice(shown);
    const more = voiceIn(cards[0]?.locale).t('slack.andMore', { count: rest.length, titles: rest.map((c) => c.title).join('; ') });
    blocks.push({ type: 'section', text: mrkdwn(escapeWithin(more, 2_900)) });
  }
  return { text, blocks };
}

/** A command's answer. `code` shows the text in a monospace block (help, aligned lists). */
export function renderReply(reply: Reply, options: RenderOptions & { code?: boolean }): SlackMessage {
  const blocks: Block[] = [];
  const texts: string[] = [];
  if (reply.text) {
    const body = escapeWithin(reply.text, LIMIT.sectionText - 10);
    blocks.push({ type: 'section', text: mrkdwn(options.code ? `\`\`\`${body}\`\`\`` : body) });
    texts.push(escapeSlack(reply.text));
  }
  if (reply.cards?.length) {
    const rendered = renderCards(reply.cards, options);
    blocks.push(...rendered.blocks.slice(0, LIMIT.messageBlocks - blocks.length));
    texts.push(rendered.text);
  }
  return { text: texts.join('\n') || ' ', blocks };
}

export interface QueueRowView {
  ticketId: number;
  line: string;
}

/** App Home for staff: the open tickets, most urgent first, in the viewer's language. */
export function renderHome(rows: readonly QueueRowView[], updatedAt: number, voice: Voice): types.HomeView {
  const updated = new Date(updatedAt).toISOString().slice(0, 16).replace('T', ' ');
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: escapeSlack(voice.t('slack.homeTitle')) } },
    { type: 'context', elements: [mrkdwn(escapeSlack(voice.t('slack.homeSummary', { count: rows.length, at: updated })))] },
    { type: 'divider' },
  ];
  const room = LIMIT.homeBlocks - blocks.length - 1;
  for (const row of rows.slice(0, room)) {
    const [ref, ...rest] = row.line.split(/\s{2,}/);
    blocks.push({ type: 'section', text: mrkdwn(`*${escapeWithin(ref ?? '', 20)}*  ${escapeWithin(rest.join('  '), 1000)}`) });
  }
  if (rows.length > room) {
    const more = voice.t('slack.homeMore', { count: rows.length - room, command: `/sla ${commandWord(voice, 'queue')}` });
    blocks.push({ type: 'context', elements: [mrkdwn(escapeSlack(more))] });
  }
  if (rows.length === 0) blocks.push({ type: 'section', text: mrkdwn(escapeSlack(voice.t('slack.homeEmpty'))) });
  return { type: 'home', blocks };
}

/** App Home for everyone else: what slawatch is, no ticket data. */
export function renderHomeForCustomer(voice: Voice): types.HomeView {
  const command = `/sla ${commandWord(voice, 'status')} <${voice.t('slack.ticketWord')}>`;
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'slawatch' } },
      { type: 'section', text: mrkdwn(escapeSlack(voice.t('slack.homeCustomer', { command }))) },
    ],
  };
}
