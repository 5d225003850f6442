/**
 * `slawatch availability <incidents.jsonl> --config <file> --month … --at …`,
 * end to end through main() with temp files, and once as the built command.
 * Expected values worked out by hand.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/run-cli.js';

const CONFIG = `
customers:
  - { id: zeta, name: Zeta, tier: standard, region: eu }
  - { id: acme, name: Acme, tier: enterprise, region: eu, timezone: Asia/Shanghai, monthlyFee: { amount: 5000, currency: USD } }
  - { id: globex, name: Globex, tier: enterprise, region: us, timezone: America/Los_Angeles, monthlyFee: { amount: 1200, currency: EUR }, availability: { target: 99.5 } }
tiers:
  standard:
    targets: { default: { firstResponse: 4h } }
    availability: { target: 99.0, credits: [{ below: 99.0, percent: 5 }] }
  enterprise:
    targets: { default: { firstResponse: 1h } }
    availability: { target: 99.9, credits: [{ below: 99.9, percent: 10 }, { below: 99.0, percent: 25 }, { below: 95.0, percent: 100 }] }
availability: { timezone: UTC, maintenanceNotice: 48h }
`;

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../examples/slawatch.yaml', import.meta.url));
const EXAMPLE_LOG = fileURLToPath(new URL('../../examples/incidents.jsonl', import.meta.url));

const line = (value: Record<string, unknown>): string => JSON.stringify(value);

let dir: string;
let config: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slawatch-availability-'));
  config = join(dir, 'slawatch.yaml');
  await writeFile(config, CONFIG);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(lines: string[], ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const file = join(dir, `incidents-${++counter}.jsonl`);
  await writeFile(file, `${lines.join('\n')}\n`);
  let out = '';
  let err = '';
  const code = await main(['node', 'slawatch', 'availability', file, '--config', config, ...args], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err: err.replaceAll(file, 'FILE') };
}

const H = 3600;

describe('slawatch availability --json', () => {
  it('prints exactly the documented object: every configured customer, sorted, each field hand-computed', async () => {
    const result = await run(
      [
        // Announced 3 days ahead: excluded where it applies (everyone), in each customer's month.
        line({ at: '2026-11-02T00:00:00Z', type: 'maintenance', maintenance: 'mw-1', from: '2026-11-05T01:00:00Z', to: '2026-11-05T03:00:00Z', scope: 'all' }),
        // EU: 1 h outage, then 30 min degraded.
        line({ at: '2026-11-10T10:00:00Z', type: 'incident_opened', incident: 'inc-1', title: 'RTC down in EU', impact: 'outage', scope: { regions: ['eu'] } }),
        line({ at: '2026-11-10T11:00:00Z', type: 'incident_updated', incident: 'inc-1', impact: 'degraded', message: 'recovering' }),
        line({ at: '2026-11-10T11:30:00Z', type: 'incident_resolved', incident: 'inc-1' }),
        // Enterprise: open at --at (1 Dec 12:00Z) since 30 Nov 15:00Z.
        line({ at: '2026-11-30T15:00:00Z', type: 'incident_opened', incident: 'inc-2', title: 'API down', scope: { tiers: ['enterprise'] } }),
      ],
      '--month',
      '2026-11',
      '--at',
      '2026-12-01T12:00:00Z',
      '--json',
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const acmeUp = 30 * 24 * H - 2 * H - (H + H); // inc-1: 1 h; inc-2: 30 Nov 15:00–16:00Z (the Shanghai month ends 16:00Z)
    const globexMonth = 721 * H; // November in Los Angeles, back to PST on the 1st
    const globexDown = 17 * H; // inc-2: 15:00Z → 1 Dec 08:00Z, the end of November in LA
    expect(result.out).toBe(
      `${JSON.stringify({
        month: '2026-11',
        customers: [
          {
            customer: 'acme',
            timezone: 'Asia/Shanghai',
            periodSeconds: 30 * 24 * H,
            excludedSeconds: 2 * H,
            downtimeSeconds: 2 * H,
            degradedSeconds: 1800,
            availability: (100 * acmeUp) / (30 * 24 * H - 2 * H),
            target: 99.9,
            met: false,
            creditPercent: 10,
            creditAmount: 500,
            currency: 'USD',
            incidents: ['inc-1', 'inc-2'],
          },
          {
            customer: 'globex',
            timezone: 'America/Los_Angeles',
            periodSeconds: globexMonth,
            excludedSeconds: 2 * H,
            downtimeSeconds: globexDown,
            degradedSeconds: 0,
            availability: (100 * (globexMonth - 2 * H - globexDown)) / (globexMonth - 2 * H), // 97.6356…
            target: 99.5, // the customer's own target over the tier's
            met: false,
            creditPercent: 25, // the tier's bands: 97.64 is below 99.9 (10) and below 99.0 (25), not below 95.0
            creditAmount: 300, // 25 % of 1200
            currency: 'EUR',
            incidents: ['inc-2'],
          },
          {
            customer: 'zeta',
            timezone: 'UTC',
            periodSeconds: 30 * 24 * H,
            excludedSeconds: 2 * H,
            downtimeSeconds: H,
            degradedSeconds: 1800,
            availability: (100 * (30 * 24 * H - 3 * H)) / (30 * 24 * H - 2 * H),
            target: 99,
            met: true,
            creditPercent: 0,
            creditAmount: null,
            currency: null,
            incidents: ['inc-1'],
          },
        ],
      })}\n`,
    );
  });
});

describe('slawatch availability: problems', () => {
  it('refuses a malformed line, naming its line number, and prints nothing else', async () => {
    const result = await run([line({ at: '2026-11-10T10:00:00Z', type: 'incident_opened', incident: 'inc-1' }), '{"at": "2026-11-10T11:00:00Z", "type": "incident_resolved"'], '--month', '2026-11', '--json');
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toMatch(/^event log: line 2: not valid JSON/);
  });

  it('refuses a scope naming a region no customer is in', async () => {
    const result = await run([line({ at: '2026-11-10T10:00:00Z', type: 'incident_opened', incident: 'inc-1', scope: { regions: ['mars'] } })], '--month', '2026-11');
    expect(result.code).toBe(1);
    expect(result.err).toBe('event log: line 1: unknown region "mars" in "scope.regions"\n');
  });

  it('refuses a month that is not YYYY-MM, and an --at without a zone', async () => {
    expect((await run([], '--month', '11/2026')).err).toMatch(/--month: expected a month such as 2026-11/);
    expect((await run([], '--month', '2026-11', '--at', '2026-12-01 12:00')).err).toMatch(/--at: expected an ISO time with a zone/);
  });

  it('takes the month of --at in availability.timezone when --month is left out', async () => {
    const result = await run([], '--at', '2026-02-10T00:00:00Z', '--json');
    expect(JSON.parse(result.out).month).toBe('2026-02');
  });
});

describe('slawatch availability: formats', () => {
  const events = [
    line({ at: '2026-11-10T10:00:00Z', type: 'incident_opened', incident: 'inc-1', scope: { customers: ['acme'] } }),
    line({ at: '2026-11-10T11:00:00Z', type: 'incident_resolved', incident: 'inc-1' }),
  ];

  it('table: one row per customer with the figures people check', async () => {
    const result = await run(events, '--month', '2026-11', '--at', '2026-12-15T00:00:00Z');
    const rows = result.out.split('\n');
    expect(rows[0]).toBe('Availability 2026-11 · as of 2026-12-15T00:00:00Z');
    expect(rows.find((r) => r.startsWith('acme'))).toMatch(/^acme\s+Asia\/Shanghai\s+720:00:00\s+0:00:00\s+1:00:00\s+0:00:00\s+99\.8611%\s+99\.9%\s+no\s+10%\s+500\.00 USD\s+inc-1$/);
    expect(rows.find((r) => r.startsWith('zeta'))).toMatch(/100\.0000%\s+99%\s+yes\s+0%\s+—\s+—$/);
  });

  it('csv: machine columns, empty cells for what does not apply', async () => {
    const result = await run(events, '--month', '2026-11', '--at', '2026-12-15T00:00:00Z', '--format', 'csv');
    const [header, acme, , zeta] = result.out.trimEnd().split('\r\n');
    expect(header).toBe('customer,timezone,period_seconds,excluded_seconds,downtime_seconds,degraded_seconds,availability_pct,target_pct,met,credit_pct,credit_amount,currency,incidents');
    expect(acme).toBe(`acme,Asia/Shanghai,2592000,0,3600,0,${(100 * 2588400) / 2592000},99.9,false,10,500.00,USD,inc-1`);
    expect(zeta).toBe('zeta,UTC,2592000,0,0,0,100,99,true,0,,,');
  });

  it('md: a table for a contract review', async () => {
    const result = await run(events, '--month', '2026-11', '--at', '2026-12-15T00:00:00Z', '--format', 'md');
    expect(result.out).toContain('| acme | Asia/Shanghai | 720:00:00 | 0:00:00 | 1:00:00 | 0:00:00 | 99.8611% | 99.9% | no | 10% | 500.00 USD | inc-1 |');
  });
});

describe('slawatch availability --locale', () => {
  const events = [
    line({ at: '2026-11-10T10:00:00Z', type: 'incident_opened', incident: 'inc-1', scope: { customers: ['acme'] } }),
    line({ at: '2026-11-10T11:00:00Z', type: 'incident_resolved', incident: 'inc-1' }),
  ];

  it('zh-CN: the headings, the yes and no and the definitions in Chinese; the figures and CSV the same', async () => {
    const table = (await run(events, '--month', '2026-11', '--at', '2026-12-15T00:00:00Z', '--locale', 'zh-CN')).out.split('\n');
    expect(table[0]).toBe('2026-11 可用性 · 截至 2026-12-15T00:00:00Z');
    expect(table[2]).toMatch(/^客户\s+时区\s+月份时长\s+不计入\s+停机\s+性能下降\s+可用性\s+目标\s+达成\s+赔付\s+金额\s+事件$/);
    expect(table.find((r) => r.startsWith('acme'))).toMatch(/99\.8611%\s+99\.9%\s+否\s+10%\s+500\.00 USD\s+inc-1$/);
    const md = (await run(events, '--month', '2026-11', '--at', '2026-12-15T00:00:00Z', '--format', 'md', '--locale', 'zh-CN')).out;
    expect(md).toContain('# 2026-11 可用性');
    expect(md).toContain('| acme | Asia/Shanghai | 720:00:00 | 0:00:00 | 1:00:00 | 0:00:00 | 99.8611% | 99.9% | 否 | 10% | 500.00 USD | inc-1 |');
    const csv = (args: string[]) => run(events, '--month', '2026-11', '--at', '2026-12-15T00:00:00Z', '--format', 'csv', ...args).then((r) => r.out);
    expect(await csv(['--locale', 'zh-CN'])).toBe(await csv([]));
  });
});

describe('the built command on the bundled examples', () => {
  it('prints what the README shows', async () => {
    const result = await runCli(['availability', EXAMPLE_LOG, '--config', EXAMPLE_CONFIG, '--month', '2026-11', '--at', '2026-12-01T12:00:00Z', '--json'], '');
    expect(result.code).toBe(0);
    const statement = JSON.parse(result.lines.join('\n'));
    expect(statement.customers.map((c: { customer: string; creditAmount: number | null }) => [c.customer, c.creditAmount])).toEqual([
      ['acme', 500],
      ['globex', 120],
      ['initech', null],
    ]);
  });
});
