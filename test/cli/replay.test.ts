import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINE_LENGTH } from '../../src/cli/lines.js';
import { main } from '../../src/cli/main.js';

// `slawatch replay <events.jsonl> --config <file> --at <ISO time> --json`, end
// to end through main() with temp files. Expected values worked out by hand.

const CONFIG = `
people:
  alice: { name: Alice }
  bob: { name: Bob }
  carol: { name: Carol }
staff:
  people: [alice, bob, carol]
customers:
  - { id: acme, name: Acme, tier: enterprise, accountEngineer: carol }
tiers:
  enterprise:
    calendar: 24x7
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 8h }
schedules:
  primary:
    timezone: Europe/Berlin
    layers:
      - users: [bob]
        rotation: { every: 1w, start: "2026-01-05" }
escalation:
  warnAt: [0.5]
  policies:
    default:
      levels:
        - { notify: [schedule:primary], delay: 30m }
`;

const line = (value: Record<string, unknown>): string => JSON.stringify(value);
const OPENED = line({ at: '2026-03-02T09:00:00Z', type: 'opened', customer: 'acme', severity: 'normal' });

let dir: string;
let config: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slawatch-replay-'));
  config = join(dir, 'slawatch.yaml');
  await writeFile(config, CONFIG);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Result {
  code: number;
  out: string;
  err: string;
}

async function replayCli(log: string, at: string, extra: string[] = ['--json']): Promise<Result> {
  const file = join(dir, `events-${++counter}.jsonl`);
  await writeFile(file, log);
  return runMain(['replay', file, '--config', config, '--at', at, ...extra]);
}

