import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile, parseConfig } from '../../src/config/load.js';
import { problemsOf } from '../helpers/config-problems.js';
import { parseDuration } from '../../src/config/duration.js';

const ISSUE_EXAMPLE = `people:
  alice: { name: Alice, slack: U0ALICE, discord: "100000000000000001" }
  carol: { name: Carol, slack: U0CAROL }
staff:
  people: [alice, carol]
  slackGroups: [S0SUPPORT]              # optional
  discordRoles: ["300000000000000001"]  # optional
  channels: { slack: C0STAFF, discord: "400000000000000001" }  # where pings go
customers:
  - id: acme
    name: Acme Corp
    tier: enterprise
    channels: { slack: [C0ACME], discord: ["200000000000000001"] }
    accountEngineer: carol              # optional
tiers:
  enterprise:
    calendar: 24x7
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 2d }
      urgent: { firstResponse: 15m }
`;

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['4h', 14_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '4', '4x', 'h', '-1h', '1 h'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('config loading', () => {
  it('loads the shape from the issue as written, durations in ms and defaults filled', () => {
    const config = parseConfig(ISSUE_EXAMPLE);
    expect(config.tiers.enterprise?.targets.default).toEqual({ firstResponse: 3_600_000, nextResponse: 7_200_000, resolution: 172_800_000 });
    expect(config.tiers.enterprise?.targets.urgent).toEqual({ firstResponse: 900_000 });
    expect(config.customers[0]?.channels).toEqual({ slack: ['C0ACME'], discord: ['200000000000000001'], lark: [], shell: [] });
    expect(config.tickets.groupingWindow).toBe(600_000);
    expect(config.escalation.warnAt).toEqual([0.5, 0.75, 0.9]);
    expect(config.store).toEqual({ backend: 'sqlite', path: './data/slawatch.sqlite' });
  });

  it('the bundled example reproduces the tier table of the design', async () => {
    const config = await loadConfigFile(EXAMPLE_CONFIG_PATH);
    const h = 3_600_000;
    expect(config.tiers.standard?.targets.default?.firstResponse).toBe(4 * h);
    expect(config.tiers.standard?.calendar).toBe('business-hours');
    expect(config.tiers.priority?.targets.default?.firstResponse).toBe(2 * h);
    expect(config.tiers.priority?.calendar).toBe('business-hours');
    expect(config.tiers.enterprise?.targets.default?.firstResponse).toBe(h);
    expect(config.tiers.enterprise?.targets.urgent?.firstResponse).toBe(0); // immediately
    expect(config.tiers.enterprise?.calendar).toBe('24x7');
    expect(config.customers.find((c) => c.tier === 'enterprise')?.accountEngineer).toBeDefined();
  });

  it('names path and line of an unknown tier', () => {
    const withGold = ISSUE_EXAMPLE.replace('tiers:\n', '  - id: globex\n    name: Globex\n    tier: gold\ntiers:\n');
    expect(problemsOf(withGold)).toEqual(['customers[1].tier: unknown tier "gold" (line 17)']);
  });

  it('names path and line of a bad duration', () => {
    const bad = ISSUE_EXAMPLE.replace('firstResponse: 15m', 'firstResponse: 15 minutes');
    expect(problemsOf(bad)).toEqual(['tiers.enterprise.targets.urgent.firstResponse: expected a duration such as 30s, 15m, 4h or 2d, or "immediate" (line 20)']);
  });

  it('names path and line of a missing field (the parent that lacks it)', () => {
    const bad = ISSUE_EXAMPLE.replace('    name: Acme Corp\n', '');
    expect(problemsOf(bad)).toEqual(['customers[0].name: missing required field (expected string) (line 10)']);
  });

  it('names the line of a YAML syntax error', () => {
    const bad = ISSUE_EXAMPLE.replace('  carol: { name: Carol, slack: U0CAROL }', '  carol: { name: Carol, slack: U0CAROL');
    const problems = problemsOf(bad);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^: YAML syntax error: .* \(line [34]\)$/);
  });

  it('reports unknown keys, unknown people and cross-references, sorted by line', () => {
    const bad = ISSUE_EXAMPLE.replace('accountEngineer: carol', 'accountEngineer: zed').replace('  people: [alice, carol]', '  people: [alice, carol]\n  colour: blue');
    expect(problemsOf(bad)).toEqual(['staff: unknown key "colour" (line 6)', 'customers[0].accountEngineer: unknown person "zed" (line 15)']);
  });

  it('checks time zones, hour ranges and escalation targets', () => {
    const bad = `${ISSUE_EXAMPLE}calendars:
  office:
    timezone: Mars/Olympus
    hours: { mon: ["17:00-09:00"] }
escalation:
  policies:
    default:
      levels: [{ notify: [schedule:nope, pager:x] }]
`;
    expect(problemsOf(bad)).toEqual([
      'calendars.office.timezone: unknown time zone "Mars/Olympus" (line 23)',
      'calendars.office.hours.mon[0]: a range must end after it starts (line 24)',
      'escalation.policies.default.levels[0].notify[1]: expected schedule:<id>, person:<id>, group:<id>, channel:<id>, pagerduty:<service>, webhook:<name> or email:<person or group> (line 28)',
      'escalation.policies.default.levels[0].notify[0]: unknown schedule "nope" (line 28)',
    ]);
  });
});

