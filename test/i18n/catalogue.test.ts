/**
 * The message catalogues (src/i18n/locales/*.json) are complete and used:
 * every locale has every key of the English one and no other; a translation
 * keeps the message's arguments (a translator cannot drop `{customer}`);
 * every message formats in every locale; every key is used by the code
 * (a key nothing uses fails here) and every key the queue page's script
 * asks for exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { QUEUE_JS } from '../../adapters/http/queue-assets.js';
import { catalogue, DEFAULT_LOCALE, LOCALES, voiceIn, voiceOf, type MessageKey } from '../../src/i18n/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOCALE_DIR = join(ROOT, 'src/i18n/locales');
const english = catalogue(DEFAULT_LOCALE).messages;
const KEYS = Object.keys(english);

/** Every argument of a message with its kind: `customer`, `count:plural`, `at:date`. */
function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.argument) into.add(el.value);
    if (el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) into.add(`${el.value}:${TYPE[el.type]}`);
    if (el.type === TYPE.select || el.type === TYPE.plural) {
      into.add(`${el.value}:${el.type === TYPE.select ? 'select' : 'plural'}`);
      for (const option of Object.values(el.options)) argumentsOf(option.value, into);
    }
    if (el.type === TYPE.tag) argumentsOf(el.children, into);
  }
  return into;
}

const parsed = (text: string) => parse(text, { ignoreTag: true });

/** Values to format a message with: each argument gets one of its kind (a select gets each of its options in turn elsewhere). */
function sampleValues(text: string): Record<string, string | number> {
  const values: Record<string, string | number> = {};
  for (const arg of argumentsOf(parsed(text))) {
    const [name, kind] = arg.split(':') as [string, string | undefined];
    if (kind === 'plural' || kind === 'number') values[name] = 2;
    else if (kind === 'date' || kind === 'time') values[name] = Date.UTC(2026, 2, 2, 9, 30);
    else if (kind === 'select') values[name] ??= 'yes';
    else values[name] ??= `‹${name}›`;
  }
  return values;
}

describe('the message catalogues', () => {
  it('exist as one JSON file per locale, English and Chinese among them', () => {
    const files = readdirSync(LOCALE_DIR).filter((f) => f.endsWith('.json'));
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual([...LOCALES].sort());
    expect(LOCALES).toEqual(expect.arrayContaining(['en', 'zh-CN']));
    for (const file of files) expect(() => JSON.parse(readFileSync(join(LOCALE_DIR, file), 'utf8'))).not.toThrow();
  });

  it.each(LOCALES.filter((l) => l !== DEFAULT_LOCALE))('%s has every key of English and no other', (locale) => {
    const keys = Object.keys(catalogue(locale).messages);
    expect(KEYS.filter((k) => !keys.includes(k)), 'missing').toEqual([]);
    expect(keys.filter((k) => !KEYS.includes(k)), 'not in English').toEqual([]);
  });

  it.each(LOCALES.filter((l) => l !== DEFAULT_LOCALE))('%s keeps every message’s arguments', (locale) => {
    const { messages } = catalogue(locale);
    const differ = KEYS.filter((key) => {
      const own = messages[key];
      if (own === undefined) return false;
      // Names only: Chinese needs no plural where English has one.
      const names = (text: string) => [...new Set([...argumentsOf(parsed(text))].map((a) => a.split(':')[0]))].sort().join();
      return names(own) !== names(english[key] as string);
    });
    expect(differ).toEqual([]);
  });

  it.each(LOCALES)('every message formats in %s, with its named date formats', (locale) => {
    const voice = voiceIn(locale);
    const failures: string[] = [];
    for (const key of KEYS) {
      try {
        const text = voice.t(key as MessageKey, sampleValues(english[key] as string));
        if (!text.trim() && !key.startsWith('help.')) failures.push(`${key}: empty`);
      } catch (err) {
        failures.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(voice.instant(Date.UTC(2026, 2, 2, 9, 30, 15), 'Europe/Berlin')).toMatch(/10:30:15/);
    expect(voice.day(Date.UTC(2026, 2, 2, 9, 30), 'UTC')).toMatch(/2026/);
  });

  it('has no key that nothing uses: each is written, quoted, in the source', () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith('.ts')) sources.push(readFileSync(join(ROOT, dir, entry.name), 'utf8'));
      }
    };
    walk('src');
    walk('adapters');
    const text = sources.join('\n');
    expect(KEYS.filter((key) => !text.includes(`'${key}'`) && !text.includes(`"${key}"`))).toEqual([]);
  });

  it("has every key the queue page's script asks for", () => {
    const asked = [...QUEUE_JS.matchAll(/msg\('([^']+)'/g)].map((m) => m[1] as string);
    expect(asked.length).toBeGreaterThan(20);
    expect(asked.filter((key) => !KEYS.includes(key))).toEqual([]);
  });
});