async function runMain(args: string[]): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'slawatch', ...args], { out: (text) => void out.push(text), err: (text) => void err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** No stack trace: no "    at fn (file:line)" frames. */
const STACK_FRAME = /^\s+at .+[(:]/m;

describe('slawatch replay --json', () => {
  it('prints the exact JSON shape', async () => {
    const log = [
      OPENED,
      line({ at: '2026-03-02T09:10:00Z', type: 'claimed', by: 'alice' }),
      line({ at: '2026-03-02T09:20:00Z', type: 'staff_reply', by: 'alice' }),
      line({ at: '2026-03-02T09:30:00Z', type: 'customer_message', text: 'still broken' }),
    ].join('\n');
    const result = await replayCli(`${log}\n`, '2026-03-02T10:45:00Z');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['state', 'severity', 'tier', 'clocks', 'breaches', 'notifications', 'next']);
    // First response: 1 h from 09:00 -> 10:00, stopped by the 09:20 reply (the claim at 09:10 does not stop it).
    // Next response: cycle 1 from 09:30, 2 h -> 11:30; at 10:45, 45 min = 2700 s left.
    // Resolution: 8 h -> 17:00; at 10:45, 8h - 1h45 = 6h15 = 22500 s.
    // Ladder (warnAt 0.5, one level): first response stopped before its 09:30 warning; next response warns at
    // 50 % = 10:30 to the assignee only; its breach at 11:30 goes to alice (assignee), carol (account
    // engineer), bob (primary). Resolution's 50 % warning is at 13:00, later.
    expect(json).toEqual({
      state: 'open',
      severity: 'normal',
      tier: 'enterprise',
      clocks: {
        firstResponse: {
          status: 'met',
          startedAt: '2026-03-02T09:00:00Z',
          dueAt: '2026-03-02T10:00:00Z',
          stoppedAt: '2026-03-02T09:20:00Z',
          breachedAt: null,
          remainingSeconds: null,
        },
        nextResponse: {
          status: 'running',
          startedAt: '2026-03-02T09:30:00Z',
          dueAt: '2026-03-02T11:30:00Z',
          stoppedAt: null,
          breachedAt: null,
          remainingSeconds: 2_700,
        },
        resolution: {
          status: 'running',
          startedAt: '2026-03-02T09:00:00Z',
          dueAt: '2026-03-02T17:00:00Z',
          stoppedAt: null,
          breachedAt: null,
          remainingSeconds: 22_500,
        },
      },
      breaches: [],
      notifications: [
        { at: '2026-03-02T10:30:00Z', kind: 'warning', clock: 'nextResponse', level: null, to: ['alice'] },
      ],
      next: { at: '2026-03-02T11:30:00Z', kind: 'breach', clock: 'nextResponse', level: 1, to: ['alice', 'carol', 'bob'] },
    });
  });

  it('breaches, a null clock, and times without milliseconds', async () => {
    // No reply: first response breached at 10:00; asked at 11:00 (next response never started: null).
    // Ladder: 50 % warning 09:30 (no assignee: carol, the account engineer; no warn targets), breach 10:00
    // (carol, bob), nothing after the single level.
    const result = await replayCli(OPENED, '2026-03-02T11:00:00Z');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out) as { clocks: Record<string, unknown>; breaches: unknown; notifications: { at: string; kind: string; to: string[] }[]; next: unknown };
    expect(json.clocks.nextResponse).toBeNull();
    expect(json.clocks.firstResponse).toEqual({
      status: 'breached',
      startedAt: '2026-03-02T09:00:00Z',
      dueAt: '2026-03-02T10:00:00Z',
      stoppedAt: null,
      breachedAt: '2026-03-02T10:00:00Z',
      remainingSeconds: null,
    });
    expect(json.breaches).toEqual([{ clock: 'firstResponse', at: '2026-03-02T10:00:00Z' }]);
    expect(json.notifications.map((n) => [n.at, n.kind, n.to])).toEqual([
      ['2026-03-02T09:30:00Z', 'warning', ['carol']],
      ['2026-03-02T10:00:00Z', 'breach', ['carol', 'bob']],
    ]);
    // Resolution's 50 % warning: 09:00 + 4 h = 13:00, to carol.
    expect(json.next).toMatchObject({ at: '2026-03-02T13:00:00Z', kind: 'warning', clock: 'resolution', level: null, to: ['carol'] });
  });

  it('the README example: bundled config and log', async () => {
    // examples/slawatch.yaml, acme = enterprise (24x7), account engineer carol; claimed by alice 09:05;
    // normal -> urgent at 09:10: urgent first response is immediate, so its deadline is the opening, 09:00,
    // already past -> breached at 09:00. At 09:10 level 1 (schedule primary = alice in the week of 2 Mar)
    // to alice (assignee) and carol. Level 2 = 09:00 + 15 min = 09:15 (carol first, then secondary = bob).
    // Repeat: 09:15 + 30 min = 09:45, level 1. Resolution urgent 8 h -> 17:00; at 09:30, 7h30 = 27000 s.
    const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
    const result = await runMain(['replay', example('replay-acme.jsonl'), '--config', example('slawatch.yaml'), '--at', '2026-03-02T09:30:00Z', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      state: 'open',
      severity: 'urgent',
      tier: 'enterprise',
      clocks: {
        firstResponse: { status: 'breached', startedAt: '2026-03-02T09:00:00Z', dueAt: '2026-03-02T09:00:00Z', stoppedAt: null, breachedAt: '2026-03-02T09:00:00Z', remainingSeconds: null },
        nextResponse: null,
        resolution: { status: 'running', startedAt: '2026-03-02T09:00:00Z', dueAt: '2026-03-02T17:00:00Z', stoppedAt: null, breachedAt: null, remainingSeconds: 27_000 },
      },
      breaches: [{ clock: 'firstResponse', at: '2026-03-02T09:00:00Z' }],
      notifications: [
        { at: '2026-03-02T09:10:00Z', kind: 'breach', clock: 'firstResponse', level: 1, to: ['alice', 'carol'] },
        { at: '2026-03-02T09:15:00Z', kind: 'escalation', clock: 'firstResponse', level: 2, to: ['carol', 'bob'] },
      ],
      next: { at: '2026-03-02T09:45:00Z', kind: 'escalation', clock: 'firstResponse', level: 1, to: ['alice', 'carol'] },
    });
  });

  it('accepts --at with an offset, and ignores events after it', async () => {
    // 10:30+01:00 = 09:30Z: the 09:40 reply is later, so first response still runs with 30 min = 1800 s.
    const log = [OPENED, line({ at: '2026-03-02T09:40:00Z', type: 'staff_reply', by: 'alice' })].join('\n');
    const result = await replayCli(log, '2026-03-02T10:30:00+01:00');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out) as { clocks: { firstResponse: unknown } };
    expect(json.clocks.firstResponse).toMatchObject({ status: 'running', stoppedAt: null, remainingSeconds: 1_800 });
  });
});

