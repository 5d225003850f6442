/**
 * slawatch replicas as production runs them, for the chaos test and the
 * replica bench: a redis-server of the caller's own (durable like a
 * production Redis if asked: append-only file fsynced on every write, so a
 * restart keeps the data), `slawatch start` processes that can be SIGKILLed
 * and started again on their port, and Slack's way of delivering an event:
 * signed, to one replica, and again (X-Slack-Retry-Num) to another until
 * one answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@keyv/redis';
import { SlackRequests, type Payload } from './slack-requests.js';

/** bin/slawatch.js of this checkout, found from here whether this file runs as source (tests) or from dist/ (benches). */
function findBin(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'slawatch.js'))) return join(dir, 'bin', 'slawatch.js');
    if (dirname(dir) === dir) throw new Error('bin/slawatch.js not found above ' + fileURLToPath(import.meta.url));
  }
}

export const SLAWATCH_BIN = findBin();

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

/** Resolves when `child` has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface RedisServerOptions {
  /** The redis-server executable. */
  binary: string;
  /** Its working directory (snapshot, append-only file). */
  dir: string;
  /**
   * Keeps every acknowledged write across a kill -9 (append-only file, fsync
   * on every write), as a production Redis should. Otherwise it writes
   * nothing by itself; save() takes a snapshot that a restart reads back.
   */
  durable?: boolean;
}

/** A redis-server of the caller's own on 127.0.0.1 and a free port: killed, paused and started again as the caller says. */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    const persistence = this.options.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', this.options.dir];
    const child = spawn(this.options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${output}`));
      });
    });
    this.child = child;
  }

  /** A snapshot now (SAVE), which a restart reads back. */
  async save(): Promise<void> {
    const client = createClient({ url: this.url });
    client.on('error', () => undefined); // a failure shows up in the command below
    await client.connect();
    try {
      await client.sendCommand(['SAVE']);
    } finally {
      await client.close();
    }
  }

  /** SIGSTOP: connections stay up, nothing answers. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after pause(). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** kill -9, as a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    child.kill('SIGKILL');
    await exited(child);
  }
}

export interface ReplicaSettings {
  config: string;
  port: number;
  /** SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL and anything else for the environment. */
  env: NodeJS.ProcessEnv;
}

interface Incarnation {
  child: ChildProcess;
  log: string;
  /** It answered ready. */
  ready: boolean;
  /** The caller killed or stopped it (or it failed to start, which start() reports); any other exit is a crash. */
  ended: boolean;
}

/** One `slawatch start` replica on a fixed port: started, SIGKILLed and started again as the caller says. */
export class Replica {
  readonly incarnations: Incarnation[] = [];
  readonly url: string;

  constructor(
    readonly name: string,
    private readonly settings: ReplicaSettings,
  ) {
    this.url = `http://127.0.0.1:${settings.port}`;
  }

  /** Started, answered ready, and neither killed nor exited since. */
  get ready(): boolean {
    const current = this.incarnations.at(-1);
    return current !== undefined && current.ready && !current.ended && current.child.exitCode === null && current.child.signalCode === null;
  }

  /** Starts a process and resolves once it answers ready (store reachable, Slack mounted). */
  async start(timeoutMs = 20_000): Promise<void> {
    const child = spawn(process.execPath, [SLAWATCH_BIN, 'start', '--config', this.settings.config], {
      env: { ...process.env, DISCORD_TOKEN: '', LOG_LEVEL: 'info', HOST: '127.0.0.1', ...this.settings.env, PORT: String(this.settings.port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const incarnation: Incarnation = { child, log: '', ready: false, ended: false };
    this.incarnations.push(incarnation);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (incarnation.log += chunk));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        incarnation.ended = true; // reported here, not as a crash
        throw new StartFailed(`${this.name} exited while starting (${child.exitCode ?? child.signalCode}):\n${incarnation.log.slice(-3_000)}`);
      }
      incarnation.ready = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
      if (incarnation.ready) return;
      if (Date.now() > deadline) throw new Error(`${this.name} did not become ready:\n${incarnation.log.slice(-3_000)}`);
      await sleep(100);
    }
  }

  /** Starts it, and again each time it exits while starting (Redis down, say), as an orchestrator would, until it is ready. */
  async startUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.start(Math.max(1, deadline - Date.now()));
      } catch (error) {
        if (!(error instanceof StartFailed) || Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  }

  /** SIGKILL: no shutdown, no drain, whatever it was doing is cut off. */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** SIGTERM: the graceful stop an orchestrator asks for. Resolves with the exit code. */
  async stop(): Promise<number | null> {
    const current = this.incarnations.at(-1);
    await this.end('SIGTERM');
    return current?.child.exitCode ?? null;
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const current = this.incarnations.at(-1);
    if (!current || current.ended) return;
    current.ended = true;
    current.child.kill(signal);
    await exited(current.child);
  }

  /** Processes that exited without being told to (crashes), with their last log lines. */
  crashes(): string[] {
    return this.incarnations
      .filter((i) => !i.ended && (i.child.exitCode !== null || i.child.signalCode !== null))
      .map((i) => `${this.name} (pid ${i.child.pid}) exited by itself (${i.child.exitCode ?? i.child.signalCode}):\n${i.log.slice(-3_000)}`);
  }

  /** Every log line of every incarnation (pino JSON). */
  logLines(): string[] {
    return this.incarnations.flatMap((i) => i.log.split('\n').filter(Boolean));
  }
}

/** The process exited before it was ready. */
export class StartFailed extends Error {
  override name = 'StartFailed';
}

export interface DeliveryOutcome {
  /** Requests sent until one was answered 200 (1 = the first delivery). */
  attempts: number;
  /** Which replica answered 200. */
  replica: number;
  /** Answers other than 200: HTTP status, or the error of a request that got none. */
  refusals: string[];
}

/**
 * Slack's Events API delivery to replicas behind a load balancer: each
 * request is signed anew, waits at most 3 s for an answer, and an event that
 * was not answered 200 is sent again — same event id, X-Slack-Retry-Num set —
 * to the next replica, after a short back-off, until one takes it.
 */
export class SlackDelivery {
  constructor(
    private readonly replicaUrls: readonly string[],
    private readonly signingSecret: string,
    private readonly options: { timeoutMs?: number; giveUpAfterMs?: number } = {},
  ) {}

  async deliver(event: Payload, eventId: string, firstReplica: number): Promise<DeliveryOutcome> {
    const refusals: string[] = [];
    const giveUpAt = Date.now() + (this.options.giveUpAfterMs ?? 60_000);
    for (let attempt = 0; ; attempt++) {
      const replica = (firstReplica + attempt) % this.replicaUrls.length;
      const requests = new SlackRequests(`${this.replicaUrls[replica]}/slack/events`, this.signingSecret);
      try {
        const response = await requests.event(event, { eventId, timeoutMs: this.options.timeoutMs ?? 3_000, ...(attempt > 0 ? { retryNum: attempt, retryReason: 'http_error' } : {}) });
        if (response.status === 200) return { attempts: attempt + 1, replica, refusals };
        refusals.push(String(response.status));
      } catch (error) {
        refusals.push(error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error));
      }
      if (Date.now() > giveUpAt) throw new Error(`event ${eventId} was refused ${refusals.length} times: ${refusals.join(', ')}`);
      await sleep(Math.min(1_000, 100 * 2 ** attempt));
    }
  }
}
