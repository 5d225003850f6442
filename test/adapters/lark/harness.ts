/**
 * One running slawatch Feishu/Lark adapter for a test: the real SDK (Client
 * and WSClient) against the fake open platform on 127.0.0.1, an App on a
 * memory store. `restart()` stops the adapter and starts a new one on the
 * same store and fake — the process after downtime.
 */
import { parseConfig } from '../../../src/config/load.js';
import { App } from '../../../src/app/app.js';
import type { TicketStore } from '../../../src/store/ports.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { connectLark, type LarkConnection, type LarkConnectOptions } from '../../../adapters/lark/index.js';
import { FakeLark, type Person } from '../../../testkit/fake-lark.js';
import { captureLogger, type CapturedLog } from '../slack/harness.js';

export const STAFF_GROUP = 'oc_staff';
export const ACME = 'oc_acme';
export const GLOBEX = 'oc_globex';
export const OUR_TENANT = 'tenant_ours';
export const ALICE: Person = { openId: 'ou_alice', tenantKey: OUR_TENANT };
export const BOB: Person = { openId: 'ou_bob', tenantKey: OUR_TENANT };
/** Staff only through the staff tenant. */
export const CAROL: Person = { openId: 'ou_carol', tenantKey: OUR_TENANT };
export const CUSTOMER: Person = { openId: 'ou_acme_dana', tenantKey: 'tenant_acme' };

export const CONFIG = `
people:
  alice: { name: Alice, lark: ${ALICE.openId} }
  bob: { name: Bob, lark: ${BOB.openId} }
staff:
  people: [alice, bob]
  larkTenant: ${OUR_TENANT}
  channels: { lark: ${STAFF_GROUP} }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { lark: [${ACME}] } }
  - { id: globex, name: Globex, tier: enterprise, channels: { lark: [${GLOBEX}] } }
tiers:
  enterprise:
    calendar: 24x7
    targets: { default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d } }
schedules:
  primary:
    timezone: UTC
    layers: [{ users: [alice], rotation: { every: 1w, start: "2026-01-05" } }]
escalation:
  policies:
    default:
      warn: [schedule:primary]
      levels: [{ notify: [schedule:primary], delay: 30m }]
store: { backend: memory }
`;

/** After a test: nothing logged as an error. */
export function noTroubleIn(h: Harness): void {
  const trouble = h.logs.filter((l) => l.level === 'error');
  if (trouble.length) throw new Error(`unexpected log lines:\n${trouble.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n')}`);
}

export interface HarnessOptions {
  config?: string;
  env?: Record<string, string>;
  fake?: FakeLark;
  store?: TicketStore;
  connect?: LarkConnectOptions;
  now?: () => number;
}

export class Harness {
  private constructor(
    readonly fake: FakeLark,
    readonly store: TicketStore,
    readonly app: App,
    readonly connection: LarkConnection,
    readonly logs: CapturedLog[],
    private readonly options: HarnessOptions,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const fake = options.fake ?? (await FakeLark.start({ tenantKey: OUR_TENANT }));
    const store = options.store ?? openMemoryStore();
    const logs: CapturedLog[] = [];
    const logger = captureLogger(logs);
    const app = new App({ config: parseConfig(options.config ?? CONFIG), store, logger, ...(options.now ? { now: options.now } : {}) });
    const connection = await connectLark(app, { ...fake.env(), ...options.env }, logger, options.connect);
    await app.start();
    if (options.env?.LARK_MODE !== 'webhook') await fake.untilConnected();
    return new Harness(fake, store, app, connection, logs, { ...options, fake, store });
  }

  /** Stops this adapter and its app (not the fake, not the store). */
  async stopApp(): Promise<void> {
    await this.connection.stop();
    await this.app.stop();
  }

  async restart(whileDown?: () => void | Promise<void>): Promise<Harness> {
    await this.stopApp();
    await whileDown?.();
    return Harness.start(this.options);
  }

  async stop(): Promise<void> {
    await this.stopApp();
    await this.store.close();
    await this.fake.stop();
  }

  /** Everything the adapter started has finished (handlers in the background, sends). */
  async settled(): Promise<void> {
    await this.connection.settled();
    await this.app.idle();
  }

  async ticketOf(chatId: string, messageId: string) {
    const id = await this.store.findByMessage('lark', chatId, messageId);
    return id === undefined ? undefined : this.store.get(id);
  }

  async ticketCount(): Promise<number> {
    let n = 0;
    for await (const _ticket of this.store.listAll()) n++;
    return n;
  }
}
