import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type RedisClientType } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { cursorKey, lastTicketKey } from '../../src/service/channel-state.js';
import { createContext } from '../../src/service/context.js';
import { handleMessage } from '../../src/service/tickets.js';
import { openSqliteStore } from '../../src/store/open.js';
import { openRedisStore } from '../../src/store/redis.js';
import { CONFIG_YAML, ms, REPORT_AT, TICKETS } from '../report/fixtures.js';
import { runMain } from '../report/helpers.js';
import { needRedis } from '../helpers/requirements.js';
import type { IncidentEvent } from '../../src/availability/incident-log.js';

// `slawatch export` (SQLite) → `slawatch import` into an empty Redis store → `slawatch export` (Redis):
// the same text, the same tickets, the same answers from the bot. Against the real Redis on
// 127.0.0.1:6379, each store under a random prefix.

const REDIS_URL = (await needRedis('import into Redis tests')) ?? '';

/** The fixture tickets, #2 with all the bot keeps of a Slack ticket, and a Discord ticket #12 (a gap in the numbers). */
const t2 = TICKETS[1] as Ticket;
const RICH: Ticket = {
  ...t2,
  events: [
    { ...(t2.events[0] as Ticket['events'][number]), messageId: '1772532000.000100', by: { platform: 'slack', userId: 'U0CUST', name: 'Carla (Acme)' } },
    { type: 'staff_reply', at: ms('2026-03-03T10:30:00Z'), by: { platform: 'slack', userId: 'U0BOB', personId: 'bob', name: 'Bob B.' }, messageId: '1772533800.000200' },
    { type: 'waiting_on_customer', at: ms('2026-03-03T11:00:00Z'), by: { platform: 'slack', userId: 'U0BOB', personId: 'bob' } },
    { type: 'customer_message', at: ms('2026-03-04T09:00:00.250Z'), text: 'here are the logs', messageId: '1772614800.000300', by: { platform: 'slack', userId: 'U0CUST' } },
  ],
  notifications: {
    'firstResponse:0:breach:1:0': { status: 'sent', dueAt: ms('2026-03-03T10:15:00Z'), sentAt: ms('2026-03-03T10:15:00.250Z'), late: false, ref: 'C0STAFF/1772532900.000400', attempts: 1 },
    'nextResponse:1:warn:0.5:0': {
      status: 'sending',
      dueAt: ms('2026-03-04T10:00:00Z'),
      owner: 'replica-a',
      claimedAt: ms('2026-03-04T10:00:00.100Z'),
      outbox: [{ type: 'post', platform: 'slack', channelId: 'C0STAFF', card: { title: 'Ticket #2 — next response due', lines: ['Acme Corp'] } }],
    },
    'resolution:0:warn:0.5:0': { status: 'failed', dueAt: ms('2026-03-03T14:00:00Z'), attempts: 3, retryAt: ms('2026-03-03T14:05:00Z') },
    'resolution:0:warn:0.75:0': { status: 'skipped', dueAt: ms('2026-03-03T16:00:00Z') },
  },
  ack: { status: 'posted', at: ms('2026-03-03T10:00:01.500Z'), ref: 'C0ACME/1772532001.000500' },
  incidents: ['inc-7'],
  version: 6,
};
const DISCORD: Ticket = {
  id: 12,
  customer: 'globex',
  platform: 'discord',
  channelId: '200000000000000003',
  threadId: '1480000000000000999',
  events: [
    { type: 'opened', at: ms('2026-03-20T08:00:00Z'), customer: 'globex', tier: 'standard', severity: 'high', text: 'Exports fail', messageId: '1480000000000000999', by: { platform: 'discord', userId: '900000000000000001', name: 'Dana' } },
    { type: 'claimed', at: ms('2026-03-20T08:05:00Z'), by: { platform: 'discord', userId: '900000000000000002', personId: 'alice' } },
  ],
  notifications: {},
  ack: { status: 'pending' },
  version: 2,
};
const STORED: Ticket[] = [...TICKETS.map((t) => (t.id === 2 ? RICH : t)), DISCORD];
const CHANNEL_STATE: [string, string][] = [
  [cursorKey('slack', 'C0ACME'), '1772614800.000300'],
  [lastTicketKey('slack', 'C0ACME'), '2'],
  [lastTicketKey('shell', 'acme'), '7'],
  [cursorKey('discord', '200000000000000003'), '1480000000000000999'],
  [lastTicketKey('discord', '200000000000000003'), '12'],
];

