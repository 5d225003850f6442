/**
 * The app on an in-memory store with a clock the test moves, and a chat port
 * that records what it posted. Shared by the service tests.
 */
import { App } from '../../src/app/app.js';
import { parseConfig } from '../../src/config/load.js';
import type { Platform } from '../../src/domain/ticket.js';
import type { Desk } from '../../src/service/desk.js';
import type { IncomingMessage } from '../../src/service/desk-port.js';
import { silentLogger } from '../../src/service/logger.js';
import type { ChatPort, Outbound, SendOptions, SentRef } from '../../src/service/messages.js';
import { cardToLine } from '../../src/service/render-text.js';
import type { TimerHost } from '../../src/scheduler/deadline-timer.js';
import { openMemoryStore } from '../../src/store/open.js';
import type { TicketStore } from '../../src/store/ports.js';

export const T0 = Date.parse('2026-03-02T10:00:00Z'); // a Monday

export class RecordingPort implements ChatPort {
  readonly sent: { message: Outbound; options?: SendOptions }[] = [];
  failNext = 0;
  constructor(readonly platform: Platform = 'shell') {}
  async send(message: Outbound, options?: SendOptions): Promise<SentRef> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('platform unavailable');
    }
    this.sent.push({ message, ...(options ? { options } : {}) });
    return { platform: this.platform, channelId: message.channelId, messageId: `m${this.sent.length}` };
  }
  /** One line per card posted to `channelId`. */
  lines(channelId: string): string[] {
    return this.sent
      .filter((s) => s.message.channelId === channelId)
      .flatMap((s) => ('cards' in s.message ? s.message.cards : [s.message.card]))
      .map((c) => cardToLine(c));
  }
}

/** Timers driven by the test's clock: `advance(ms)` runs what came due. */
export class ManualTimers implements TimerHost {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  constructor(private readonly clock: { t: number }) {}
  now(): number {
    return this.clock.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.push({ at: this.clock.t + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  /** Moves the clock forward, firing timers in order. */
  async advance(ms: number): Promise<void> {
    const end = this.clock.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.clock.t = Math.max(this.clock.t, next.at);
      next.fn();
      await settle();
    }
    this.clock.t = end;
    await settle();
  }
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

export interface Harness {
  app: App;
  /** The app's desk: what adapters call. */
  desk: Desk;
  port: RecordingPort;
  clock: { t: number };
  timers: ManualTimers;
  store: TicketStore;
  say(channelId: string, user: string, text: string, options?: { threadId?: string; messageId?: string; isBot?: boolean }): ReturnType<Desk['receiveMessage']>;
  command(channelId: string, user: string, text: string, threadId?: string): ReturnType<Desk['runCommand']>;
}

let messageSeq = 0;

export async function harness(yaml: string, options: { store?: TicketStore; start?: boolean; instanceId?: string; t?: number } = {}): Promise<Harness> {
  const config = parseConfig(yaml, 'test config');
  const clock = { t: options.t ?? T0 };
  const timers = new ManualTimers(clock);
  const store = options.store ?? openMemoryStore();
  const app = new App({ config, store, logger: silentLogger, now: () => clock.t, timers, ...(options.instanceId ? { instanceId: options.instanceId } : {}) });
  const port = new RecordingPort('shell');
  app.attach(port);
  if (options.start !== false) await app.start();
  const author = (user: string, isBot = false) => ({ userId: user, ...(config.people[user] ? { personId: user } : {}), ...(isBot ? { isBot } : {}) });
  const { desk } = app;
  return {
    app,
    desk,
    port,
    clock,
    timers,
    store,
    say: (channelId, user, text, o = {}) =>
      desk.receiveMessage({
        platform: 'shell',
        channelId,
        messageId: o.messageId ?? `msg-${++messageSeq}`,
        ...(o.threadId ? { threadId: o.threadId } : {}),
        author: author(user, o.isBot),
        text,
        at: clock.t,
      } satisfies IncomingMessage),
    command: (channelId, user, text, threadId) => desk.runCommand({ platform: 'shell', channelId, ...(threadId ? { threadId } : {}), author: author(user), text }),
  };
}
