/**
 * Incident notices with two replicas on the real Redis: the replica that
 * ran the command claims the notices and stalls before the platform takes
 * them (as a process that dies there would); the other replica takes them
 * over when the send lease runs out and posts each once, flagged as a
 * resend for the platform to check. Nothing is posted twice.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { App } from '../../src/app/app.js';
import { silentLogger } from '../../src/service/logger.js';
import type { Outbound, SendOptions, SentRef } from '../../src/service/messages.js';
import { RedisCoordinator } from '../../src/store/redis-coordination.js';
import { openRedisStore } from '../../src/store/redis.js';
import { RecordingPort } from '../helpers/app-harness.js';
import { needRedis } from '../helpers/requirements.js';

const URL = (await needRedis('incident notice replica tests')) ?? '';
const PREFIX = `slawatch-test-incidents-replicas-${randomBytes(4).toString('hex')}`;
const CONFIG = parseConfig(`
people: { alice: { name: Alice } }
staff: { people: [alice], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme, acme-ops] } }
  - { id: globex, name: Globex, tier: enterprise, channels: { shell: [globex] } }
tiers:
  enterprise: { targets: { default: { firstResponse: 1h } } }
notifications: { sendLease: 1s, coalesceWindow: 0.1s }
`);

/** A platform connection that hangs until the test lets it fail: the send a dying process never finished. */
class StalledPort {
  readonly platform = 'shell' as const;
  readonly attempts: Outbound[] = [];
  private fail!: (error: Error) => void;
  private readonly gate = new Promise<never>((_, reject) => (this.fail = reject));
  async send(message: Outbound, _options?: SendOptions): Promise<SentRef> {
    this.attempts.push(message);
    return this.gate;
  }
  die(): void {
    this.fail(new Error('the process died'));
  }
}

afterAll(async () => {
  const raw = createClient({ url: URL });
  await raw.connect();
  for await (const keys of raw.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 1_000 })) if (keys.length) await raw.unlink(keys);
  await raw.close();
});

describe.runIf(URL)('incident notices across replicas', () => {
  it('a replica stalled after claiming is taken over after the lease: each channel gets the notice once', async () => {
    const replicas = await Promise.all(
      ['stalled', 'heir'].map(async (instanceId) => {
        const store = await openRedisStore({ url: URL, prefix: PREFIX });
        const coordinator = await RedisCoordinator.connect({ url: URL, prefix: PREFIX });
        const app = new App({ config: CONFIG, store, logger: silentLogger, coordinator, instanceId, resyncEveryMs: 300 });
        return { store, coordinator, app };
      }),
    );
    const [stalled, heir] = replicas as [(typeof replicas)[number], (typeof replicas)[number]];
    const stalledPort = new StalledPort();
    const heirPort = new RecordingPort('shell');
    stalled.app.attach(stalledPort);
    heir.app.attach(heirPort);
    await stalled.app.start();
    await heir.app.start();

    const answer = await stalled.app.desk.runCommand({ platform: 'shell', channelId: 'staff', author: { userId: 'alice', personId: 'alice' }, text: 'incident open API errors customer acme' });
    expect(answer.reply.text).toMatch(/^Incident inc-1 opened/);
    await new Promise((r) => setTimeout(r, 300));
    expect(stalledPort.attempts.map((m) => m.channelId).sort()).toEqual(['acme', 'acme-ops']);
    const claimed = await heir.store.incidents().get('incident', 'inc-1');
    expect(Object.values(claimed!.notices).map((n) => `${n.status}/${n.owner}`)).toEqual(['sending/stalled', 'sending/stalled']);
    expect(heirPort.sent).toEqual([]); // the lease still runs

    // The lease (1 s) runs out; the heir's periodic re-derivation finds the orphaned claims.
    const deadline = Date.now() + 5_000;
    while (heirPort.sent.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(heirPort.sent.map((s) => [s.message.channelId, s.options?.resend]).sort()).toEqual([
      ['acme', true],
      ['acme-ops', true],
    ]);
    await new Promise((r) => setTimeout(r, 1_000));
    const record = await heir.store.incidents().get('incident', 'inc-1');
    expect(Object.values(record!.notices).map((n) => `${n.status}/${n.owner}`)).toEqual(['sent/heir', 'sent/heir']);
    expect(heirPort.sent).toHaveLength(2);
    expect(heirPort.lines('globex')).toEqual([]);

    // The stalled process's sends fail at last: what the heir recorded stands.
    stalledPort.die();
    for (const { app, coordinator, store } of replicas) {
      await app.stop();
      await coordinator.close();
      await store.close();
    }
    const after = await openRedisStore({ url: URL, prefix: PREFIX });
    expect(Object.values((await after.incidents().get('incident', 'inc-1'))!.notices).map((n) => `${n.status}/${n.owner}`)).toEqual(['sent/heir', 'sent/heir']);
    await after.close();
  });
});
