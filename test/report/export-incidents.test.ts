/**
 * `slawatch export` writes the incident log after the tickets, in the
 * incident log's own format; `replay` skips those lines, `availability`
 * skips the ticket lines, and the stored log gives the same statement as
 * its export.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIncidentLog } from '../../src/availability/incident-log.js';
import { openSqliteStore } from '../../src/store/open.js';
import { REPORT_AT } from './fixtures.js';
import { runMain, workspace, type Workspace } from './helpers.js';

const INCIDENT_LINES = [
  '{"at":"2026-03-01T09:00:00Z","type":"maintenance","maintenance":"mw-1","from":"2026-03-05T01:00:00Z","to":"2026-03-05T03:00:00Z","scope":"all"}',
  '{"at":"2026-03-03T10:00:00Z","type":"incident_opened","incident":"inc-1","title":"RTC down","impact":"outage","scope":"all"}',
  '{"at":"2026-03-03T10:40:00Z","type":"incident_updated","incident":"inc-1","impact":"degraded","message":"Failing over"}',
  '{"at":"2026-03-03T11:00:00Z","type":"incident_resolved","incident":"inc-1"}',
];

let ws: Workspace;
let exported: string[];
beforeAll(async () => {
  ws = await workspace();
  const store = await openSqliteStore(ws.store);
  await store.incidents().append(parseIncidentLog(INCIDENT_LINES.join('\n')));
  await store.close();
  const result = await runMain(['export', '--config', ws.config, '--store', ws.store, '--at', REPORT_AT]);
  expect(result.err).toBe('');
  exported = result.out.split('\n');
  await writeFile(join(ws.dir, 'export.jsonl'), `${result.out}\n`);
});
afterAll(async () => {
  await ws.cleanup();
});

describe('slawatch export with an incident log', () => {
  it('writes the incident lines after the tickets and channels, exactly in the log format, oldest record first', () => {
    const before = exported.slice(0, -4);
    expect(before.length).toBeGreaterThan(37);
    expect(before.every((line) => 'ticket' in JSON.parse(line) || 'kind' in JSON.parse(line))).toBe(true);
    // mw-1 was appended first (the parsed log is in time order), so it is the older record.
    expect(exported.slice(-4)).toEqual(INCIDENT_LINES);
  });

  it('--from leaves out incidents that began before it', async () => {
    const result = await runMain(['export', '--config', ws.config, '--store', ws.store, '--from', '2026-03-02', '--at', REPORT_AT]);
    const lines = result.out.split('\n').filter((l) => !('ticket' in JSON.parse(l)) && !('kind' in JSON.parse(l)));
    expect(lines).toEqual(INCIDENT_LINES.slice(1));
  });

  it('replay --ticket skips the incident lines', async () => {
    const result = await runMain(['replay', join(ws.dir, 'export.jsonl'), '--ticket', '2', '--config', ws.config, '--at', REPORT_AT, '--json']);
    expect(result.err).toBe('');
    expect(JSON.parse(result.out).tier).toBe('enterprise');
  });

  it('availability reads the export (skipping ticket lines) and the store alike', async () => {
    const fromFile = await runMain(['availability', join(ws.dir, 'export.jsonl'), '--config', ws.config, '--month', '2026-03', '--at', REPORT_AT, '--json']);
    const fromStore = await runMain(['availability', '--config', ws.config, '--store', ws.store, '--month', '2026-03', '--at', REPORT_AT, '--json']);
    expect(fromFile.err).toBe('');
    expect(fromStore.err).toBe('');
    expect(fromStore.out).toBe(fromFile.out);
    const acme = (JSON.parse(fromFile.out) as { customers: { customer: string; downtimeSeconds: number; degradedSeconds: number; excludedSeconds: number; incidents: string[] }[] }).customers.find((c) => c.customer === 'acme');
    // Down 10:00–10:40, degraded 10:40–11:00, two hours of maintenance announced four days ahead.
    expect(acme).toMatchObject({ downtimeSeconds: 2400, degradedSeconds: 1200, excludedSeconds: 7200, incidents: ['inc-1'] });
  });

  it('availability without a file refuses a store that does not exist', async () => {
    const result = await runMain(['availability', '--config', ws.config, '--store', join(ws.dir, 'nope.sqlite'), '--month', '2026-03']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/no ticket store at .*nope\.sqlite/);
  });
});
