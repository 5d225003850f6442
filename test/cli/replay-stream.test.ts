import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { parseLogFor, policyContext, replay } from '../../src/cli/replay.js';
import { BIN } from '../helpers/run-cli.js';

// `slawatch replay` reads its log as a stream: run as a user runs it (the built command, a child
// process) on a log larger than the heap the process is given, so that a replay holding the file
// in memory cannot finish; this one must, and must print what replaying that ticket alone prints.

const CONFIG = `
customers:
  - { id: acme, name: Acme, tier: enterprise }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 8h }
`;
const HEAP_MB = 48;
const LOG_MB = HEAP_MB + 8;
const START = Date.parse('2026-03-02T09:00:00Z');
const AT = '2026-04-30T00:00:00Z';

/** Ticket `id`'s lines: opened, then nine customer messages a second apart. */
function ticketLines(id: number): string[] {
  const opened = START + id * 60_000;
  const lines = [JSON.stringify({ ticket: id, at: new Date(opened).toISOString(), type: 'opened', customer: 'acme', severity: 'normal', text: `Checkout returns 502 (${id})` })];
  for (let i = 1; i < 10; i++) {
    lines.push(JSON.stringify({ ticket: id, at: new Date(opened + i * 1000).toISOString(), type: 'customer_message', text: `still broken, attempt ${i}: every region shows errors on the dashboard` }));
  }
  return lines;
}

let dir: string;
let config: string;
let log: string;
let tickets = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slawatch-replay-stream-'));
  config = join(dir, 'slawatch.yaml');
  await writeFile(config, CONFIG);
  log = join(dir, 'export.jsonl');
  const out = createWriteStream(log);
  let size = 0;
  while (size < LOG_MB * 1024 * 1024) {
    const chunk = `${ticketLines(++tickets).join('\n')}\n`;
    size += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], options: { node?: string[]; uid?: number } = {}): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [...(options.node ?? []), BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

describe('slawatch replay streams its log', () => {
  it(`replays one ticket of a ${LOG_MB} MB export with a ${HEAP_MB} MB heap`, async () => {
    expect((await stat(log)).size).toBeGreaterThan(HEAP_MB * 1024 * 1024);
    const wanted = Math.floor(tickets * 0.9);
    const result = await run(['replay', log, '--ticket', String(wanted), '--config', config, '--at', AT, '--json'], { node: [`--max-old-space-size=${HEAP_MB}`] });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const alone = parseConfig(CONFIG);
    const expected = replay(parseLogFor(alone, ticketLines(wanted).join('\n'), wanted), policyContext(alone), Date.parse(AT));
    expect(JSON.parse(result.out)).toEqual(expected);
    expect(expected.state).toBe('open');
  }, 120_000);

  it('a file it may not read: "permission denied"', async () => {
    const file = join(dir, 'secret.jsonl');
    await writeFile(file, `${ticketLines(1).join('\n')}\n`);
    await chmod(file, 0o000);
    // root reads any file: run the command as nobody (the temp dir and config opened up for it).
    const root = process.getuid?.() === 0;
    if (root) {
      await chmod(dir, 0o755);
      await chmod(config, 0o644);
    }
    const result = await run(['replay', file, '--config', config, '--at', AT], root ? { uid: 65534 } : {});
    expect(result.err).toBe(`slawatch: cannot read "${file}": permission denied\n`);
    expect(result.code).toBe(1);
  });
});
