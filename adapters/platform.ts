/**
 * What `slawatch start` needs from a chat platform adapter: connect it to
 * its host, report whether it is connected, and stop it — and how a platform
 * is kept connected: a network failure is tried again with backoff, a
 * platform that rejects the credentials stops the start.
 */
import type { Platform } from '../src/domain/ticket.js';
import type { SupportDesk } from '../src/service/desk-port.js';
import { describe, type Logger } from '../src/service/logger.js';
import type { ChatPort } from '../src/service/messages.js';
import type { CatchUpHost } from '../src/app/catch-up.js';

/**
 * What a platform adapter is connected to (the app, src/app/app.ts): the
 * desk it hands its platform's events to, and the place it attaches the
 * port the desk's messages go out through.
 */
export interface PlatformHost {
  readonly desk: SupportDesk;
  /** From now on, messages for `port.platform` go out through `port`. */
  attach(port: ChatPort): void;
  /** Nothing more goes out to `platform` from here (its notifications wait for a replica that can deliver them). */
  detach(platform: Platform): void;
  /** Delivers what is queued now (before the platform's connection closes). */
  flush(): Promise<void>;
  /** Runs the platform's catch-up at start-up, and again when the store is back and on the interval (absent: start-up only, by the adapter). */
  readonly catchUp?: CatchUpHost;
}

export interface PlatformConnection {
  readonly name: string;
  /** True while the platform connection is up (readiness checks). */
  ready(): boolean;
  stop(): Promise<void>;
}

export type Connector = (host: PlatformHost, env: NodeJS.ProcessEnv, logger: Logger) => Promise<PlatformConnection>;

/** The platform said no to the credentials or the settings (a rejected token, say): trying again cannot help. */
export class PlatformRejected extends Error {
  override name = 'PlatformRejected';
}

export interface Backoff {
  firstMs: number;
  maxMs: number;
}

/** 1 s, doubling up to a minute. */
export const CONNECT_BACKOFF: Backoff = { firstMs: 1_000, maxMs: 60_000 };

/**
 * The wait after the `failures`-th failed attempt: doubling from `firstMs` up
 * to `maxMs`, then a random point in its upper half, so replicas that lost the
 * platform together do not all come back at the same instant.
 */
export function backoffDelay(failures: number, backoff: Backoff = CONNECT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface PlatformLinkOptions {
  /** One attempt: connects, or throws (PlatformRejected when trying again cannot help). */
  connect: () => Promise<PlatformConnection>;
  log: Logger;
  /** After a connection is made (e.g. re-derive the deadlines its pings can now go out for). */
  onConnected?: () => Promise<void>;
  /** The platform rejected the credentials: the caller stops the process. */
  onRejected: (err: PlatformRejected) => void;
  backoff?: Backoff;
}

/**
 * Keeps one platform connected from the moment `start` is called: an attempt
 * that fails for any reason but a rejection is tried again after a backoff,
 * each failure logged with the wait before the next. `ready()` is true only
 * while a connection is up.
 */
export class PlatformLink {
  private connection: PlatformConnection | undefined;
  private running: { abort: AbortController; done: Promise<void> } | undefined;

  constructor(
    /** As people read it: "Slack", "Discord". */
    readonly name: string,
    private readonly options: PlatformLinkOptions,
  ) {}

  ready(): boolean {
    return this.connection?.ready() ?? false;
  }

  /** Starts connecting in the background; resolves once the first attempt has connected, failed or been rejected. */
  start(): Promise<void> {
    if (this.running || this.connection) return Promise.resolve();
    const abort = new AbortController();
    let attempted!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (attempted = resolve));
    const done = this.keepTrying(abort.signal, () => attempted()).finally(() => {
      if (this.running?.abort === abort) this.running = undefined;
      attempted();
    });
    this.running = { abort, done };
    return firstAttempt;
  }

  /** Stops trying and closes the connection; an attempt under way is waited for and its connection closed too. */
  async stop(): Promise<void> {
    const running = this.running;
    running?.abort.abort();
    await running?.done;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.stop();
  }

  private async keepTrying(signal: AbortSignal, attempted: () => void): Promise<void> {
    const { log } = this.options;
    for (let attempt = 1; !signal.aborted; attempt++) {
      let connection: PlatformConnection;
      try {
        connection = await this.options.connect();
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof PlatformRejected) {
          this.options.onRejected(err);
          return;
        }
        const waitMs = backoffDelay(attempt, this.options.backoff);
        log.warn({ platform: this.name, attempt, retryInMs: waitMs, err: describe(err) }, `${this.name}: could not connect (attempt ${attempt}); trying again in ${formatWait(waitMs)}`);
        attempted();
        await sleep(waitMs, signal);
        continue;
      }
      if (signal.aborted) {
        await connection.stop().catch((err: unknown) => log.warn({ platform: this.name, err: describe(err) }, `${this.name}: did not stop cleanly`));
        return;
      }
      this.connection = connection;
      if (attempt > 1) log.info({ platform: this.name, attempt }, `${this.name}: connected at attempt ${attempt}`);
      attempted();
      await this.options.onConnected?.().catch((err: unknown) => log.error({ platform: this.name, err: describe(err) }, `${this.name}: connected, but what follows the connection failed`));
      return;
    }
  }
}

function formatWait(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