describe('slawatch replay errors', () => {
  async function expectLogError(log: string, lineNo: number, message: RegExp): Promise<void> {
    const result = await replayCli(log, '2026-03-02T12:00:00Z');
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(new RegExp(`\\bline ${lineNo}\\b`));
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(STACK_FRAME);
  }

  it('a malformed line names its line number (blank lines count)', async () => {
    await expectLogError([OPENED, '', '{"at": "2026-03-02T09:10:00Z", "type": '].join('\n'), 3, /not valid JSON/);
  });

  it('a line that is not an object', async () => {
    await expectLogError([OPENED, '[1, 2]'].join('\n'), 2, /expected a JSON object/);
  });

  it('an unknown event type', async () => {
    await expectLogError([OPENED, line({ at: '2026-03-02T09:10:00Z', type: 'escalated' })].join('\n'), 2, /unknown type "escalated"/);
  });

  it('a missing `at`', async () => {
    await expectLogError([OPENED, line({ type: 'staff_reply', by: 'alice' })].join('\n'), 2, /missing "at"/);
  });

  it('an `at` that is not an ISO time with a zone', async () => {
    await expectLogError([OPENED, line({ at: '2026-03-02 09:10', type: 'customer_message' })].join('\n'), 2, /"at" is not an ISO time/);
  });

  it('events out of time order', async () => {
    const log = [OPENED, line({ at: '2026-03-02T09:30:00Z', type: 'customer_message' }), line({ at: '2026-03-02T09:20:00Z', type: 'customer_message' })];
    await expectLogError(log.join('\n'), 3, /time order/);
  });

  it('a log that does not start with "opened"', async () => {
    await expectLogError(line({ at: '2026-03-02T09:00:00Z', type: 'customer_message' }), 1, /first event must be "opened"/);
  });

  it('an unknown customer', async () => {
    await expectLogError(line({ at: '2026-03-02T09:00:00Z', type: 'opened', customer: 'nobody', severity: 'normal' }), 1, /unknown customer "nobody"/);
  });

  it('a malformed line after --at is still an error', async () => {
    await expectLogError([OPENED, line({ at: '2026-03-02T18:00:00Z', type: 'resolve' })].join('\n'), 2, /unknown type "resolve"/);
  });

  it.each(['tomorrow', '2026-03-02T10:00:00', '2026-13-02T10:00:00Z'])('--at %s is a usage error (exit 2)', async (at) => {
    const result = await replayCli(OPENED, at);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/--at: expected an ISO time/);
    expect(result.err).not.toMatch(STACK_FRAME);
  });

  it('a file that is not there: "no such file"', async () => {
    const missing = join(dir, 'missing.jsonl');
    const result = await runMain(['replay', missing, '--config', config, '--at', '2026-03-02T10:00:00Z', '--json']);
    expect(result).toEqual({ code: 1, out: '', err: `slawatch: cannot read "${missing}": no such file` });
  });

  it('a directory: "it is a directory"', async () => {
    const result = await runMain(['replay', dir, '--config', config, '--at', '2026-03-02T10:00:00Z', '--json']);
    expect(result).toEqual({ code: 1, out: '', err: `slawatch: cannot read "${dir}": it is a directory` });
  });

  it('a line longer than any event: named by its number, without reading on', async () => {
    const file = join(dir, 'huge-line.jsonl');
    await writeFile(file, `${OPENED}\n${line({ at: '2026-03-02T09:10:00Z', type: 'customer_message', text: 'x'.repeat(MAX_LINE_LENGTH) })}\n`);
    const result = await runMain(['replay', file, '--config', config, '--at', '2026-03-02T10:00:00Z', '--json']);
    expect(result).toEqual({ code: 1, out: '', err: `slawatch: cannot read "${file}": line 2 is longer than ${MAX_LINE_LENGTH} characters` });
  });

  it('--at before the ticket opened says so', async () => {
    const result = await replayCli(OPENED, '2026-03-02T08:30:00Z');
    expect(result).toEqual({ code: 1, out: '', err: 'slawatch: at 2026-03-02T08:30:00Z the ticket was not open yet; it opens at 2026-03-02T09:00:00Z' });
    // At the opening instant it is open.
    expect((await replayCli(OPENED, '2026-03-02T09:00:00Z')).code).toBe(0);
  });
});

describe('reading the log', () => {
  it('Windows line endings, and a last line without a newline, read the same', async () => {
    const events = [OPENED, line({ at: '2026-03-02T09:20:00Z', type: 'staff_reply', by: 'alice' }), line({ at: '2026-03-02T09:30:00Z', type: 'resolved', by: 'alice' })];
    const unix = await replayCli(`${events.join('\n')}\n`, '2026-03-02T10:00:00Z');
    const windows = await replayCli(events.join('\r\n'), '2026-03-02T10:00:00Z');
    expect(unix.code).toBe(0);
    expect(windows).toEqual(unix);
    expect((JSON.parse(windows.out) as { state: string }).state).toBe('resolved');
  });

  it('the other records of an export (lines with a "kind") are not events and are skipped', async () => {
    const log = [
      line({ kind: 'ticket', ticket: 4, platform: 'slack', channelId: 'C0ACME', threadId: '1772442000.000100', notifications: {}, version: 3 }),
      line({ ticket: 4, at: '2026-03-02T09:00:00Z', type: 'opened', customer: 'acme', severity: 'normal' }),
      line({ ticket: 4, at: '2026-03-02T09:20:00Z', type: 'staff_reply', by: 'alice', byUser: 'slack:U0ALICE' }),
      line({ kind: 'channel', platform: 'slack', channelId: 'C0ACME', cursor: '1772442000.000100' }),
    ];
    const result = await replayCli(`${log.join('\n')}\n`, '2026-03-02T10:00:00Z');
    expect(result.err).toBe('');
    expect((JSON.parse(result.out) as { clocks: { firstResponse: { status: string } } }).clocks.firstResponse.status).toBe('met');
  });
});
