import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createContext } from '../../src/service/context.js';
import { Notifier } from '../../src/service/notify.js';
import { Outbox, type OutboxItem } from '../../src/service/outbox.js';
import type { Outbound, SendOptions, SentRef } from '../../src/service/messages.js';
import { openMemoryStore } from '../../src/store/open.js';
import { harness, RecordingPort, settle, T0 } from '../helpers/app-harness.js';

const CONFIG = `
people:
  alice: { name: Alice }
  carol: { name: Carol }
staff:
  people: [alice, carol]
  channels: { shell: staff }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] }, accountEngineer: carol }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h, resolution: 1d }
escalation:
  warnAt: [0.5]
  policies:
    default:
      levels:
        - { notify: [person:alice], delay: 15m }
        - { notify: [channel:incidents], delay: 30m }
`;
const MIN = 60_000;

describe('the scheduler and notifications, on a clock the test moves', () => {
  it('warns at 50 %, breaches at the deadline, climbs the ladder, and stops when staff reply', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', 'Need help', { messageId: 'root' });
    await h.timers.advance(29 * MIN);
    expect(h.port.lines('staff')).toEqual([]);
    await h.timers.advance(1 * MIN);
    expect(h.port.lines('staff')).toHaveLength(1);
    expect(h.port.lines('staff')[0]).toMatch(/^@carol ⚠ #1 first response due soon/);
    await h.timers.advance(30 * MIN);
    expect(h.port.lines('staff')[1]).toMatch(/^@carol @alice 🔴 #1 first response BREACHED/);
    await h.timers.advance(15 * MIN);
    // Level 2 goes to the incidents channel, and is recorded from the staff-channel post.
    expect(h.port.lines('staff')[2]).toMatch(/escalation level 2/);
    expect(h.port.lines('incidents')).toHaveLength(1);
    await h.say('acme', 'alice', 'Here now', { threadId: 'root' });
    await h.timers.advance(24 * 60 * MIN);
    // The first-response ladder stopped; the resolution clock warned at 50 % (12 h) and breached at 24 h.
    const later = h.port.lines('staff').slice(3);
    expect(later.map((l) => l.replace(/ ·.*/, ''))).toEqual([
      '@carol ⚠ #1 resolution due soon',
      '@carol @alice 🔴 #1 resolution BREACHED',
      '@carol 🔴 #1 resolution breached — escalation level 2',
    ]);
    const ticket = await h.store.get(1);
    expect(Object.entries(ticket!.notifications).map(([k, r]) => `${k}=${r.status}`)).toEqual([
      'engineer=sent',
      'firstResponse:1:warning:0.5=sent',
      'firstResponse:1:level1:0=sent',
      'firstResponse:1:level2:0=sent',
      'resolution:1:warning:0.5=sent',
      'resolution:1:level1:0=sent',
      'resolution:1:level2:0=sent',
    ]);
  });

  it('a claim silences warnings to anyone but the assignee', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', 'Need help', { messageId: 'root' });
    await h.command('acme', 'alice', 'claim', 'root');
    await h.timers.advance(30 * MIN);
    expect(h.port.lines('staff')[0]).toMatch(/^@alice ⚠ #1 first response due soon/);
  });

  it('after downtime, only the most advanced step of a clock fires, late, once; a restart does not repeat it', async () => {
    const store = openMemoryStore();
    const first = await harness(CONFIG, { store, instanceId: 'one' });
    await first.say('acme', 'dana', 'Need help', { messageId: 'root' });
    await first.app.stop();
    // Down for 80 minutes: the warning, the breach and level 2 all came due.
    const second = await harness(CONFIG, { store, instanceId: 'two', t: T0 + 80 * MIN });
    await second.timers.advance(0);
    const lines = second.port.lines('staff');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/escalation level 2 .*Sent late: this was due Mon 2 Mar 11:15 UTC/);
    const records = (await store.get(1))!.notifications;
    expect(records['firstResponse:1:warning:0.5']?.status).toBe('skipped');
    expect(records['firstResponse:1:level1:0']?.status).toBe('skipped');
    expect(records['firstResponse:1:level2:0']).toMatchObject({ status: 'sent', late: true });
    const third = await harness(CONFIG, { store, instanceId: 'three', t: T0 + 81 * MIN });
    await third.timers.advance(0);
    expect(third.port.lines('staff')).toEqual([]);
  });
});

