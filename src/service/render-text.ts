/**
 * Plain-text rendering of cards: what the shell prints and the fallback text
 * every platform message carries (notifications, screen readers). One line
 * per card; `mentionPerson` and `mentionGroup` write a ping the way the
 * platform does.
 */
import { voiceIn } from '../i18n/index.js';
import type { Card } from './messages.js';

export interface TextOptions {
  /** How to write a ping for a person id / group id; omitted mentions are left out. */
  mentionPerson?: (personId: string) => string;
  mentionGroup?: (groupId: string) => string;
  /** Escapes user-provided text for the target platform. */
  escape?: (text: string) => string;
}

const ICON = { info: '', good: '✓ ', warning: '⚠ ', danger: '🔴 ' } as const;

export function cardToLine(card: Card, options: TextOptions = {}): string {
  const escape = options.escape ?? ((t: string) => t);
  const parts: string[] = [];
  const mentions = [
    ...(card.mentions?.people ?? []).map((p) => options.mentionPerson?.(p) ?? `@${p}`),
    ...(card.mentions?.groups ?? []).map((g) => options.mentionGroup?.(g) ?? `@group:${g}`),
  ];
  parts.push(`${mentions.length ? `${mentions.join(' ')} ` : ''}${ICON[card.tone]}${escape(card.title)}`);
  const voice = voiceIn(card.locale);
  for (const field of card.fields) parts.push(voice.t('card.field', { label: escape(field.label), value: escape(field.value) }));
  if (card.quote) parts.push(`“${escape(oneLine(card.quote, 120))}”`);
  if (card.body) parts.push(...card.body.split('\n').map((l) => escape(l)));
  return parts.join(' · ');
}

/** Collapses whitespace and cuts long text with an ellipsis. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
