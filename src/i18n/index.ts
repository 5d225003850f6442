/**
 * The reader's language. Every sentence a person reads comes from one
 * catalogue per locale, `locales/<locale>.json`: ICU MessageFormat messages
 * (a plural or a choice stays inside one message, so a translator sees the
 * whole sentence) and the date formats of that locale. Adding a locale is
 * adding a file: the catalogues are found here at start-up.
 *
 * Formatting goes through @formatjs/intl, i.e. the runtime's Intl: plural
 * rules, dates and times in the reader's zone, relative times ("in 45
 * minutes", "45分钟后"), lists and units are the locale's own.
 *
 * A `Voice` speaks to one reader (a locale, and a time zone when the reader
 * has one); the service picks the reader (src/service/readers.ts), renderers
 * use the voice of the card's locale for their few words (button labels).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createIntl, createIntlCache, type CustomFormats, type IntlShape } from '@formatjs/intl';
import type en from './locales/en.json';

/** The key of a message: every key of the English catalogue, which is complete by definition. */
export type MessageKey = keyof (typeof en)['messages'];

/** The values a message is formatted with (user text among them is escaped by the renderer, like any card text). */
export type MessageValues = Record<string, string | number | boolean | null | undefined>;

/** The locale of anyone who has none configured, and of any message a catalogue lacks. */
export const DEFAULT_LOCALE = 'en';

export interface Catalogue {
  /** Named Intl formats the messages use (`{at, time, clock}`). */
  formats: CustomFormats;
  messages: Record<string, string>;
}

/** Who reads a message: their locale, and their time zone when they have one (else a time shows in the zone it belongs to). */
export interface Reader {
  locale: string;
  timezone?: string | undefined;
}

const LOCALE_DIR = new URL('./locales/', import.meta.url);

function loadCatalogues(): ReadonlyMap<string, Catalogue> {
  const found = new Map<string, Catalogue>();
  for (const file of readdirSync(LOCALE_DIR).sort()) {
    if (!file.endsWith('.json')) continue;
    const parsed = JSON.parse(readFileSync(new URL(file, LOCALE_DIR), 'utf8')) as Partial<Catalogue>;
    found.set(file.slice(0, -'.json'.length), { formats: parsed.formats ?? {}, messages: parsed.messages ?? {} });
  }
  if (!found.has(DEFAULT_LOCALE)) throw new Error(`the message catalogue ${DEFAULT_LOCALE}.json is missing from ${LOCALE_DIR.pathname}`);
  return found;
}

const CATALOGUES = loadCatalogues();

/** The locales there is a catalogue for, `en` first. */
export const LOCALES: readonly string[] = [DEFAULT_LOCALE, ...[...CATALOGUES.keys()].filter((l) => l !== DEFAULT_LOCALE)];

export function isLocale(value: unknown): value is string {
  return typeof value === 'string' && CATALOGUES.has(value);
}

/** A locale's catalogue as stored (tests, and the queue page, which formats in the browser). */
export function catalogue(locale: string): Catalogue {
  return CATALOGUES.get(locale) ?? (CATALOGUES.get(DEFAULT_LOCALE) as Catalogue);
}

const cache = createIntlCache();
const intls = new Map<string, IntlShape>();

/** One formatter per locale and zone, made once. A message a catalogue lacks falls back to English. */
function intlOf(locale: string, timeZone: string | undefined): IntlShape {
  const known = isLocale(locale) ? locale : DEFAULT_LOCALE;
  const id = `${known}\n${timeZone ?? ''}`;
  let intl = intls.get(id);
  if (!intl) {
    const own = catalogue(known);
    const fallback = catalogue(DEFAULT_LOCALE);
    intl = createIntl(
      {
        locale: known,
        defaultLocale: DEFAULT_LOCALE,
        messages: { ...fallback.messages, ...own.messages },
        formats: { ...fallback.formats, ...own.formats },
        ...(timeZone ? { timeZone } : {}),
        onError: (err) => {
          // A locale the runtime's Intl lacks data for falls back to English formats, as formatjs does.
          if (err.code === 'MISSING_DATA') return;
          // A malformed message or format is a bug the catalogue tests catch: said loudly rather than printed as half a sentence.
          throw err;
        },
      },
      cache,
    );
    intls.set(id, intl);
  }
  return intl;
}

type DurationUnit = 'day' | 'hour' | 'minute' | 'second';
const UNIT_SECONDS: readonly [DurationUnit, number][] = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** What slawatch says to one reader. */
export class Voice {
  readonly locale: string;

  constructor(readonly reader: Reader) {
    this.locale = isLocale(reader.locale) ? reader.locale : DEFAULT_LOCALE;
  }

  /** The message `key`, formatted with `values`. */
  t(key: MessageKey, values?: MessageValues): string {
    return this.format(intlOf(this.locale, undefined), key, values);
  }