describe('at most once', () => {
  // Without an account engineer: the ladder's step is the one notification here (no message at open).
  const LADDER_ONLY = CONFIG.replace(', accountEngineer: carol', '');
  async function setup() {
    const config = parseConfig(LADDER_ONLY);
    const store = openMemoryStore();
    let t = T0;
    const ctx = createContext(config, store, () => t);
    const h = await harness(LADDER_ONLY, { store, start: false });
    await h.say('acme', 'dana', 'Need help', { messageId: 'root' });
    t = T0 + 61 * MIN;
    const replica = (id: string, options: { port?: RecordingPort; renewClaims?: boolean } = {}) => {
      const port = options.port ?? new RecordingPort();
      const holder: { notifier?: Notifier } = {};
      const renewClaims = options.renewClaims ? { renewClaims: { afterMs: 5_000, renew: (items: OutboxItem[]) => holder.notifier!.renewClaims(items) } } : {};
      const outbox = new Outbox({ intervalMs: { default: 0 }, now: () => t, ...renewClaims }, async (r) => void (await holder.notifier!.recordResults(r)));
      outbox.attach(port);
      const notifier = new Notifier(ctx, outbox, { bootAt: T0, instanceId: id });
      holder.notifier = notifier;
      return { port, outbox, notifier };
    };
    return { store, replica, setTime: (ms: number) => (t = ms) };
  }

  it('two replicas firing the same ticket at the same moment send one notification', async () => {
    const { replica } = await setup();
    const a = replica('a');
    const b = replica('b');
    const [na, nb] = await Promise.all([a.notifier.fireDue(1), b.notifier.fireDue(1)]);
    await a.outbox.drain();
    await b.outbox.drain();
    expect(na.sent + nb.sent).toBe(1);
    expect(a.port.sent.length + b.port.sent.length).toBe(1);
  });

  it('a process that died between record and send is taken over when its lease ends: the same message is resent, flagged for the platform to check', async () => {
    const { store, replica, setTime } = await setup();
    const dead = replica('dead');
    dead.outbox.close(); // it dies before the outbox sends
    await dead.notifier.fireDue(1);
    expect((await store.get(1))!.notifications['firstResponse:1:level1:0']).toMatchObject({ status: 'sending', owner: 'dead' });
    const heir = replica('heir');
    // While the dead process's lease runs, nobody else touches its send.
    expect((await heir.notifier.fireDue(1)).sent).toBe(0);
    setTime(T0 + 61 * MIN + 10_000);
    await heir.notifier.fireDue(1);
    await heir.outbox.drain();
    expect(heir.port.sent).toHaveLength(1);
    expect(heir.port.sent[0]?.options).toMatchObject({ resend: true, idempotencyKey: '1/firstResponse:1:level1:0' });
    expect((await store.get(1))!.notifications['firstResponse:1:level1:0']).toMatchObject({ status: 'sent', owner: 'heir' });
    await heir.notifier.fireDue(1);
    await heir.outbox.drain();
    expect(heir.port.sent).toHaveLength(1);
  });

  it('a send that waited in the outbox past its lease goes out only while the claim is still its own (renewed), never after a takeover', async () => {
    for (const takenOver of [true, false]) {
      const { store, replica, setTime } = await setup();
      // The slow replica's channel is busy with an earlier post that hangs until the gate opens.
      let open!: () => void;
      const port = new GatedPort(new Promise<void>((resolve) => (open = resolve)));
      const slow = replica('slow', { port, renewClaims: true });
      slow.outbox.enqueue({ platform: 'shell', channelId: 'staff', card: { tone: 'info', title: 'earlier', fields: [] }, key: '0/earlier@staff' });
      await slow.notifier.fireDue(1);
      setTime(T0 + 61 * MIN + 10_000); // the lease (10 s) ran out while the ping waited
      const heir = replica('heir');
      if (takenOver) {
        await heir.notifier.fireDue(1);
        await heir.outbox.drain();
      }
      open();
      await slow.outbox.drain();
      await settle();
      const posts = [...port.sent, ...heir.port.sent].filter((s) => s.message.type === 'notify' && s.message.keys.includes('1/firstResponse:1:level1:0'));
      expect(posts, takenOver ? 'taken over' : 'still its own').toHaveLength(1);
      expect((await store.get(1))!.notifications['firstResponse:1:level1:0']).toMatchObject({ status: 'sent', owner: takenOver ? 'heir' : 'slow' });
    }
  });

  it('a send the platform refused is retried with back-off, not dropped and not repeated', async () => {
    const { store, replica, setTime } = await setup();
    const r = replica('r');
    r.port.failNext = 1;
    await r.notifier.fireDue(1);
    await r.outbox.drain();
    await settle();
    const failed = (await store.get(1))!.notifications['firstResponse:1:level1:0'];
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, retryAt: T0 + 61 * MIN + 15_000 });
    expect((await r.notifier.fireDue(1)).sent).toBe(0); // not yet
    setTime(T0 + 61 * MIN + 15_000);
    expect((await r.notifier.fireDue(1)).sent).toBe(1);
    await r.outbox.drain();
    await settle();
    expect(r.port.sent).toHaveLength(1);
    expect((await store.get(1))!.notifications['firstResponse:1:level1:0']?.status).toBe('sent');
  });
});

describe('storms', () => {
  it('pings for one channel that come due together are coalesced; another channel is not held up', async () => {
    const port = new RecordingPort();
    const outbox = new Outbox({ intervalMs: { default: 200 } }, () => undefined);
    outbox.attach(port);
    const card = (n: number) => ({ tone: 'danger' as const, title: `#${n} BREACHED`, fields: [] });
    for (let i = 1; i <= 60; i++) outbox.enqueue({ platform: 'shell', channelId: 'staff', card: card(i), key: `${i}/k` });
    outbox.enqueue({ platform: 'shell', channelId: 'other', card: card(99), key: '99/k' });
    await settle();
    // First staff ping at once, the "other" channel at once, the rest waiting for the interval.
    expect(port.sent.map((s) => s.message.channelId)).toEqual(['staff', 'other']);
    await outbox.drain();
    const staffMessages = port.sent.filter((s) => s.message.channelId === 'staff');
    expect(staffMessages.length).toBeLessThanOrEqual(4); // 1 + ceil(59 / 25)
    expect(staffMessages.flatMap((s) => (s.message.type === 'notify' ? s.message.keys : []))).toHaveLength(60);
  });
});

/** A port whose posts wait for `gate`. */
class GatedPort extends RecordingPort {
  constructor(private readonly gate: Promise<void>) {
    super();
  }

  override async send(message: Outbound, options?: SendOptions): Promise<SentRef> {
    await this.gate;
    return super.send(message, options);
  }
}
