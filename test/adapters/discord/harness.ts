/**
 * A running slawatch bot on the real discord.js client, connected to a fake
 * Discord on 127.0.0.1: the config, the ids, the people, and a logger that
 * keeps every line so tests can read (and search) the logs.
 */
import type { GatewayDispatchEvents } from 'discord.js';
import { startDiscord, type DiscordConnection } from '../../../adapters/discord/index.js';
import { App } from '../../../src/app/app.js';
import { parseConfig } from '../../../src/config/load.js';
import type { Logger } from '../../../src/service/logger.js';
import { openMemoryStore } from '../../../src/store/open.js';
import type { TicketStore } from '../../../src/store/ports.js';
import { FakeDiscord, type FakeDiscordOptions, type FakeMember, type FakeMessage } from '../../helpers/fake-discord.js';

export const IDS = {
  acme: '200000000000000001',
  globex: '200000000000000002',
  initech: '200000000000000003',
  staffChannel: '400000000000000001',
  lobby: '400000000000000009',
  staffRole: '300000000000000001',
  oncallRole: '300000000000000002',
  alice: '100000000000000001',
  bob: '100000000000000002',
  rita: '100000000000000077',
  dana: '500000000000000001',
  erin: '500000000000000002',
  otherBot: '600000000000000001',
} as const;

/** Enterprise (Acme) answers in an hour; Initech's tier is slow. `targets` overrides Acme's targets for escalation tests. */
export function configYaml(options: { targets?: string; standardTargets?: string; levels?: string; warnAt?: string; dm?: boolean; coalesce?: string } = {}): string {
  return `
people:
  alice: { name: Alice, discord: "${IDS.alice}" }
  bob: { name: Bob, discord: "${IDS.bob}" }
  carol: { name: Carol }
staff:
  people: [alice, bob, carol]
  discordRoles: ["${IDS.staffRole}"]
  channels: { discord: "${IDS.staffChannel}" }
  dm: ${options.dm ? 'true' : 'false'}
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { discord: ["${IDS.acme}"] }, accountEngineer: bob }
  - { id: globex, name: Globex, tier: enterprise, channels: { discord: ["${IDS.globex}"] } }
  - { id: initech, name: Initech, tier: standard, channels: { discord: ["${IDS.initech}"] } }
tiers:
  enterprise:
    targets:
      default: ${options.targets ?? '{ firstResponse: 1h, nextResponse: 2h, resolution: 2d }'}
  standard:
    targets:
      default: ${options.standardTargets ?? '{ firstResponse: 4h, resolution: 5d }'}
schedules:
  primary:
    timezone: UTC
    layers:
      - users: [alice]
        rotation: { every: 1w, handoff: "00:00", start: "2026-01-05" }
escalation:
  warnAt: ${options.warnAt ?? '[0.5]'}
  policies:
    default:
      warn: [schedule:primary]
      levels: ${options.levels ?? `[{ notify: [schedule:primary], delay: 1h }]`}
notifications:
  coalesceWindow: ${options.coalesce ?? '0.3s'}
store: { backend: memory }
`;
}

export interface LogLine {
  level: string;
  fields: object;
  message: string;
}

export function capturingLogger(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, fields, message });
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n'),
  };
}

export interface Harness {
  fake: FakeDiscord;
  app: App;
  store: TicketStore;
  connection: DiscordConnection;
  logs: ReturnType<typeof capturingLogger>;
  /** Customers and staff, as guild members. */
  dana: FakeMember;
  erin: FakeMember;
  alice: FakeMember;
  rita: FakeMember;
  /** Waits until the adapter and the bot have nothing in progress. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  yaml?: string;
  fake?: FakeDiscord;
  store?: TicketStore;
  quickReplyMs?: number;
  archiveDelayMs?: number;
  env?: NodeJS.ProcessEnv;
}

export async function newFake(options: Pick<FakeDiscordOptions, 'nonceWindowMs' | 'port' | 'token'> = {}): Promise<FakeDiscord> {
  const fake = await FakeDiscord.start({
    ...options,
    channels: [
      { id: IDS.acme, name: 'acme-support' },
      { id: IDS.globex, name: 'globex-support' },
      { id: IDS.initech, name: 'initech-support' },
      { id: IDS.staffChannel, name: 'support-staff' },
      { id: IDS.lobby, name: 'lobby' },
    ],
    roles: [
      { id: IDS.staffRole, name: 'Support' },
      { id: IDS.oncallRole, name: 'On call' },
    ],
    heartbeatIntervalMs: 400,
  });
  fake.member(IDS.dana, 'dana');
  fake.member(IDS.erin, 'erin');
  fake.member(IDS.alice, 'alice');
  fake.member(IDS.bob, 'bob');
  fake.member(IDS.rita, 'rita', [IDS.staffRole]);
  return fake;
}

export function discordEnv(fake: FakeDiscord): NodeJS.ProcessEnv {
  return { DISCORD_TOKEN: fake.token, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = options.fake ?? (await newFake());
  const store = options.store ?? openMemoryStore();
  const logs = capturingLogger();
  const app = new App({ config: parseConfig(options.yaml ?? configYaml()), store, logger: logs });
  const connection = await startDiscord(app, options.env ?? discordEnv(fake), logs, {
    ...(options.quickReplyMs !== undefined ? { quickReplyMs: options.quickReplyMs } : {}),
    ...(options.archiveDelayMs !== undefined ? { archiveDelayMs: options.archiveDelayMs } : {}),
  });
  await app.start();
  const settle = async () => {
    if (fake.connected) await gatewayBarrier(fake, connection);
    await connection.settled();
    await app.idle(5_000);
    await connection.settled();
  };
  return {
    fake,
    app,
    store,
    connection,
    logs,
    dana: fake.member(IDS.dana, 'dana'),
    erin: fake.member(IDS.erin, 'erin'),
    alice: fake.member(IDS.alice, 'alice'),
    rita: fake.member(IDS.rita, 'rita'),
    settle,
    async stop() {
      await app.stop();
      await connection.stop();
      if (!options.fake) await fake.close();
    },
  };
}

/**
 * Waits until the client has read everything the fake dispatched so far: a
 * marker event goes out last on the same ordered connection, and the adapter
 * queues its work as each event arrives, so once the marker is seen, settling
 * the adapter covers every earlier event.
 */
export async function gatewayBarrier(fake: FakeDiscord, connection: DiscordConnection): Promise<void> {
  const marker = `barrier-${Math.random()}`;
  // A made-up dispatch name: discord.js has no handler for it and passes it on to raw listeners only.
  const event = 'SLAWATCH_TEST_BARRIER' as GatewayDispatchEvents;
  const seen = new Promise<void>((resolve) => {
    const listener = (data: { marker?: string }) => {
      if (data.marker !== marker) return;
      connection.client.ws.off(event, listener);
      resolve();
    };
    connection.client.ws.on(event, listener);
  });
  fake.dispatch(event, { marker });
  await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error('the client did not read the gateway barrier')), 5_000))]);
}

/** The bot's first message in a ticket's thread (the acknowledgement card). */
export async function ackIn(fake: FakeDiscord, opener: FakeMessage, timeoutMs = 5_000): Promise<FakeMessage> {
  const record = await fake.channel(opener.id).expectMessage(/Ticket #\d+ opened/, timeoutMs);
  return record.message;
}
