/**
 * Who is staff: the people the config lists, members of the staff Slack user
 * groups or Discord roles, and on Slack and Feishu/Lark — where the staff
 * workspace or tenant is configured — anyone posting from it. Never a bot, never a guest of the
 * workspace. And the mapping between platform user ids and the config's people.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { displayName, isStaff, personByPlatformId, platformIdOf, type Author } from '../../src/domain/people.js';

const CONFIG = parseConfig(`
people:
  alice: { name: Alice Chen, slack: U0ALICE, discord: "111", lark: ou_alice }
  bob: { name: Bob, slack: U0BOB }
  carol: { name: Carol, discord: "333" }
  dana: { name: Dana (Acme), slack: U0DANA, lark: ou_dana }
staff:
  people: [alice, bob, carol]
  slackGroups: [S0SUPPORT]
  discordRoles: ["900"]
  slackTeam: T0OURS
  larkTenant: tenant_ours
customers:
  - { id: acme, name: Acme Corp, tier: standard, channels: { slack: [C0ACME], discord: ["500"], shell: [acme] } }
tiers:
  standard:
    targets: { default: { firstResponse: 4h } }
`);

const WITHOUT_TEAM = parseConfig(`
people:
  alice: { name: Alice, slack: U0ALICE }
staff:
  people: [alice]
customers:
  - { id: acme, name: Acme Corp, tier: standard, channels: { slack: [C0ACME] } }
tiers:
  standard:
    targets: { default: { firstResponse: 4h } }
`);

const slack = (author: Author) => isStaff(CONFIG, 'slack', author);
const discord = (author: Author) => isStaff(CONFIG, 'discord', author);

describe('staff on Slack', () => {
  it('the people the config lists, by their Slack id', () => {
    expect(slack({ userId: 'U0ALICE' })).toBe(true);
    expect(slack({ userId: 'U0BOB', team: 'T0ACME' })).toBe(true);
  });

  it('members of a staff user group', () => {
    expect(slack({ userId: 'U0CAROLINE', groups: ['S0OTHER', 'S0SUPPORT'] })).toBe(true);
    expect(slack({ userId: 'U0CAROLINE', groups: ['S0OTHER'], team: 'T0ACME' })).toBe(false);
  });

  it('anyone posting from the staff workspace; someone from another workspace is a customer', () => {
    expect(slack({ userId: 'U0NEWHIRE', team: 'T0OURS' })).toBe(true);
    expect(slack({ userId: 'U0ACMEUSER', team: 'T0ACME' })).toBe(false);
    // Nothing known about the author's workspace: a customer.
    expect(slack({ userId: 'U0ACMEUSER' })).toBe(false);
  });

  it('without a staff workspace configured, only the lists count', () => {
    expect(isStaff(WITHOUT_TEAM, 'slack', { userId: 'U0NEWHIRE', team: 'T0OURS' })).toBe(false);
    expect(isStaff(WITHOUT_TEAM, 'slack', { userId: 'U0ALICE' })).toBe(true);
  });

  it('a person of the config who is not on the staff list is not staff', () => {
    expect(slack({ userId: 'U0DANA', team: 'T0ACME' })).toBe(false);
  });

  it('never a bot, whatever the lists say', () => {
    expect(slack({ userId: 'U0ALICE', isBot: true })).toBe(false);
    expect(slack({ userId: 'B0STATUSBOT', isBot: true, groups: ['S0SUPPORT'], team: 'T0OURS' })).toBe(false);
  });

  it('never a guest of the workspace, even one listed or in the staff group', () => {
    expect(slack({ userId: 'U0ALICE', guest: true })).toBe(false);
    expect(slack({ userId: 'U0GUEST', guest: true, groups: ['S0SUPPORT'], team: 'T0OURS' })).toBe(false);
  });
});

describe('staff on Discord', () => {
  it('the people the config lists, by their Discord id, and holders of a staff role', () => {
    expect(discord({ userId: '111' })).toBe(true);
    expect(discord({ userId: '333' })).toBe(true);
    expect(discord({ userId: '777', groups: ['901', '900'] })).toBe(true);
    expect(discord({ userId: '777', groups: ['901'] })).toBe(false);
  });

  it('each platform\'s lists are its own: a Slack id, user group or workspace means nothing on Discord', () => {
    expect(discord({ userId: 'U0ALICE' })).toBe(false);
    expect(discord({ userId: '777', groups: ['S0SUPPORT'] })).toBe(false);
    expect(discord({ userId: '777', team: 'T0OURS' })).toBe(false);
    expect(slack({ userId: '111' })).toBe(false);
    expect(slack({ userId: 'U0X', groups: ['900'] })).toBe(false);
  });

  it('never a bot', () => {
    expect(discord({ userId: '111', isBot: true })).toBe(false);
    expect(discord({ userId: '888', isBot: true, groups: ['900'] })).toBe(false);
  });
});

describe('staff on Feishu / Lark', () => {
  const lark = (author: Author) => isStaff(CONFIG, 'lark', author);

  it('the people the config lists, by their open id, from whichever tenant', () => {
    expect(lark({ userId: 'ou_alice' })).toBe(true);
    expect(lark({ userId: 'ou_alice', team: 'tenant_acme' })).toBe(true);
    expect(lark({ userId: 'ou_dana', team: 'tenant_acme' })).toBe(false);
  });

  it('members of the staff tenant; external members of a group are customers', () => {
    expect(lark({ userId: 'ou_newhire', team: 'tenant_ours' })).toBe(true);
    expect(lark({ userId: 'ou_acmeuser', team: 'tenant_acme' })).toBe(false);
    expect(lark({ userId: 'ou_acmeuser' })).toBe(false);
    expect(isStaff(WITHOUT_TEAM, 'lark', { userId: 'ou_newhire', team: 'tenant_ours' })).toBe(false);
  });

  it('the Slack workspace means nothing on Lark, nor the Lark tenant on Slack; never a bot', () => {
    expect(lark({ userId: 'ou_x', team: 'T0OURS' })).toBe(false);
    expect(slack({ userId: 'U0X', team: 'tenant_ours' })).toBe(false);
    expect(lark({ userId: 'ou_alice', isBot: true })).toBe(false);
    expect(lark({ userId: 'cli_bot', isBot: true, team: 'tenant_ours' })).toBe(false);
  });
});

describe('staff in the shell', () => {
  it('people are named by their config id', () => {
    expect(isStaff(CONFIG, 'shell', { userId: 'alice' })).toBe(true);
    expect(isStaff(CONFIG, 'shell', { userId: 'dana' })).toBe(false);
    expect(isStaff(CONFIG, 'shell', { userId: 'someone' })).toBe(false);
    expect(isStaff(CONFIG, 'shell', { userId: 'x', personId: 'bob' })).toBe(true);
  });
});

describe('people and their platform ids', () => {
  it('finds the config person of a platform user, and the platform user of a person', () => {
    expect(personByPlatformId(CONFIG, 'slack', 'U0BOB')).toBe('bob');
    expect(personByPlatformId(CONFIG, 'discord', '333')).toBe('carol');
    expect(personByPlatformId(CONFIG, 'discord', 'U0BOB')).toBeUndefined();
    expect(personByPlatformId(CONFIG, 'lark', 'ou_dana')).toBe('dana');
    expect(platformIdOf(CONFIG, 'lark', 'alice')).toBe('ou_alice');
    expect(personByPlatformId(CONFIG, 'shell', 'dana')).toBe('dana');
    expect(personByPlatformId(CONFIG, 'shell', 'nobody')).toBeUndefined();
    expect(platformIdOf(CONFIG, 'slack', 'alice')).toBe('U0ALICE');
    expect(platformIdOf(CONFIG, 'discord', 'bob')).toBeUndefined();
    expect(platformIdOf(CONFIG, 'shell', 'bob')).toBe('bob');
  });

  it('names a person by the config\'s name, else by their id', () => {
    expect(displayName(CONFIG, 'alice')).toBe('Alice Chen');
    expect(displayName(CONFIG, 'zed')).toBe('zed');
  });
});