describe('calendars: public holidays are checked at load', () => {
  const withCalendar = (holidays: string) => `${ISSUE_EXAMPLE}calendars:
  berlin:
    timezone: Europe/Berlin
    hours: { mon: ["09:00-17:00"] }
    holidays: ${holidays}
`;

  it('accepts a country and region date-holidays knows (the region in any case)', () => {
    expect(parseConfig(withCalendar('{ country: DE, region: BY }')).calendars.berlin?.holidays).toEqual({ dates: [], country: 'DE', region: 'BY' });
    expect(problemsOf(withCalendar('{ country: DE, region: be }'))).toEqual([]);
  });

  it('names path and line of an unknown region, an unknown country and a region without its country', () => {
    expect(problemsOf(withCalendar('{ country: DE, region: XX }'))).toEqual(['calendars.berlin.holidays.region: unknown region "XX" of country DE (line 25)']);
    expect(problemsOf(withCalendar('{ country: QQ }'))).toEqual(['calendars.berlin.holidays.country: unknown country "QQ" (date-holidays has no public holidays for it) (line 25)']);
    expect(problemsOf(withCalendar('{ region: BY }'))).toEqual(['calendars.berlin.holidays.region: a region needs its "country" (line 25)']);
  });
});

describe('the staff channel', () => {
  it('may not also be bound to a customer (pings would reach the customer)', () => {
    const bound = ISSUE_EXAMPLE.replace('channels: { slack: [C0ACME], discord: ["200000000000000001"] }', 'channels: { slack: [C0ACME, C0STAFF], discord: ["400000000000000001"] }');
    expect(problemsOf(bound)).toEqual([
      'customers[0].channels.slack[1]: channel "C0STAFF" is the staff channel (staff.channels.slack); staff pings would reach the customer (line 13)',
      'customers[0].channels.discord[0]: channel "400000000000000001" is the staff channel (staff.channels.discord); staff pings would reach the customer (line 13)',
    ]);
  });

  it('on the shell too, where the staff channel is "staff" unless set', () => {
    const bound = ISSUE_EXAMPLE.replace('channels: { slack: [C0ACME], discord: ["200000000000000001"] }', 'channels: { shell: [acme, staff] }');
    expect(problemsOf(bound)).toEqual(['customers[0].channels.shell[1]: channel "staff" is the staff channel (staff.channels.shell); staff pings would reach the customer (line 13)']);
  });
});

describe('staff messages never go to a customer channel', () => {
  it('refuses an escalation `channel:` target that is a customer\'s channel, naming path and line', () => {
    const policy = `${ISSUE_EXAMPLE}escalation:
  policies:
    default:
      warn: [channel:C0OPS]
      levels:
        - { notify: [person:carol, channel:C0ACME], delay: 30m }
`;
    expect(problemsOf(policy)).toEqual(['escalation.policies.default.levels[0].notify[1]: channel "C0ACME" is customer "acme"\'s channel; staff pings would reach the customer (line 26)']);
    expect(problemsOf(policy.replace('channel:C0ACME', 'channel:C0OPS'))).toEqual([]);
  });

  it('refuses a customer\'s channel for the handoff announcements, the digest and the availability statement', () => {
    const announced = `${ISSUE_EXAMPLE}schedules:
  primary:
    timezone: UTC
    layers: [{ users: [alice], rotation: { every: 1w, start: "2026-01-05" } }]
announcements: { handoffs: { schedules: [primary], channel: C0ACME } }
digest: { channel: "200000000000000001" }
availability: { statement: { channel: C0ACME } }
`;
    expect(problemsOf(announced)).toEqual([
      'announcements.handoffs.channel: channel "C0ACME" is customer "acme"\'s channel; handoff announcements would reach the customer (line 25)',
      'digest.channel: channel "200000000000000001" is customer "acme"\'s channel; the weekly digest would reach the customer (line 26)',
      'availability.statement.channel: channel "C0ACME" is customer "acme"\'s channel; the availability statement would reach the customer (line 27)',
    ]);
  });
});

