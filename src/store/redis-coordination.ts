/**
 * Coordination over Redis: the leader lease is `SET <prefix>:lease:<name>
 * <owner> NX PX ttl`, renewed by a Lua compare-and-extend; ticket changes go
 * out on the pub/sub channel `<prefix>:tickets`, changes of the incident log
 * on `<prefix>:incidents` (a subscriber needs its own connection). Both
 * connections reconnect by themselves after an outage.
 */
import { createClient, type RedisClientType } from '@keyv/redis';
import type { Coordinator } from './coordination.js';
import { StoreError } from './ports.js';
import { redactSecrets } from '../observability/redact.js';
import { bounded, reconnectDelay } from './redis.js';

/** Extends the lease if `owner` holds it, else takes it if free. Answers 1 while `owner` holds it. */
const HOLD = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if current == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisCoordinatorOptions {
  url?: string;
  prefix?: string;
  commandTimeoutMs?: number;
}

export class RedisCoordinator implements Coordinator {
  private subscriber: RedisClientType | undefined;

  private constructor(
    private readonly client: RedisClientType,
    private readonly url: string,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {}

  static async connect(options: RedisCoordinatorOptions = {}): Promise<RedisCoordinator> {
    const url = options.url ?? 'redis://127.0.0.1:6379';
    const client = newClient(url);
    try {
      await bounded(client.connect(), 5_000);
    } catch (error) {
      if (client.isOpen) client.destroy();
      throw new StoreError(redactSecrets(`connecting to Redis at ${url} for coordination failed: ${error instanceof Error ? error.message : String(error)}`), { cause: error });
    }
    return new RedisCoordinator(client, url, options.prefix ?? 'slawatch', options.commandTimeoutMs ?? 2_000);
  }

  async holdLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = await bounded(this.client.eval(HOLD, { keys: [`${this.prefix}:lease:${name}`], arguments: [owner, String(ttlMs)] }), this.timeoutMs);
    return held === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await bounded(this.client.eval(RELEASE, { keys: [`${this.prefix}:lease:${name}`], arguments: [owner] }), this.timeoutMs);
  }

  async publishTicketChange(id: number, from: string): Promise<void> {
    await bounded(this.client.publish(`${this.prefix}:tickets`, `${id} ${from}`), this.timeoutMs);
  }

  async onTicketChange(listener: (id: number, from: string) => void, missed?: () => void): Promise<void> {
    this.subscriber ??= newClient(this.url);
    if (!this.subscriber.isOpen) await bounded(this.subscriber.connect(), 5_000);
    if (missed) {
      // 'ready' again means the connection was lost and is back, subscriptions renewed (node-redis renews them
      // before 'ready'); what was published in between never reached us.
      this.subscriber.on('ready', missed);
    }
    await this.subscriber.subscribe(`${this.prefix}:tickets`, (message) => {
      const [id, from] = message.split(' ');
      if (id && from) listener(Number(id), from);
    });
  }

  async publishIncidentChange(from: string): Promise<void> {
    await bounded(this.client.publish(`${this.prefix}:incidents`, from), this.timeoutMs);
  }

  async onIncidentChange(listener: (from: string) => void): Promise<void> {
    this.subscriber ??= newClient(this.url);
    if (!this.subscriber.isOpen) await bounded(this.subscriber.connect(), 5_000);
    await this.subscriber.subscribe(`${this.prefix}:incidents`, (from) => listener(from));
  }

  async close(): Promise<void> {
    for (const client of [this.subscriber, this.client]) {
      if (!client?.isOpen) continue;
      await bounded(client.close(), 2_000).catch(() => client.destroy());
    }
  }
}

function newClient(url: string): RedisClientType {
  const client = createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: 5_000, reconnectStrategy: reconnectDelay } });
  // Without an 'error' listener node-redis throws connection errors; outages surface through the commands instead.
  client.on('error', () => undefined);
  return client;
}