describe('plurals follow the locale', () => {
  it('English says 1 ticket and 2 tickets; Chinese has one form', () => {
    const en = voiceIn('en');
    expect(en.t('digest.tickets', { count: 1, lastWeek: 0 })).toBe('1 ticket (last week 0)');
    expect(en.t('digest.tickets', { count: 2, lastWeek: 1 })).toBe('2 tickets (last week 1)');
    expect(en.t('incident.reach', { channels: 1, customers: 2 })).toBe('Notices go to 1 channel of 2 customers.');
    expect(en.t('field.incidents', { count: 1 })).toBe('Incident');
    expect(en.t('field.incidents', { count: 3 })).toBe('Incidents');
    const zh = voiceIn('zh-CN');
    expect(zh.t('digest.tickets', { count: 1, lastWeek: 0 })).toBe('1 个工单（上周 0）');
    expect(zh.t('digest.tickets', { count: 2, lastWeek: 1 })).toBe('2 个工单（上周 1）');
  });
});

describe('times and lengths of time, the way each reader reads them', () => {
  const AT = Date.UTC(2026, 10, 27, 13, 15); // Fri 27 Nov 2026, 13:15 UTC

  it('English reads as before: weekday, day, month, 24-hour time and zone', () => {
    const en = voiceIn('en');
    expect(en.instant(AT, 'Europe/Berlin')).toBe('Fri 27 Nov 14:15 GMT+1');
    expect(en.instant(AT, 'America/New_York')).toBe('Fri 27 Nov 08:15 EST');
    expect(en.instant(AT + 30_000, 'UTC')).toBe('Fri 27 Nov 13:15:30 UTC');
    expect(en.day(AT, 'UTC')).toBe('Fri 27 Nov 2026');
    expect(en.dayTime(AT, 'UTC')).toBe('Fri 27 Nov 13:15');
  });

  it('a reader with a zone reads every time in it; one without reads it where it belongs', () => {
    const beijing = voiceIn('zh-CN'); // no zone of its own
    expect(beijing.instant(AT, 'Asia/Shanghai')).toBe('11月27日周五 中国标准时间 21:15');
    const shanghaiReader = voiceOf({ locale: 'zh-CN', timezone: 'Asia/Shanghai' });
    expect(shanghaiReader.instant(AT, 'Europe/Berlin')).toBe('11月27日周五 中国标准时间 21:15');
  });

  it('lengths of time in the locale’s units, at most two', () => {
    const en = voiceIn('en');
    expect(en.duration(5_400_000)).toBe('1h 30m');
    expect(en.duration(45_000)).toBe('45s');
    expect(en.duration(-60_000)).toBe('-1m');
    expect(en.duration(0)).toBe('0s');
    expect(en.duration(2 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000)).toBe('2d 4h');
    expect(en.duration(3_600_000 + 30_000)).toBe('1h');
    const zh = voiceIn('zh-CN');
    expect(zh.duration(5_400_000)).toBe('1小时30分钟');
    expect(zh.duration(45_000)).toBe('45秒');
  });

  it('relative times: in 45 minutes, 45分钟后', () => {
    expect(voiceIn('en').relative(45 * 60_000)).toBe('in 45 minutes');
    expect(voiceIn('en').relative(-3 * 3_600_000)).toBe('3 hours ago');
    expect(voiceIn('en').relative(10_000)).toBe('in 10 seconds');
    expect(voiceIn('en').relative(0)).toBe('now');
    expect(voiceIn('zh-CN').relative(45 * 60_000)).toBe('45分钟后');
    expect(voiceIn('zh-CN').relative(2 * 86_400_000)).toBe('2天后');
  });

  it('lists of names: alice, bob / alice、bob', () => {
    expect(voiceIn('en').list(['alice', 'bob', 'carol'])).toBe('alice, bob, carol');
    expect(voiceIn('zh-CN').list(['alice', 'bob'])).toBe('alice、bob');
  });
});
