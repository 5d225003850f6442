/**
 * The incident log's store contract, run against every backend: memory, a
 * SQLite file, and the real Redis on 127.0.0.1:6379 (under a random prefix,
 * deleted at the end).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type RedisClientType } from '@keyv/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../../src/availability/incident-log.js';
import { IncidentConflictError } from '../../src/store/incident-store.js';
import { openStore } from '../../src/store/open.js';
import { StoreError, type TicketStore } from '../../src/store/ports.js';
import { openRedisStore } from '../../src/store/redis.js';
import { needRedis } from '../helpers/requirements.js';
import { collect, makeTicket } from './fixtures.js';

const T = Date.parse('2026-11-03T10:00:00Z');
const MIN = 60_000;
const opened = (incident: string, at = T, title = `${incident} title`): IncidentEvent => ({ at, type: 'incident_opened', incident, title, impact: 'outage', scope: { regions: ['eu'] } });
const update = (incident: string, at: number, message: string): IncidentEvent => ({ at, type: 'incident_updated', incident, message });
const resolved = (incident: string, at: number): IncidentEvent => ({ at, type: 'incident_resolved', incident });
const window = (maintenance: string): IncidentEvent => ({ at: T - 3 * 24 * 60 * MIN, type: 'maintenance', maintenance, from: T, to: T + 120 * MIN, scope: 'all' });

interface Backend {
  open(): Promise<TicketStore>;
  reopen?(): Promise<TicketStore>;
}

function runIncidentContract(name: string, backend: Backend): void {
  describe(`IncidentStore contract: ${name}`, () => {
    const live = new Set<TicketStore>();
    const fresh = async () => {
      const store = await backend.open();
      live.add(store);
      return store;
    };
    afterEach(async () => {
      for (const store of live) await store.close().catch(() => undefined);
      live.clear();
    });

    it('keeps each incident’s events in one record, and reads them back', async () => {
      const log = (await fresh()).incidents();
      const result = await log.append([opened('inc-1'), update('inc-1', T + 10 * MIN, 'failing over'), window('mw-1'), resolved('inc-1', T + 30 * MIN)]);
      expect(result.added).toHaveLength(4);
      expect(result.records.map((r) => [r.kind, r.id, r.events.length, r.version])).toEqual([
        ['incident', 'inc-1', 3, 1],
        ['maintenance', 'mw-1', 1, 1],
      ]);
      const inc = await log.get('incident', 'inc-1');
      expect(inc).toStrictEqual(result.records[0]);
      expect(inc?.events).toStrictEqual([opened('inc-1'), update('inc-1', T + 10 * MIN, 'failing over'), resolved('inc-1', T + 30 * MIN)]);
      expect(await log.get('maintenance', 'inc-1')).toBeUndefined();
      expect(await log.get('incident', 'mw-1')).toBeUndefined();
      expect((await collect(log.listAll())).map((r) => r.id)).toEqual(['inc-1', 'mw-1']);
    });

    it('appending what is there already changes nothing: the same lines imported twice', async () => {
      const log = (await fresh()).incidents();
      const events = [opened('inc-1'), resolved('inc-1', T + 30 * MIN), window('mw-1')];
      await log.append(events);
      const again = await log.append(events);
      expect(again.added).toEqual([]);
      expect(again.records.map((r) => r.version)).toEqual([1, 1]);
      expect((await collect(log.listAll())).length).toBe(2);
    });

    it('refuses an event that does not fit its record, and writes nothing of it', async () => {
      const log = (await fresh()).incidents();
      await log.append([opened('inc-1'), resolved('inc-1', T + 30 * MIN)]);
      await expect(log.append([update('inc-2', T, 'who?')])).rejects.toBeInstanceOf(IncidentConflictError);
      await expect(log.append([resolved('inc-1', T + 40 * MIN)])).rejects.toThrow(/already resolved/);
      await expect(log.append([opened('inc-1', T, 'another')])).rejects.toThrow(/already opened/);
      expect(await log.get('incident', 'inc-2')).toBeUndefined();
      expect((await log.get('incident', 'inc-1'))?.version).toBe(1);
    });

    it('marks the steps it announces, and only those', async () => {
      const log = (await fresh()).incidents();
      await log.append([opened('inc-1')]);
      const later = await log.append([update('inc-1', T + 5 * MIN, 'a'), update('inc-1', T + 6 * MIN, 'b')], { announce: true });
      expect(later.records[0]?.announce).toEqual([1, 2]);
    });

    it('keeps notice records across updates, bumping the version; rejects updating what does not exist', async () => {
      const log = (await fresh()).incidents();
      await log.append([opened('inc-1')], { announce: true });
      const saved = await log.update('incident', 'inc-1', (r) => ({ ...r, notices: { ...r.notices, '0/slack:C1': { status: 'sent', dueAt: T, sentAt: T + 1, ref: '171.1' } } }));
      expect(saved.version).toBe(2);
      expect(await log.get('incident', 'inc-1')).toStrictEqual(saved);
      expect(await log.update('incident', 'inc-1', () => undefined)).toStrictEqual(saved);
      await expect(log.update('incident', 'nope', (r) => r)).rejects.toBeInstanceOf(StoreError);
    });

    it('loses none of 50 concurrent appends to one incident, and makes one record of 20 concurrent openings', async () => {
      const log = (await fresh()).incidents();
      const openings = await Promise.all(Array.from({ length: 20 }, () => log.append([opened('inc-1')])));
      expect(openings.reduce((n, r) => n + r.added.length, 0)).toBe(1);
      await Promise.all(Array.from({ length: 50 }, (_, i) => log.append([update('inc-1', T + MIN, `update ${i}`)])));
      const record = await log.get('incident', 'inc-1');
      expect(record?.events).toHaveLength(51);
      expect(record?.version).toBe(51);
      expect((await collect(log.listAll())).length).toBe(1);
    });

    it('hands out new ids that are not taken, also under concurrency', async () => {
      const log = (await fresh()).incidents();
      await log.append([opened('inc-1'), opened('inc-3')]);
      const ids = await Promise.all(Array.from({ length: 10 }, () => log.newId('incident')));
      expect(new Set(ids).size).toBe(10);
      expect(ids).not.toContain('inc-1');
      expect(ids).not.toContain('inc-3');
      expect(await log.newId('maintenance')).toBe('mw-1');
    });

    it('lists every record oldest first across pages (600 incidents), apart from the tickets', async () => {
      const store = await fresh();
      const log = store.incidents();
      await store.create(makeTicket(1));
      for (let from = 0; from < 600; from += 100) await log.append(Array.from({ length: 100 }, (_, i) => opened(`inc-${from + i}`, T + from + i)));
      expect((await collect(log.listAll())).map((r) => r.id)).toEqual(Array.from({ length: 600 }, (_, i) => `inc-${i}`));
      expect((await collect(store.listAll())).map((t) => t.id)).toEqual([1]);
      expect(await store.nextTicketId()).toBe(1);
    });

    it('rejects every call once the store is closed', async () => {
      const store = await fresh();
      const log = store.incidents();
      await log.append([opened('inc-1')]);
      await store.close();
      await expect(log.get('incident', 'inc-1')).rejects.toBeInstanceOf(StoreError);
      await expect(log.append([opened('inc-2')])).rejects.toBeInstanceOf(StoreError);
      await expect(collect(log.listAll())).rejects.toBeInstanceOf(StoreError);
    });

    const reopen = backend.reopen;
    if (reopen) {
      it('keeps the log across close and reopen', async () => {
        const store = await fresh();
        await store.incidents().append([opened('inc-1'), window('mw-1')], { announce: true });
        const before = await collect(store.incidents().listAll());
        await store.close();
        live.delete(store);
        const again = await reopen();
        live.add(again);
        expect(await collect(again.incidents().listAll())).toStrictEqual(before);
        expect((await again.incidents().append([resolved('inc-1', T + MIN)])).records[0]?.version).toBe(2);
      });
    }
  });
}

runIncidentContract('memory', { open: () => openStore({ backend: 'memory', path: 'unused' }) });

const dir = mkdtempSync(join(tmpdir(), 'slawatch-incidents-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
let files = 0;
let lastPath = '';
runIncidentContract('sqlite', {
  open: () => openStore({ backend: 'sqlite', path: (lastPath = `incidents/${++files}.sqlite`) }, { baseDir: dir }),
  reopen: () => openStore({ backend: 'sqlite', path: lastPath }, { baseDir: dir }),
});

const REDIS = await needRedis('Redis incident log tests');
const RUN = `slawatch-test-incidents-${randomBytes(4).toString('hex')}`;
let prefixes = 0;
let lastPrefix = '';
let raw: RedisClientType;
describe.runIf(REDIS)('on Redis', () => {
  beforeAll(async () => {
    raw = createClient({ url: REDIS! });
    raw.on('error', () => undefined);
    await raw.connect();
  });
  afterAll(async () => {
    if (!raw) return;
    for await (const keys of raw.scanIterator({ MATCH: `${RUN}*`, COUNT: 1_000 })) if (keys.length) await raw.unlink(keys);
    await raw.close();
  });
  runIncidentContract('redis', {
    open: () => openRedisStore({ url: REDIS!, prefix: (lastPrefix = `${RUN}-${++prefixes}`) }),
    reopen: () => openRedisStore({ url: REDIS!, prefix: lastPrefix }),
  });

  describe('the incident log in Redis', () => {
    it('lives under the prefix: records listed from their own index, nothing else touched', async () => {
      const prefix = `${RUN}-layout`;
      const store = await openRedisStore({ url: REDIS!, prefix });
      try {
        await store.incidents().append([opened('inc-1')]);
        const keys: string[] = [];
        for await (const batch of raw.scanIterator({ MATCH: `${prefix}:*` })) keys.push(...batch);
        expect(keys.sort()).toEqual(['counter:incident', 'incident-id:incident:inc-1', 'incident:0000000001', 'index:incident'].map((k) => `${prefix}:${k}`));
        expect(await raw.zRangeWithScores(`${prefix}:index:incident`, 0, -1)).toEqual([{ value: '0000000001', score: 1 }]);
      } finally {
        await store.close();
      }
    });
  });
});
