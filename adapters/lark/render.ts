/**
 * Cards → Feishu/Lark interactive cards (card JSON 1.0): a coloured header,
 * the fields, the customer's words, the body, a note, and — on staff-facing
 * cards — Claim / Waiting on customer / Resolve buttons and a severity menu,
 * whose callbacks (card.action.trigger) carry `{ slawatch: <action>, ticket }`.
 *
 * Safety: every string from a card is `plain_text` (Feishu parses no markup
 * or mention in it) and neutralised besides (text.ts). The only markdown is
 * written here: `<at id=ou_…></at>` for exactly the people in
 * `card.mentions` who have a Feishu/Lark open id in the config.
 */
import { SEVERITIES, type Config } from '../../src/config/schema.js';
import { isSeverity } from '../../src/domain/vocabulary.js';
import type { ChosenAction } from '../../src/service/commands.js';
import { displayName, platformIdOf } from '../../src/domain/people.js';
import { voiceIn } from '../../src/i18n/index.js';
import { severityName } from '../../src/service/cards.js';
import type { Card, Reply, TicketAction, Tone } from '../../src/service/messages.js';
import { neutralize, truncate } from './text.js';

/** Card JSON, as Feishu reads it. */
export type LarkElement = Record<string, unknown>;
export interface LarkCard {
  config: { wide_screen_mode: true; update_multi: true };
  header?: { template: string; title: { tag: 'plain_text'; content: string } };
  elements: LarkElement[];
}

/** Cards per message: a coalesced storm goes out in messages of this many (Feishu caps a card at 30 KB). */
export const CARDS_PER_MESSAGE = 5;

const TEMPLATE: Record<Tone, string> = { info: 'blue', good: 'green', warning: 'orange', danger: 'red' };
const ICON: Record<Tone, string> = { info: '', good: '✅ ', warning: '⚠️ ', danger: '🔴 ' };
const BUTTONS: { action: Exclude<TicketAction, 'severity'>; type: 'primary' | 'default' }[] = [
  { action: 'claim', type: 'primary' },
  { action: 'wait', type: 'default' },
  { action: 'resolve', type: 'primary' },
];
const LIMIT = { title: 200, field: 500, quote: 600, body: 2_000, compactQuote: 200 } as const;
const OPEN_ID = /^ou_[A-Za-z0-9_-]+$/;

export interface RenderOptions {
  config: Pick<Config, 'people'>;
  /** Offer the ticket buttons (staff-facing messages only). */
  withActions: boolean;
}

/** What a button or the severity menu carries back in its callback. */
export interface ActionValue {
  slawatch: TicketAction;
  ticket: string;
}

const plain = (content: string): LarkElement => ({ tag: 'plain_text', content: neutralize(content) });
const div = (content: string): LarkElement => ({ tag: 'div', text: plain(content) });

/** The open id to mention for a person of the config (or a `lark:ou_…` account known only by id). */
function openIdOf(config: Pick<Config, 'people'>, person: string): string | undefined {
  const id = platformIdOf(config, 'lark', person) ?? (person.startsWith('lark:') ? person.slice('lark:'.length) : undefined);
  return id && OPEN_ID.test(id) ? id : undefined;
}

/** The pings of the cards: an at-tag per person with an open id; the others named, not pinged. Groups have no Feishu mention. */
function mentionElements(cards: readonly Card[], options: RenderOptions): LarkElement[] {
  const ids: string[] = [];
  const names: string[] = [];
  for (const card of cards) {
    for (const person of card.mentions?.people ?? []) {
      const id = openIdOf(options.config, person);
      if (id) {
        if (!ids.includes(id)) ids.push(id);
      } else {
        const name = `@${displayName(options.config, person)}`;
        if (!names.includes(name)) names.push(name);
      }
    }
  }
  const elements: LarkElement[] = [];
  if (ids.length) elements.push({ tag: 'div', text: { tag: 'lark_md', content: ids.map((id) => `<at id=${id}></at>`).join(' ') } });
  if (names.length) elements.push(div(names.join(' ')));
  return elements;
}

/** The rating prompt's buttons, 1 to 5: their callbacks carry `{ slawatch: 'rate', ticket, rating }`. */
function rateElement(card: Card): LarkElement | undefined {
  if (!card.rate) return undefined;
  const ticket = String(card.rate.ticketId);
  const voice = voiceIn(card.locale);
  const actions: LarkElement[] = [1, 2, 3, 4, 5].map((rating) => ({
    tag: 'button',
    text: plain(voice.t('rating.button', { rating })),
    type: 'default',
    value: { slawatch: 'rate', ticket, rating: String(rating) },
  }));
  return { tag: 'action', actions };
}