/** The incident log: an outage of the enterprise tier while ticket #2 was open, and a maintenance window. */
const INCIDENTS: IncidentEvent[] = [
  { at: ms('2026-03-03T09:55:00Z'), type: 'incident_opened', incident: 'inc-7', title: 'Checkout down', impact: 'outage', scope: { tiers: ['enterprise'] } },
  { at: ms('2026-03-03T10:40:00Z'), type: 'incident_resolved', incident: 'inc-7' },
  { at: ms('2026-03-10T08:00:00Z'), type: 'maintenance', maintenance: 'mw-2', from: ms('2026-03-14T22:00:00Z'), to: ms('2026-03-15T00:00:00Z'), scope: 'all' },
];

const prefixes: string[] = [];
const newPrefix = () => {
  const prefix = `slawatch-import-test-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return prefix;
};
const baseConfig = CONFIG_YAML.replace('store:\n  backend: memory\n', '');
const redisConfigYaml = (prefix: string) => `${baseConfig}store:\n  backend: redis\n  url: ${REDIS_URL}\n  prefix: ${prefix}\n`;

let dir: string;
let sqliteConfig: string;
let redis: RedisClientType;
let exported: string;
let exportFile: string;

async function configFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Every key under `prefix` with its value (strings; sorted sets as member:score lists). */
async function snapshot(prefix: string): Promise<Record<string, unknown>> {
  const keys: string[] = [];
  for await (const page of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1_000 })) keys.push(...page);
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const type = await redis.type(key);
    out[key] = type === 'zset' ? await redis.zRangeWithScores(key, 0, -1) : await redis.get(key);
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slawatch-import-'));
  sqliteConfig = await configFile('sqlite.yaml', `${baseConfig}store:\n  backend: sqlite\n  path: ${join(dir, 'tickets.sqlite')}\n`);
  const db = await openSqliteStore(join(dir, 'tickets.sqlite'));
  for (const ticket of STORED) await db.create(ticket);
  for (const [key, value] of CHANNEL_STATE) await db.setMeta(key, value);
  for (const event of INCIDENTS) await db.incidents().append([event]);
  await db.close();
  if (REDIS_URL) {
    redis = createClient({ url: REDIS_URL }) as RedisClientType;
    await redis.connect();
  }

  // From SQLite, the backend the config names (no --store).
  const result = await runMain(['export', '--config', sqliteConfig]);
  expect(result.err).toBe('');
  exported = result.out;
  exportFile = join(dir, 'tickets.jsonl');
  await writeFile(exportFile, `${exported}\n`);
});
afterAll(async () => {
  for (const prefix of REDIS_URL ? prefixes : []) {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1_000 })) if (keys.length) await redis.unlink(keys);
  }
  if (REDIS_URL) await redis.close();
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(REDIS_URL)('export from SQLite, import into Redis', () => {
  let prefix: string;
  let redisConfig: string;
  beforeAll(async () => {
    prefix = newPrefix();
    redisConfig = await configFile('redis.yaml', redisConfigYaml(prefix));
    const result = await runMain(['import', exportFile, '--config', redisConfig]);
    expect(result.err).toBe('');
    expect(result).toEqual({ code: 0, out: `imported 10 tickets, 3 channels, 3 incident events from ${exportFile}`, err: '' });
  });

  it('the export writes what the bot needs to run the tickets on: place, acknowledgement, notification records, who acted, channel cursors', () => {
    const lines = exported.split('\n');
    expect(lines).toContain(
      '{"kind":"ticket","ticket":2,"platform":"slack","channelId":"C0ACME","threadId":"1772532000.000100","ack":{"status":"posted","at":"2026-03-03T10:00:01.500Z","ref":"C0ACME/1772532001.000500"},' +
        '"notifications":{"firstResponse:0:breach:1:0":{"status":"sent","dueAt":"2026-03-03T10:15:00Z","sentAt":"2026-03-03T10:15:00.250Z","late":false,"ref":"C0STAFF/1772532900.000400","attempts":1},' +
        '"nextResponse:1:warn:0.5:0":{"status":"sending","dueAt":"2026-03-04T10:00:00Z","owner":"replica-a","claimedAt":"2026-03-04T10:00:00.100Z","outbox":[{"type":"post","platform":"slack","channelId":"C0STAFF","card":{"title":"Ticket #2 — next response due","lines":["Acme Corp"]}}]},' +
        '"resolution:0:warn:0.5:0":{"status":"failed","dueAt":"2026-03-03T14:00:00Z","attempts":3,"retryAt":"2026-03-03T14:05:00Z"},' +
        '"resolution:0:warn:0.75:0":{"status":"skipped","dueAt":"2026-03-03T16:00:00Z"}},"incidents":["inc-7"],"version":6}',
    );
    expect(lines).toContain('{"ticket":2,"at":"2026-03-03T10:30:00Z","type":"staff_reply","messageId":"1772533800.000200","by":"bob","byUser":"slack:U0BOB","byName":"Bob B."}');
    expect(lines).toContain('{"ticket":12,"at":"2026-03-20T08:00:00Z","type":"opened","customer":"globex","tier":"standard","severity":"high","text":"Exports fail","messageId":"1480000000000000999","by":"discord:900000000000000001","byName":"Dana"}');
    expect(lines.slice(-6)).toEqual([
      '{"kind":"channel","platform":"slack","channelId":"C0ACME","cursor":"1772614800.000300","lastTicket":2}',
      '{"kind":"channel","platform":"shell","channelId":"acme","lastTicket":7}',
      '{"kind":"channel","platform":"discord","channelId":"200000000000000003","cursor":"1480000000000000999","lastTicket":12}',
      // The incident log comes last, in its own format.
      '{"at":"2026-03-03T09:55:00Z","type":"incident_opened","incident":"inc-7","title":"Checkout down","impact":"outage","scope":{"tiers":["enterprise"]}}',
      '{"at":"2026-03-03T10:40:00Z","type":"incident_resolved","incident":"inc-7"}',
      '{"at":"2026-03-10T08:00:00Z","type":"maintenance","maintenance":"mw-2","from":"2026-03-14T22:00:00Z","to":"2026-03-15T00:00:00Z","scope":"all"}',
    ]);
  });

  it('exporting the Redis store gives the same text, byte for byte', async () => {
    const again = await runMain(['export', '--config', redisConfig]);
    expect(again.err).toBe('');
    expect(again.out).toBe(exported);
  });

  it('stores every ticket exactly as SQLite held it, with its messages indexed and the channel state', async () => {
    const store = await openRedisStore({ url: REDIS_URL, prefix });
    try {
      for (const ticket of STORED) {
        expect(await store.get(ticket.id), `ticket ${ticket.id}`).toEqual(ticket);
        const messages = [ticket.threadId, ...ticket.events.flatMap((e) => (e.messageId ? [e.messageId] : []))];
        for (const messageId of messages) expect(await store.findByMessage(ticket.platform, ticket.channelId, messageId), messageId).toBe(ticket.id);
      }
      for (const [key, value] of CHANNEL_STATE) expect(await store.getMeta(key), key).toBe(value);
    } finally {
      await store.close();
    }
  });

  it('the bot runs on: a redelivered message finds its ticket, a reply joins its thread, a new ticket takes the next free number', async () => {
    const prefixCopy = newPrefix();
    const config = redisConfigYaml(prefixCopy);
    expect((await runMain(['import', exportFile, '--config', await configFile('copy.yaml', config)])).code).toBe(0);
    const store = await openRedisStore({ url: REDIS_URL, prefix: prefixCopy });
    try {
      const ctx = createContext(parseConfig(config), store, () => ms('2026-03-04T09:30:00Z'));
      const customer = { userId: 'U0CUST' };
      const redelivered = await handleMessage(ctx, { platform: 'slack', channelId: 'C0ACME', messageId: '1772614800.000300', threadId: '1772532000.000100', author: customer, text: 'here are the logs', at: ms('2026-03-04T09:00:00.250Z') });
      expect(redelivered.result).toEqual({ kind: 'duplicate', ticketId: 2 });
      expect(redelivered.outbound).toEqual([]); // its acknowledgement was posted: not again
      const reply = await handleMessage(ctx, { platform: 'slack', channelId: 'C0ACME', messageId: '1772616600.000600', threadId: '1772532000.000100', author: customer, text: 'any news?', at: ms('2026-03-04T09:30:00Z') });
      expect(reply.result.kind).toBe('customer_message');
      const opened = await handleMessage(ctx, { platform: 'slack', channelId: 'C0ACME', messageId: '1772617000.000700', author: customer, text: 'a new question', at: ms('2026-03-04T09:36:40Z') });
      expect(opened.result).toMatchObject({ kind: 'opened', ticket: { id: 13 } });
    } finally {
      await store.close();
    }
  });

  it('report --format json is the same on both backends', async () => {
    const args = ['report', '--at', REPORT_AT, '--from', '2026-03-01', '--format', 'json', '--by', 'customer'];
    const fromSqlite = await runMain([...args, '--config', sqliteConfig]);
    const fromRedis = await runMain([...args, '--config', redisConfig]);
    expect(fromSqlite.err).toBe('');
    expect(fromRedis).toEqual(fromSqlite);
    expect((JSON.parse(fromRedis.out) as { groups: unknown[] }).groups).toHaveLength(2);
  });

  it('importing twice changes nothing', async () => {
    const before = await snapshot(prefix);
    expect(Object.keys(before).length).toBeGreaterThan(20);
    const result = await runMain(['import', exportFile, '--config', redisConfig]);
    expect(result).toEqual({ code: 0, out: `imported 0 tickets, 0 channels, 0 incident events from ${exportFile}; already in the store: 10 tickets, 3 channels, 3 incident events`, err: '' });
    expect(await snapshot(prefix)).toEqual(before);
  });

  it('restores the incident log, announcing nothing, and availability reads the same figures from both stores', async () => {
    const store = await openRedisStore({ url: REDIS_URL, prefix });
    try {
      const inc = await store.incidents().get('incident', 'inc-7');
      expect(inc?.events).toEqual(INCIDENTS.slice(0, 2));
      expect(inc?.announce).toEqual([]); // history, not news: no notice goes out
      expect((await store.incidents().get('maintenance', 'mw-2'))?.events).toEqual(INCIDENTS.slice(2));
    } finally {
      await store.close();
    }
    const args = ['availability', '--month', '2026-03', '--at', '2026-04-01T00:00:00Z', '--json'];
    const fromSqlite = await runMain([...args, '--config', sqliteConfig]);
    const fromRedis = await runMain([...args, '--config', redisConfig]);
    expect(fromSqlite.err).toBe('');
    expect(fromRedis).toEqual(fromSqlite);
    const acme = (JSON.parse(fromRedis.out) as { customers: { customer: string; downtimeSeconds: number; incidents: string[] }[] }).customers.find((c) => c.customer === 'acme');
    expect(acme).toMatchObject({ downtimeSeconds: 45 * 60, incidents: ['inc-7'] });
  });

  it('replay --ticket works on the export', async () => {
    const result = await runMain(['replay', exportFile, '--ticket', '12', '--config', sqliteConfig, '--at', '2026-03-20T09:00:00Z', '--json']);
    expect(result.err).toBe('');
    expect(JSON.parse(result.out)).toMatchObject({ state: 'open', severity: 'high', tier: 'standard' });
  });
});

describe.runIf(REDIS_URL)('import refuses, writing nothing (and what it is not refused for)', () => {
  it('a malformed line N: named by its number, and the store stays empty', async () => {
    const lines = exported.split('\n');
    const broken = [...lines];
    // Line 15: ticket #3's opened event (#1 takes lines 1–8, #2 9–13, #3's ticket line is 14).
    broken[14] = (broken[14] as string).replace('"type":"', '"type":"escalated_');
    const file = join(dir, 'broken.jsonl');
    await writeFile(file, `${broken.join('\n')}\n`);
    const prefix = newPrefix();
    const result = await runMain(['import', file, '--config', await configFile('broken.yaml', redisConfigYaml(prefix))]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^event log: line 15: unknown type "escalated_opened"/);
    expect(await snapshot(prefix)).toEqual({});
  });

  it.each([
    ['not JSON', '{"ticket":', 'line 3: not valid JSON'],
    ['an unknown kind', '{"kind":"incident","id":"INC-1"}', 'line 3: unknown "kind": "incident" (expected ticket or channel, or none for an event)'],
    ['an event of another ticket among its lines', '{"ticket":5,"at":"2026-03-02T09:10:00Z","type":"claimed","by":"alice"}', 'line 3: an event of ticket 5 among the lines of ticket 1'],
    ['a bad notification record', '{"kind":"ticket","ticket":3,"platform":"shell","channelId":"acme","threadId":"m3","notifications":{"k":{"status":"sent","dueAt":"soon"}},"version":1}', 'line 3: "notifications.k.dueAt": not an ISO time with a zone: "soon"'],
    ['a ticket out of order', '{"kind":"ticket","ticket":1,"platform":"shell","channelId":"acme","threadId":"m1","notifications":{},"version":1}', 'line 3: ticket 1 after ticket 1: an export lists each ticket once, in ascending order'],
  ])('%s', async (_what, line, message) => {
    const lines = exported.split('\n');
    const file = join(dir, `bad-${randomUUID().slice(0, 6)}.jsonl`);
    await writeFile(file, [lines[0], lines[1], line, ...lines.slice(2)].join('\n'));
    const prefix = newPrefix();
    const result = await runMain(['import', file, '--config', await configFile(`${prefix}.yaml`, redisConfigYaml(prefix))]);
    expect(result.code).toBe(1);
    expect(result.err.startsWith(`event log: ${message}`), result.err).toBe(true);
    expect(await snapshot(prefix)).toEqual({});
  });

  it('an export without its "kind":"ticket" lines (an older format) is refused at line 1', async () => {
    const file = join(dir, 'old.jsonl');
    await writeFile(file, exported.split('\n').filter((l) => !l.includes('"kind"')).join('\n'));
    const result = await runMain(['import', file, '--store', join(dir, 'old.sqlite'), '--config', sqliteConfig]);
    expect(result.err).toBe('event log: line 1: an event of ticket 1 without its "kind":"ticket" line before it (each ticket\'s lines start with one; an export from an older slawatch? export again)');
  });

  it('a ticket the store holds with other content: every such ticket is named, and nothing is written', async () => {
    // #3 with its third event moved by a second, #4 in another thread, #5 as in the file.
    const prefix = newPrefix();
    const store = await openRedisStore({ url: REDIS_URL, prefix });
    await store.create({ ...(TICKETS[2] as Ticket), events: (TICKETS[2] as Ticket).events.slice(0, 3).map((e, i) => (i === 2 ? { ...e, at: e.at + 1000 } : e)) });
    await store.create({ ...(TICKETS[3] as Ticket), threadId: 'elsewhere' });
    await store.create(TICKETS[4] as Ticket); // the same as in the file: no conflict
    await store.close();
    const before = await snapshot(prefix);
    const result = await runMain(['import', exportFile, '--config', await configFile(`${prefix}.yaml`, redisConfigYaml(prefix))]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      [
        `slawatch: nothing was imported: the store holds 2 records of ${exportFile} with other content`,
        '  line 14: ticket 3 is in the store with other events (from its event 3 on)',
        '  line 26: ticket 4 is in the store with another thread (shell globex elsewhere)',
      ].join('\n'),
    );
    expect(await snapshot(prefix)).toEqual(before);
  });

  it('an incident event that does not fit the stored incident is named by its line, and nothing is written', async () => {
    const prefix = newPrefix();
    const store = await openRedisStore({ url: REDIS_URL, prefix });
    // The store knows inc-7 opened at another moment: the file's opening is a second, different one.
    await store.incidents().append([{ ...(INCIDENTS[0] as IncidentEvent), at: ms('2026-03-03T09:50:00Z') }]);
    await store.close();
    const before = await snapshot(prefix);
    const result = await runMain(['import', exportFile, '--config', await configFile(`${prefix}.yaml`, redisConfigYaml(prefix))]);
    const line = exported.split('\n').findIndex((l) => l.includes('"incident_opened"')) + 1;
    expect(result.code).toBe(1);
    expect(result.err).toContain(`line ${line}: incident "inc-7" is already opened (at 2026-03-03T09:50:00Z)`);
    expect(await snapshot(prefix)).toEqual(before);
  });

  it('a ticket the bot has run on since the export (more events, other records) is the same ticket: skipped, not changed', async () => {
    const prefix = newPrefix();
    const store = await openRedisStore({ url: REDIS_URL, prefix });
    const t5 = TICKETS[4] as Ticket;
    const ranOn: Ticket = { ...t5, events: [...t5.events, { type: 'claimed', at: ms('2026-03-09T07:30:00Z'), by: { platform: 'discord', userId: '900000000000000002', personId: 'alice' } }], version: 4 };
    await store.create(ranOn);
    const result = await runMain(['import', exportFile, '--config', await configFile(`${prefix}.yaml`, redisConfigYaml(prefix))]);
    expect(result).toEqual({ code: 0, out: `imported 9 tickets, 3 channels, 3 incident events from ${exportFile}; already in the store: 1 ticket, 0 channels`, err: '' });
    expect(await store.get(5)).toEqual(ranOn);
    await store.close();
  });

  it('a config whose store is memory: nothing to import into', async () => {
    const result = await runMain(['import', exportFile, '--config', await configFile('memory.yaml', CONFIG_YAML)]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/the config's store is "memory", which keeps nothing between runs/);
  });

  it('an unreachable Redis is named without its password', async () => {
    const config = `${baseConfig}store:\n  backend: redis\n  url: redis://:hunter2@127.0.0.1:1/0\n`;
    const result = await runMain(['report', '--config', await configFile('unreachable.yaml', config)]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^slawatch: opening the Redis store at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 failed/);
    expect(result.err).not.toContain('hunter2');
  }, 15_000);
});

describe('import into SQLite (a backup restored)', () => {
  it('round-trips too, and --store names the file', async () => {
    const file = join(dir, 'restored.sqlite');
    const result = await runMain(['import', exportFile, '--config', sqliteConfig, '--store', file]);
    expect(result.code).toBe(0);
    const again = await runMain(['export', '--config', sqliteConfig, '--store', file]);
    expect(again.out).toBe(exported);
    expect(await readFile(exportFile, 'utf8')).toBe(`${exported}\n`);
  });
});
