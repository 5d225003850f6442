import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLogFor, policyContext, replay } from '../../src/cli/replay.js';
import { exportTicket } from '../../src/report/export.js';
import { config, ms, REPORT_AT, TICKETS } from './fixtures.js';
import { runMain, workspace, type Workspace } from './helpers.js';

// `slawatch export` writes every ticket: its "kind":"ticket" line, then its events, one a line, each
// with its "ticket"; `slawatch replay <file> --ticket <id>` replays one of them exactly as the original
// events. The round trip through `slawatch import` is in test/cli/import.test.ts.

let ws: Workspace;
let exported: string;
beforeAll(async () => {
  ws = await workspace();
  const result = await runMain(['export', '--config', ws.config, '--store', ws.store, '--at', REPORT_AT]);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  exported = result.out;
  await writeFile(join(ws.dir, 'tickets.jsonl'), `${exported}\n`);
});
afterAll(async () => {
  await ws.cleanup();
});

const ctx = policyContext(config);
const at = ms(REPORT_AT);

describe('slawatch export', () => {
  it('writes each ticket as its "kind":"ticket" line, then one line per event with "ticket" first', () => {
    const lines = exported.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // Events per ticket: #1 7, #2 4, #3 11, #4 4, #5 1, #6 1, #7 5, #8 1, #9 3 = 37, plus 9 ticket lines, oldest id first.
    // The fixture store keeps no channel state, so no "kind":"channel" line.
    expect(lines).toHaveLength(46);
    expect(exported.split('\n').slice(0, 2)).toEqual([
      '{"kind":"ticket","ticket":1,"platform":"shell","channelId":"acme","threadId":"m1","notifications":{},"version":1}',
      '{"ticket":1,"at":"2026-03-02T09:00:00Z","type":"opened","customer":"acme","tier":"enterprise","severity":"normal","text":"Exports time out"}',
    ]);
    // Slack actors are written as their person id, their Slack account beside it.
    expect(exported.split('\n')[10]).toBe('{"ticket":2,"at":"2026-03-03T10:30:00Z","type":"staff_reply","by":"bob","byUser":"slack:U0BOB"}');
    const heads = lines.filter((line) => line.kind === 'ticket');
    expect(heads.map((line) => line.ticket)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Each ticket line is followed by that ticket's opened event.
    lines.forEach((line, i) => {
      if (line.kind === 'ticket') expect(lines[i + 1]).toMatchObject({ ticket: line.ticket, type: 'opened' });
    });
  });

  it('--from leaves out tickets opened before it (#8 and #9 are February)', async () => {
    const result = await runMain(['export', '--config', ws.config, '--store', ws.store, '--from', '2026-03-01', '--at', REPORT_AT]);
    const ids = new Set(result.out.split('\n').map((l) => (JSON.parse(l) as { ticket: number }).ticket));
    expect([...ids]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // 46 − 2 (#8) − 4 (#9) = 40 lines.
    expect(result.out.split('\n')).toHaveLength(40);
  });

  it('prints nothing when no ticket is in the period', async () => {
    const result = await runMain(['export', '--config', ws.config, '--store', ws.store, '--from', '2030-01-01', '--to', '2030-02-01']);
    expect(result).toEqual({ code: 0, out: '', err: '' });
  });
});

describe('export → replay round trip', () => {
  it('every ticket replays from the export exactly as from its stored events', () => {
    for (const ticket of TICKETS) {
      expect(replay(parseLogFor(config, exported, ticket.id), ctx, at), `ticket ${ticket.id}`).toEqual(replay(ticket.events, ctx, at));
    }
  });

  it('slawatch replay --ticket 2 prints the same JSON as replaying the original events', async () => {
    const result = await runMain(['replay', join(ws.dir, 'tickets.jsonl'), '--ticket', '2', '--config', ws.config, '--at', REPORT_AT, '--json']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const original = replay((TICKETS[1] as (typeof TICKETS)[number]).events, ctx, at);
    expect(JSON.parse(result.out)).toEqual(original);
    // The figures the report counted for #2: three breaches.
    expect(original.breaches.map((b) => `${b.clock} ${b.at}`)).toEqual([
      'firstResponse 2026-03-03T10:15:00Z',
      'nextResponse 2026-03-04T11:00:00Z',
      'resolution 2026-03-04T16:00:00Z',
    ]);
  });

  it('a file with one exported ticket replays without --ticket', async () => {
    const file = join(ws.dir, 'ticket-7.jsonl');
    await writeFile(file, `${exportTicket(TICKETS[6] as (typeof TICKETS)[number])}\n`);
    const result = await runMain(['replay', file, '--config', ws.config, '--at', REPORT_AT, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual(replay((TICKETS[6] as (typeof TICKETS)[number]).events, ctx, at));
  });

  it('several tickets without --ticket: an error naming the first line of the second ticket', async () => {
    const result = await runMain(['replay', join(ws.dir, 'tickets.jsonl'), '--config', ws.config, '--at', REPORT_AT, '--json']);
    expect(result.code).toBe(1);
    // Ticket #1 has 8 lines (its ticket line, 7 events); line 9 is #2's ticket line, skipped: line 10 is #2's opened event.
    expect(result.err).toBe('event log: line 10: the log holds several tickets (1, 2, …): choose one (slawatch replay --ticket <id>)');
  });

  it('--ticket of a ticket not in the file, and --ticket on a log without ticket numbers, are errors', async () => {
    const missing = await runMain(['replay', join(ws.dir, 'tickets.jsonl'), '--ticket', '42', '--config', ws.config, '--at', REPORT_AT]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('event log: line 1: ticket 42 is not in this log');

    const plain = join(ws.dir, 'plain.jsonl');
    await writeFile(plain, '{"at":"2026-03-02T09:00:00Z","type":"opened","customer":"acme","severity":"normal"}\n');
    const untagged = await runMain(['replay', plain, '--ticket', '1', '--config', ws.config, '--at', REPORT_AT]);
    expect(untagged.code).toBe(1);
    expect(untagged.err).toBe('event log: line 1: no "ticket" field: selecting ticket 1 needs an exported log of several tickets');

    const bad = await runMain(['replay', plain, '--ticket', 'x', '--config', ws.config, '--at', REPORT_AT]);
    expect(bad.code).toBe(2);
  });

  it('a log that mixes lines with and without "ticket" is refused at the first odd line', async () => {
    const file = join(ws.dir, 'mixed.jsonl');
    const text = (await readFile(join(ws.dir, 'tickets.jsonl'), 'utf8')).split('\n').slice(0, 3);
    const untagged = JSON.parse(text[2] as string) as Record<string, unknown>;
    delete untagged.ticket;
    await writeFile(file, `${text[0]}\n${text[1]}\n${JSON.stringify(untagged)}\n`);
    const result = await runMain(['replay', file, '--config', ws.config, '--at', REPORT_AT]);
    expect(result.err).toBe('event log: line 3: missing "ticket": the lines before carry one');
  });
});
