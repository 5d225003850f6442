/**
 * The bot killed with SIGKILL at random moments and restarted, over and over,
 * while tickets climb their ladders: every notification appears at most once,
 * and each ladder's last step reaches the staff channel exactly once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../helpers/run-cli.js';

const CUSTOMERS = ['c1', 'c2', 'c3', 'c4'];
const CONFIG = `
people: { alice: { name: Alice }, bob: { name: Bob } }
staff: { people: [alice, bob], channels: { shell: staff } }
customers:
${CUSTOMERS.map((c) => `  - { id: ${c}, name: Customer ${c}, tier: fast, channels: { shell: [${c}] } }`).join('\n')}
tiers:
  fast:
    targets:
      default: { firstResponse: 4s }
escalation:
  warnAt: [0.5]
  policies:
    default:
      levels:
        - { notify: [person:alice], delay: 2s }
        - { notify: [person:bob], delay: 1h }
notifications: { coalesceWindow: 1s, sendLease: 3s }
`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('SIGKILL at random moments', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-kill-'));
    await writeFile(join(dir, 'slawatch.yaml'), CONFIG);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([1, 2, 3])('round %i: nothing repeated, nothing lost', async (round) => {
    const store = join(dir, `round${round}.sqlite`);
    const args = ['start', '--config', join(dir, 'slawatch.yaml'), '--store', store, '--keep-running'];
    const output: string[] = [];
    const run = async (work: (cli: RunningCli) => Promise<void>) => {
      const cli = startCli(args);
      await cli.waitFor(/slawatch shell/);
      await work(cli);
      cli.child.kill('SIGKILL');
      await cli.exited;
      output.push(...cli.lines);
    };
    await run(async (cli) => {
      for (const customer of CUSTOMERS) {
        cli.send(`/in ${customer}`);
        cli.send(`Customer ${customer}: the service is down`);
      }
      await cli.waitFor(/Ticket #4 opened/);
      await sleep(500 + Math.random() * 3_000);
    });
    for (let restart = 0; restart < 2; restart++) {
      await sleep(Math.random() * 1_500);
      await run(() => sleep(300 + Math.random() * 2_500));
    }
    // The last run stays up until every ladder has reached level 2 (6 s after opening) and any lease ran out.
    await run(async (cli) => {
      const settleBy = Date.now() + 15_000;
      while (Date.now() < settleBy && cli.lines.filter((l) => /escalation level 2/.test(l)).length + output.filter((l) => /escalation level 2/.test(l)).length < 4) await sleep(200);
      await sleep(500);
    });

    const notifications = output.filter((l) => l.startsWith('[staff] slawatch:'));
    const steps = notifications.map((l) => /(#\d+ first response (due soon|BREACHED|breached — escalation level \d))/.exec(l)?.[1]);
    const counts = new Map<string, number>();
    for (const s of steps) counts.set(String(s), (counts.get(String(s)) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1);
    expect(repeated, notifications.join('\n')).toEqual([]);
    for (const id of [1, 2, 3, 4]) {
      expect(counts.get(`#${id} first response breached — escalation level 2`), `ticket #${id}:\n${notifications.join('\n')}`).toBe(1);
    }
  }, 90_000);
});
