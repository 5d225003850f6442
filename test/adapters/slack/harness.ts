/**
 * One running slawatch Slack app for a test: the real Bolt app over HTTP on
 * 127.0.0.1, a fake Slack Web API, a memory store, and a request sender
 * that signs like Slack. `restart()` stops the app and starts a new one on
 * the same store and fake — the process after downtime.
 */
import { App } from '../../../src/app/app.js';
import { parseConfig } from '../../../src/config/load.js';
import type { Desk } from '../../../src/service/desk.js';
import type { Logger } from '../../../src/service/logger.js';
import type { TicketStore } from '../../../src/store/ports.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { createSlackConnection, type SlackConnection, type SlackConnectOptions } from '../../../adapters/slack/index.js';
import { FakeSlack } from '../../../testkit/fake-slack.js';
import { SlackRequests } from '../../../testkit/slack-requests.js';

export const BOT_TOKEN = 'xoxb-1111111111-2222222222-TESTTOKENabcdefghijklmno';
export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

export const STAFF_CHANNEL = 'C0STAFF';
export const ACME = 'C0ACME';
export const GLOBEX = 'C0GLOBEX';
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';
/** Staff only through the S0SUPPORT user group. */
export const CAROL = 'U0CAROL';
export const CUSTOMER = 'U0CUSTOMER';
export const OTHER_CUSTOMER = 'U0GLOBEXER';
export const CUSTOMER_TEAM = 'T0ACMECORP';

export const CONFIG = `
people:
  alice: { name: Alice, slack: ${ALICE} }
  bob: { name: Bob, slack: ${BOB} }
staff:
  people: [alice, bob]
  slackGroups: [S0SUPPORT]
  channels: { slack: ${STAFF_CHANNEL} }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { slack: [${ACME}] } }
  - { id: globex, name: Globex, tier: standard, channels: { slack: [${GLOBEX}] } }
tiers:
  enterprise:
    calendar: 24x7
    targets: { default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d } }
  standard:
    calendar: 24x7
    targets: { default: { firstResponse: 4h, nextResponse: 8h, resolution: 5d } }
schedules:
  primary:
    timezone: UTC
    layers: [{ users: [alice], rotation: { every: 1w, start: "2026-01-05" } }]
escalation:
  policies:
    default:
      warn: [schedule:primary]
      levels: [{ notify: [schedule:primary, group:S0SUPPORT], delay: 30m }]
store: { backend: memory }
`;

export interface CapturedLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}

export function captureLogger(into: CapturedLog[]): Logger {
  const at = (level: CapturedLog['level']) => (fields: object, message: string) => void into.push({ level, fields, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** After a test: nothing logged as an error, and Bolt never saw a request acknowledged twice. */
export function noTroubleIn(h: Harness): void {
  const trouble = h.logs.filter((l) => l.level === 'error' || /already been called|not acknowledged/.test(l.message));
  if (trouble.length) throw new Error(`unexpected log lines:\n${trouble.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n')}`);
}

export interface HarnessOptions {
  config?: string;
  env?: Record<string, string>;
  fake?: FakeSlack;
  store?: TicketStore;
  connect?: SlackConnectOptions;
}

export class Harness {
  private constructor(
    readonly fake: FakeSlack,
    readonly store: TicketStore,
    readonly app: App,
    readonly connection: SlackConnection,
    readonly slack: SlackRequests,
    readonly logs: CapturedLog[],
    private readonly options: HarnessOptions,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const fake = options.fake ?? (await FakeSlack.start());
    fake.setUserGroup('S0SUPPORT', [CAROL]);
    const store = options.store ?? openMemoryStore();
    const logs: CapturedLog[] = [];
    const logger = captureLogger(logs);
    const app = new App({ config: parseConfig(options.config ?? CONFIG), store, logger });
    const env = {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      ...options.env,
    };
    const connection = await createSlackConnection(app, env, logger, { staffRefreshMs: 0, ...options.connect });
    await connection.caughtUp; // the tests look at what the start-up catch-up did
    await app.start();
    const address = connection.transport.address();
    const slack = new SlackRequests(`http://127.0.0.1:${address?.port ?? 0}/slack/events`, SIGNING_SECRET);
    return new Harness(fake, store, app, connection, slack, logs, { ...options, fake, store });
  }

  /** The desk the adapter calls. */
  get desk(): Desk {
    return this.app.desk;
  }

  /** Stops this app (not the fake, not the store). */
  async stopApp(): Promise<void> {
    await this.connection.stop();
    await this.app.stop();
  }

  /** The process after downtime: a new app on the same store and fake; `whileDown` runs in between. */
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

  /** A fresh Slack ts for a message "now". */
  ts(): string {
    return this.fake.nextTs();
  }

  /** The ticket a Slack message opened or joined. */
  async ticketOf(channel: string, ts: string) {
    const id = await this.store.findByMessage('slack', channel, ts);
    return id === undefined ? undefined : this.store.get(id);
  }

  async ticketCount(): Promise<number> {
    let n = 0;
    for await (const _ticket of this.store.listAll()) n++;
    return n;
  }
}