describe('Feishu / Lark ids', () => {
  const withLark = (person: string, channels: string, staff = '') =>
    ISSUE_EXAMPLE.replace('  carol: { name: Carol, slack: U0CAROL }', `  carol: { name: Carol, slack: U0CAROL, lark: ${person} }`)
      .replace('  channels: { slack: C0STAFF, discord: "400000000000000001" }', `  channels: { slack: C0STAFF, discord: "400000000000000001"${staff} }`)
      .replace('channels: { slack: [C0ACME], discord: ["200000000000000001"] }', `channels: { slack: [C0ACME], discord: ["200000000000000001"], lark: ${channels} }`);

  it('reads open ids, chat ids, the staff group and the staff tenant', () => {
    const config = parseConfig(withLark('ou_7d8a6e6df7621556ce0d21922b676706', '[oc_5ad11d72b830411d72b836c20]', ', lark: oc_a0553eda9014c201e6969b478895c230').replace('  people: [alice, carol]', '  people: [alice, carol]\n  larkTenant: 2ed263bf32cf1651'));
    expect(config.people.carol?.lark).toBe('ou_7d8a6e6df7621556ce0d21922b676706');
    expect(config.customers[0]?.channels.lark).toEqual(['oc_5ad11d72b830411d72b836c20']);
    expect(config.staff.channels.lark).toBe('oc_a0553eda9014c201e6969b478895c230');
    expect(config.staff.larkTenant).toBe('2ed263bf32cf1651');
  });

  it('names path and line of an id of the wrong kind', () => {
    expect(problemsOf(withLark('oc_notaperson', '[ou_notachat]', ', lark: C0STAFF'))).toEqual([
      'people.carol.lark: a Feishu/Lark open id starts with ou_ (the app\'s open id of the person) (line 3)',
      'staff.channels.lark: a Feishu/Lark chat id starts with oc_ (line 8)',
      'customers[0].channels.lark[0]: a Feishu/Lark chat id starts with oc_ (line 13)',
    ]);
  });

  it('refuses a staff group that is also a customer\'s', () => {
    expect(problemsOf(withLark('ou_carol', '[oc_acme, oc_staff]', ', lark: oc_staff'))).toEqual([
      'customers[0].channels.lark[1]: channel "oc_staff" is the staff channel (staff.channels.lark); staff pings would reach the customer (line 13)',
    ]);
  });
});