function actionElement(card: Card): LarkElement | undefined {
  const offer = card.actions;
  if (!offer || offer.offer.length === 0) return undefined;
  const ticket = String(offer.ticketId);
  const voice = voiceIn(card.locale);
  const value = (action: TicketAction): ActionValue => ({ slawatch: action, ticket });
  const actions: LarkElement[] = [];
  for (const action of offer.offer) {
    if (action === 'severity') {
      actions.push({
        tag: 'select_static',
        placeholder: plain(voice.t('button.severity')),
        options: SEVERITIES.map((s) => ({ text: plain(severityName(voice, s)), value: s })),
        ...(offer.severity ? { initial_option: offer.severity } : {}),
        value: value('severity'),
      });
    } else {
      const button = BUTTONS.find((b) => b.action === action);
      if (button) actions.push({ tag: 'button', text: plain(voice.t('button.label', { action })), type: button.type, value: value(action) });
    }
  }
  return { tag: 'action', actions };
}

/** One card's body: fields, the customer's words, body, note, buttons. */
function cardElements(card: Card, options: RenderOptions, compact: boolean): LarkElement[] {
  const elements: LarkElement[] = [];
  if (card.fields.length) {
    elements.push(
      compact
        ? div(card.fields.map((f) => `${f.label}: ${truncate(f.value, 100)}`).join(' · '))
        : { tag: 'div', fields: card.fields.map((f) => ({ is_short: true, text: plain(`${f.label}\n${truncate(f.value, LIMIT.field)}`) })) },
    );
  }
  const quote = card.quote?.trim();
  if (quote) elements.push(div(`“${compact ? truncate(quote.replace(/\s+/g, ' '), LIMIT.compactQuote) : truncate(quote, LIMIT.quote)}”`));
  if (card.body) elements.push(div(truncate(card.body, LIMIT.body)));
  if (card.footer) elements.push({ tag: 'note', elements: [plain(truncate(card.footer, 500))] });
  const actions = options.withActions ? actionElement(card) : undefined;
  if (actions) elements.push(actions);
  // The rating prompt goes to the customer's thread, which never gets the staff buttons: its own are shown there.
  const rate = rateElement(card);
  if (rate) elements.push(rate);
  return elements;
}

const frame = (elements: LarkElement[], header?: LarkCard['header']): LarkCard => ({
  config: { wide_screen_mode: true, update_multi: true },
  ...(header ? { header } : {}),
  elements,
});

const headerOf = (card: Card): LarkCard['header'] => ({ template: TEMPLATE[card.tone], title: plain(truncate(`${ICON[card.tone]}${card.title}`, LIMIT.title)) as { tag: 'plain_text'; content: string } });

/** `lead`, then the cards: one in full under its header; several one after another, compact, without one. */
function compose(lead: LarkElement[], cards: readonly Card[], options: RenderOptions): LarkCard {
  if (cards.length === 1) {
    const card = cards[0] as Card;
    return frame([...lead, ...cardElements(card, options, false)], headerOf(card));
  }
  const elements = [...lead];
  for (const card of cards) {
    if (elements.length) elements.push({ tag: 'hr' });
    elements.push(div(truncate(`${ICON[card.tone]}${card.title}`, LIMIT.title)), ...cardElements(card, options, true));
  }
  return frame(elements.length ? elements : [div(' ')]);
}

/** Cards as one Feishu card, their pings first. */
export function renderCards(cards: readonly Card[], options: RenderOptions): LarkCard {
  return compose(mentionElements(cards, options), cards, options);
}

/** A command's answer: its text, then its cards. */
export function renderReply(reply: Reply, options: RenderOptions): LarkCard {
  return compose(reply.text ? [div(truncate(reply.text, 5_000))] : [], reply.cards ?? [], options);
}

/** The action a callback asks for; undefined when the value is not one of ours. */
export function parseActionValue(value: unknown, option: unknown): ChosenAction | undefined {
  const record = typeof value === 'string' ? safeJson(value) : value;
  if (typeof record !== 'object' || record === null) return undefined;
  const { slawatch: action, ticket, rating } = record as Record<string, unknown>;
  if (action === 'rate') {
    const id = typeof ticket === 'number' ? String(ticket) : ticket;
    const stars = typeof rating === 'number' ? String(rating) : rating;
    if (typeof id !== 'string' || !/^\d+$/.test(id) || typeof stars !== 'string' || !/^[1-5]$/.test(stars)) return undefined;
    return { action: 'rate', ticket: Number(id), rating: Number(stars) };
  }
  if (action !== 'claim' && action !== 'wait' && action !== 'resolve' && action !== 'severity') return undefined;
  const id = typeof ticket === 'number' ? String(ticket) : ticket;
  if (typeof id !== 'string' || !/^\d+$/.test(id)) return undefined;
  if (action === 'severity') return isSeverity(option) ? { action, ticket: Number(id), severity: option } : undefined;
  return { action, ticket: Number(id) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
