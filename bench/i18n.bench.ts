/**
 * What speaking the reader's language costs: a staff notification card and
 * a customer acknowledgement composed from the catalogues, in English and in
 * Chinese, per card (each a dozen messages, times in a zone, durations), and
 * one message alone. A storm of 1,000 pings composes in this many times
 * 1,000.
 */
import { parseConfig } from '../src/config/load.js';
import { replayTimeline, toNotification, dueSteps } from '../src/escalation/timeline.js';
import { voiceOf } from '../src/i18n/index.js';
import { createContext } from '../src/service/context.js';
import { notificationCard, ticketAckCard } from '../src/service/cards.js';
import { openMemoryStore } from '../src/store/open.js';
import type { BenchFigure } from './run.js';
import { sampleTicket } from './support.js';

const CARDS = 20_000;

const CONFIG = `
people: { alice: { name: Alice } }
staff: { people: [alice], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme, tier: enterprise, channels: { slack: [C0ACME] } }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d }
escalation:
  warnAt: [0.5]
  policies:
    default:
      warn: [person:alice]
      levels: [{ notify: [person:alice], delay: 15m }]
`;

function microseconds(count: number, work: (i: number) => unknown): number {
  for (let i = 0; i < 1_000; i++) work(i); // warm up: formatters are made once per message and locale
  const start = performance.now();
  for (let i = 0; i < count; i++) work(i);
  return ((performance.now() - start) * 1000) / count;
}

export async function bench(): Promise<BenchFigure[]> {
  const ctx = createContext(parseConfig(CONFIG, 'bench config'), openMemoryStore());
  const ticket = sampleTicket(1);
  const opened = ticket.events[0]!.at;
  const timeline = replayTimeline(ticket.events, ctx, opened + 1_900_000, false);
  const clock = timeline.clocks.firstResponse!;
  const step = dueSteps(clock, timeline.ladder, () => false, opened + 1_900_000, true)[0]!;
  const notification = toNotification(step, clock, timeline, ctx);
  const figures: BenchFigure[] = [];
  for (const [locale, timezone] of [
    ['en', undefined],
    ['zh-CN', 'Asia/Shanghai'],
  ] as const) {
    const voice = voiceOf({ locale, timezone });
    figures.push({
      name: `notification card, ${locale}`,
      value: microseconds(CARDS, (i) => notificationCard(ctx, ticket, notification, opened + 1_900_000 + i, false, 'UTC', voice)),
      unit: 'µs/card',
    });
    figures.push({ name: `acknowledgement card, ${locale}`, value: microseconds(CARDS, (i) => ticketAckCard(ctx, ticket, opened + i, voice)), unit: 'µs/card' });
    figures.push({ name: `one message with two arguments, ${locale}`, value: microseconds(CARDS * 5, (i) => voice.t('ack.title', { ticket: `#${i}`, customer: 'Acme' })), unit: 'µs' });
    figures.push({ name: `a time in a zone, ${locale}`, value: microseconds(CARDS * 5, (i) => voice.instant(opened + i * 60_000, 'Europe/Berlin')), unit: 'µs' });
  }
  return figures;
}