  /**
   * An instant as the reader reads it, in their zone — or, for a reader
   * without one, in `zone` (the zone it belongs to: the calendar's, the
   * schedule's): `Fri 27 Nov 14:15 GMT+1`, `11月27日周五 中国标准时间 21:15`.
   * Seconds show when there are any.
   */
  instant(ms: number, zone: string): string {
    const timeZone = this.reader.timezone ?? zone;
    return this.format(intlOf(this.locale, timeZone), 'time.instant', { at: ms, seconds: Math.floor(ms / 1000) % 60 !== 0 ? 'yes' : 'no' });
  }

  /** A calendar day in the reader's zone (else `zone`): `Mon 2 Mar 2026`. */
  day(ms: number, zone: string): string {
    return this.format(intlOf(this.locale, this.reader.timezone ?? zone), 'time.day', { at: ms });
  }

  /** A day and a time without the zone, for lists of shifts: `Mon 2 Mar 09:00`. */
  dayTime(ms: number, zone: string): string {
    return this.format(intlOf(this.locale, this.reader.timezone ?? zone), 'time.dayTime', { at: ms });
  }

  /** A length of time in the locale's units, at most two of them: `1h 30m`, `45s`, `1小时30分钟`. Negative: `-5m`. */
  duration(ms: number): string {
    if (ms < 0) return `-${this.duration(-ms)}`;
    const intl = intlOf(this.locale, undefined);
    const total = Math.round(ms / 1000);
    const parts: string[] = [];
    let rest = total;
    for (const [unit, seconds] of UNIT_SECONDS) {
      const count = Math.floor(rest / seconds);
      rest -= count * seconds;
      // Seconds only while the whole is under an hour; two units at most.
      if (count === 0 || (unit === 'second' && total >= 3_600)) continue;
      parts.push(intl.formatNumber(count, { style: 'unit', unit, unitDisplay: 'narrow', useGrouping: false }));
    }
    if (parts.length === 0) return intl.formatNumber(0, { style: 'unit', unit: 'second', unitDisplay: 'narrow' });
    return intl.formatList(parts.slice(0, 2), { type: 'unit', style: 'narrow' });
  }

  /** How far an instant is from now, `ms` later (negative: earlier), in the largest whole unit: `in 45 minutes`, `3小时前`, `now`. */
  relative(ms: number): string {
    const intl = intlOf(this.locale, undefined);
    const seconds = Math.round(ms / 1000);
    const [unit, size] = UNIT_SECONDS.find(([, length]) => Math.abs(seconds) >= length) ?? ['second', 1];
    const count = Math.round(seconds / size);
    return count === 0 ? intl.formatRelativeTime(0, 'second', { numeric: 'auto' }) : intl.formatRelativeTime(count, unit, { numeric: 'always' });
  }

  /** Names or ids as a list: `alice, bob`, `alice、bob`. */
  list(items: readonly string[]): string {
    return intlOf(this.locale, undefined).formatList(items, { type: 'conjunction', style: 'narrow' });
  }

  private format(intl: IntlShape, key: MessageKey, values?: MessageValues): string {
    // ignoreTag: a `<level>` in a help line is text, not rich-text markup.
    return intl.formatMessage({ id: key }, values, { ignoreTag: true }) as string;
  }
}

const voices = new Map<string, Voice>();

/** The voice for a reader (one per locale and zone, kept). */
export function voiceOf(reader: Reader): Voice {
  const id = `${reader.locale}\n${reader.timezone ?? ''}`;
  let voice = voices.get(id);
  if (!voice) {
    voice = new Voice(reader);
    voices.set(id, voice);
  }
  return voice;
}

/** The voice of a locale, for text without times in a reader's zone (a renderer's button labels). */
export function voiceIn(locale: string | undefined): Voice {
  return voiceOf({ locale: locale ?? DEFAULT_LOCALE });
}

/**
 * The best catalogue for a list of language preferences (an Accept-Language
 * header, `navigator.languages`): an exact tag first, else the same language
 * (`zh-TW` reads `zh-CN` rather than English), else English.
 */
export function bestLocale(preferences: readonly string[]): string {
  const lower = new Map(LOCALES.map((l) => [l.toLowerCase(), l]));
  for (const wanted of preferences) {
    const exact = lower.get(wanted.toLowerCase());
    if (exact) return exact;
    const language = wanted.toLowerCase().split('-')[0];
    const same = LOCALES.find((l) => l.toLowerCase().split('-')[0] === language);
    if (same) return same;
  }
  return DEFAULT_LOCALE;
}

/** `zh-CN,zh;q=0.9,en;q=0.8` → `['zh-CN', 'zh', 'en']`, by weight. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), weight: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.tag !== '*' && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map((entry) => entry.tag);
}
