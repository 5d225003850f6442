import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

// `slawatch oncall` and `slawatch --version` through main(). Two weekly rotations:
// primary (alice, bob from Mon 5 Jan 09:00 Berlin) and secondary (carol, dave, handoff at 10:00 UTC).

const CONFIG = `
people:
  alice: { name: Alice }
  bob: { name: Bob }
  carol: { name: Carol }
  dave: { name: Dave }
tiers:
  standard:
    targets: { default: { firstResponse: 4h } }
schedules:
  primary:
    timezone: Europe/Berlin
    layers:
      - users: [alice, bob]
        rotation: { every: 1w, handoff: "09:00", start: "2026-01-05" }
  secondary:
    timezone: UTC
    layers:
      - users: [carol, dave]
        rotation: { every: 1w, handoff: "10:00", start: "2026-01-05" }
`;

let dir: string;
let config: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slawatch-oncall-'));
  config = join(dir, 'slawatch.yaml');
  await writeFile(config, CONFIG);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'slawatch', ...args], { out: (t) => void out.push(t), err: (t) => void err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

// Wed 11 Feb 2026: the sixth week of both rotations (counting from 0, week 5: bob / dave).
const AT = '2026-02-11T12:00:00Z';

describe('slawatch oncall with several schedules', () => {
  it('--json without --schedule: an array of every schedule, in config order', async () => {
    const result = await run('oncall', '--config', config, '--at', AT, '--json');
    expect(result.err).toBe('');
    expect(JSON.parse(result.out)).toEqual([
      { schedule: 'primary', onCall: ['bob'], until: '2026-02-16T08:00:00Z' },
      { schedule: 'secondary', onCall: ['dave'], until: '2026-02-16T10:00:00Z' },
    ]);
  });

  it('--json --schedule: that schedule alone, as an object', async () => {
    const result = await run('oncall', '--config', config, '--at', AT, '--json', '--schedule', 'secondary');
    expect(JSON.parse(result.out)).toEqual({ schedule: 'secondary', onCall: ['dave'], until: '2026-02-16T10:00:00Z' });
  });

  it('the table shows every schedule', async () => {
    const result = await run('oncall', '--config', config, '--at', AT);
    expect(result.code).toBe(0);
    const primary = result.out.indexOf('primary');
    const secondary = result.out.indexOf('secondary');
    expect(primary).toBeGreaterThanOrEqual(0);
    expect(secondary).toBeGreaterThan(primary);
    expect(result.out).toContain('Bob');
    expect(result.out).toContain('Dave');
  });

  it('--ical still needs --schedule', async () => {
    const result = await run('oncall', '--config', config, '--at', AT, '--ical');
    expect(result.code).toBe(2);
    expect(result.err).toBe('slawatch: --ical prints one schedule: name it with --schedule <id> (known: primary, secondary)');
    const one = await run('oncall', '--config', config, '--at', AT, '--ical', '--schedule', 'primary');
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/^BEGIN:VCALENDAR/);
  });
});

describe('slawatch --version', () => {
  it("prints package.json's version", async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await run('--version');
    expect(result).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });
});
