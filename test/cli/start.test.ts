import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/run-cli.js';

const CONFIG = `
people:
  alice: { name: Alice }
  carol: { name: Carol }
staff:
  people: [alice, carol]
  channels: { shell: staff }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] }, accountEngineer: carol }
  - { id: initech, name: Initech, tier: enterprise, channels: { shell: [initech] } }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 3s, resolution: 1h }
escalation:
  warnAt: [0.5]
  policies:
    default:
      levels: [{ notify: [person:alice], delay: 1h }]
`;

describe('slawatch start (shell adapter, SQLite store)', () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-start-'));
    config = join(dir, 'slawatch.yaml');
    await writeFile(config, CONFIG);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens tickets from piped customer lines, records staff replies, and keeps them across a restart', async () => {
    const store = join(dir, 'piped', 'slawatch.sqlite');
    const script = [
      '/as dana',
      '/in initech',
      'The export button does nothing',
      'and the CSV download is empty too',
      '/as alice',
      'Thanks Dana, looking at it now.',
      '/status',
      '/top',
      '/tickets',
    ].join('\n');
    const first = await runCli(['start', '--config', config, '--store', store], `${script}\n`);
    expect(first.code).toBe(0);
    const out = first.lines.join('\n');
    expect(out).toMatch(/\[initech › #1\] slawatch: Ticket #1 opened for Initech/);
    // The second quick message joined the ticket instead of opening another.
    expect(out).not.toMatch(/Ticket #2 opened/);
    expect(out).toMatch(/staff reply recorded on #1/);
    expect(out).toMatch(/first response: met at/);
    expect(out).toMatch(/Open tickets \(1\)/);

    const second = await runCli(['start', '--config', config, '--store', store], '/as alice\n/tickets\n/status 1\n');
    expect(second.code).toBe(0);
    const again = second.lines.join('\n');
    expect(again).toMatch(/Open tickets \(1\)/);
    expect(again).toMatch(/#1 {2}Initech/);
    expect(again).toMatch(/“The export button does nothing”/);
  });

  it('after a SIGKILL, a deadline that passed while down is posted once, marked late — and never again', async () => {
    const store = join(dir, 'killed', 'slawatch.sqlite');
    const bot = startCli(['start', '--config', config, '--store', store]);
    bot.send('/as dana');
    bot.send('/in acme');
    bot.send('Checkout is broken for everyone');
    await bot.waitFor(/Ticket #1 opened/);
    bot.child.kill('SIGKILL');
    await bot.exited;
    // The first-response deadline (3 s) and its 50 % warning pass while the bot is down.
    await new Promise((r) => setTimeout(r, 3_500));

    const restarted = await runCli(['start', '--config', config, '--store', store], '');
    expect(restarted.code).toBe(0);
    const breaches = restarted.lines.filter((l) => /\[staff\] slawatch: .*first response BREACHED/.test(l));
    expect(breaches).toHaveLength(1);
    expect(breaches[0]).toMatch(/Sent late: this was due .* while slawatch was not running/);
    expect(breaches[0]).toMatch(/@alice/);
    // Only the most advanced step of the clock fires: the missed warning is not sent late.
    expect(restarted.lines.some((l) => /due soon/.test(l))).toBe(false);

    const third = await runCli(['start', '--config', config, '--store', store], '');
    expect(third.lines.some((l) => /BREACHED|due soon/.test(l))).toBe(false);
  });

  it('says so when it runs on the bundled example config', async () => {
    const elsewhere = join(dir, 'no-config-here');
    await mkdir(elsewhere);
    const result = await runCli(['start', '--store', join(dir, 'bundled.sqlite')], '/help\n', { SLAWATCH_CONFIG: '' }, elsewhere);
    expect(result.code).toBe(0);
    expect(result.lines[0]).toMatch(/no config file given: running on the bundled example/);
    expect(result.lines.join('\n')).toMatch(/\/as <who>/);
  });
});

describe('slawatch start: ./.env, the platform lines, and logs for people', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-dotenv-'));
    await writeFile(join(dir, 'slawatch.yaml'), CONFIG);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads ./.env, where the environment wins; says which platforms are on and why the others are off', async () => {
    const here = join(dir, 'with-env-file');
    await mkdir(here);
    await writeFile(join(here, '.env'), ['# shell settings', 'export SLAWATCH_SHELL_AS=dana', "SLAWATCH_SHELL_CHANNEL='initech'   # the first channel", 'SLAWATCH_STORE="./tickets.sqlite"', ''].join('\n'));
    const result = await runCli(['start', '--config', join(dir, 'slawatch.yaml')], '/help\n', { SLAWATCH_SHELL_AS: 'erin', SLAWATCH_SHELL_CHANNEL: undefined, SLAWATCH_STORE: undefined }, here);
    expect(result.code).toBe(0);
    const greeting = result.lines.findIndex((l) => l.startsWith('slawatch shell'));
    expect(result.lines[greeting]).toBe('slawatch shell — you are erin (customer) in #initech. Type /help for commands.');
    expect(result.lines.slice(greeting - 4, greeting)).toEqual(['Slack: off — SLACK_BOT_TOKEN not set', 'Discord: off — DISCORD_TOKEN not set', 'Feishu/Lark: off — LARK_APP_ID not set', 'shell: on (no chat token set)']);
    expect(result.lines).toContain('(tickets are kept in ./tickets.sqlite)');
  });

  it('stops at a malformed .env, naming the file and the line but not the line\'s text', async () => {
    const here = join(dir, 'bad-env-file');
    await mkdir(here);
    await writeFile(join(here, '.env'), ['SLAWATCH_SHELL_AS=dana', 'SLACK_BOT_TOKEN xoxb-not-for-printing', 'OK="closed"', 'BROKEN="never closed', ''].join('\n'));
    const result = await runCli(['start', '--config', join(dir, 'slawatch.yaml')], '', {}, here);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'slawatch: .env is not valid (one NAME=value a line):\n  line 2: expected NAME=value\n  line 4: the value\'s double quote is not closed on its line (values span one line)\n',
    );
    expect(result.lines).toEqual([]);
  });

  it('writes its warnings to stderr as sentences, never as JSON lines', async () => {
    const result = await runCli(['start', '--config', join(dir, 'slawatch.yaml'), '--store', join(dir, 'warn.sqlite')], '/help\n', { PORT: '0', SLAWATCH_QUEUE_TOKEN: 'too-short' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('slawatch warning: queue page disabled (reason: SLAWATCH_QUEUE_TOKEN is shorter than 16 characters)\n');
  });
});