describe('YAML anchors, aliases and merge keys', () => {
  // Shares one opening-hours anchor inside a calendar anchor, and merges customer defaults:
  // 5 + 21 + 8 aliases. The yaml package's default guard (uses × aliases inside the anchor > 100)
  // refused this file.
  const customers = Array.from({ length: 8 }, (_, i) => `  - <<: *customer\n    id: c${i}\n    name: Customer ${i}\n    channels: { slack: [C0C${i}] }`).join('\n');
  const calendars = Array.from({ length: 21 }, (_, i) => `  office${i}: *office`).join('\n');
  const SHARED = `people:
  alice: { name: Alice, slack: U0ALICE }
staff:
  people: [alice]
tiers:
  standard:
    calendar: office
    targets:
      default: { firstResponse: 4h }
calendars:
  office: &office
    timezone: Europe/Berlin
    hours: { mon: &day ["09:00-17:00"], tue: *day, wed: *day, thu: *day, fri: *day, sat: *day }
${calendars}
customers:
  - &customer { id: base, name: Base, tier: standard, calendar: office }
${customers}
`;

  it('an ordinary config that shares values works: aliases resolve, merged keys apply, own keys win', () => {
    const config = parseConfig(SHARED);
    expect(Object.keys(config.calendars)).toHaveLength(22);
    expect(config.calendars.office20?.hours.sat).toEqual(['09:00-17:00']);
    expect(config.customers).toHaveLength(9);
    expect(config.customers[8]).toEqual({ id: 'c7', name: 'Customer 7', tier: 'standard', calendar: 'office', channels: { slack: ['C0C7'], discord: [], lark: [], shell: [] } });
  });

  it('an error inside merged values still names its path', () => {
    const problems = problemsOf(SHARED.replace('tier: standard, calendar: office }', 'tier: gold, calendar: office }'));
    expect(problems[0]).toBe('customers[0].tier: unknown tier "gold" (line 36)');
    expect(problems).toContain('customers[8].tier: unknown tier "gold" (line 65)');
  });

  it('an alias bomb is refused with the path and line of the alias, quickly', () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const bomb = `${ISSUE_EXAMPLE}x-laughs:\n  ${levels.join('\n  ')}\n`;
    const started = performance.now();
    const problems = problemsOf(bomb);
    expect(performance.now() - started).toBeLessThan(5_000); // not exponential: stops at the bound
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^x-laughs\.[a-i]\[\d\]: the aliases here expand to more than 100000 values \(an alias bomb\?\); write the values out or share less \(line (2[89]|3[0-3])\)$/);
  });

  it('an anchor that contains an alias to itself is refused the same way', () => {
    expect(problemsOf(`${ISSUE_EXAMPLE}x-loop: &loop [1, *loop]\n`)).toEqual([
      'x-loop[1]: the aliases here expand to more than 100000 values (an alias bomb?); write the values out or share less (line 21)',
    ]);
  });
});

describe('slawatch check-config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function check(text: string): Promise<{ code: number; out: string; err: string }> {
    const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, text);
    let out = '';
    let err = '';
    const code = await main(['node', 'slawatch', 'check-config', file], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err: err.replaceAll(file, 'FILE') };
  }

  it('accepts a good file', async () => {
    const result = await check(ISSUE_EXAMPLE);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/OK — 1 customer, 1 tier, 0 schedules, 0 escalation policies\n$/);
  });

  it('counts in the singular and the plural', async () => {
    const more = `${ISSUE_EXAMPLE.replace('tiers:\n', '  - { id: globex, name: Globex, tier: standard }\ntiers:\n  standard:\n    targets: { default: { firstResponse: 4h } }\n')}schedules:
  primary:
    timezone: UTC
    layers: [{ users: [alice], rotation: { every: 1w, start: "2026-01-05" } }]
escalation:
  policies:
    default: { levels: [{ notify: [schedule:primary] }] }
    urgent: { levels: [{ notify: [person:carol] }] }
`;
    const result = await check(more);
    expect(result.err).toBe('');
    expect(result.out).toMatch(/OK — 2 customers, 2 tiers, 1 schedule, 2 escalation policies\n$/);
  });

  it.each([
    ['unknown tier', ISSUE_EXAMPLE.replace('tier: enterprise', 'tier: gold'), 'customers[0].tier: unknown tier "gold" (line 12)'],
    ['bad duration', ISSUE_EXAMPLE.replace('resolution: 2d', 'resolution: soon'), 'tiers.enterprise.targets.default.resolution: expected a duration'],
    ['missing field', ISSUE_EXAMPLE.replace('    tier: enterprise\n', ''), 'customers[0].tier: missing required field'],
    ['YAML syntax error', ISSUE_EXAMPLE.replace('people: [alice, carol]', 'people: [alice, carol'), 'YAML syntax error'],
  ])('rejects a file with a %s: exit 1, path and line, no stack trace', async (_name, text, expected) => {
    const result = await check(text);
    expect(result.code).toBe(1);
    expect(result.err).toContain(expected);
    expect(result.err).toMatch(/\(line \d+\)/);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('says so when the file does not exist', async () => {
    let err = '';
    const code = await main(['node', 'slawatch', 'check-config', join(dir, 'nope.yaml')], { out: () => undefined, err: (t) => (err += t) });
    expect(code).toBe(1);
    expect(err).toContain('file not found');
  });

  it('writes a JSON Schema that describes the config', async () => {
    const file = join(dir, 'schema.json');
    const code = await main(['node', 'slawatch', 'schema', '--out', file], { out: () => undefined, err: () => undefined });
    expect(code).toBe(0);
    const schema = JSON.parse(await readFile(file, 'utf8')) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['people', 'staff', 'customers', 'tiers', 'calendars', 'schedules', 'escalation']));
    expect(schema.required).toContain('tiers');
  });
});
