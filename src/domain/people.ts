/**
 * Who is who: staff versus customers, and the mapping between platform user
 * ids and the people of the config. Adapters look up platform facts (group
 * or role membership, the author's workspace) and hand them in; the rule
 * itself lives here.
 */
import type { Platform } from './ticket.js';

/** What these rules read of the config (people and staff), so the domain does not depend on the config's shape as a whole. */
export interface PeopleConfig {
  people: Readonly<Record<string, { name: string; slack?: string | undefined; discord?: string | undefined; lark?: string | undefined }>>;
  staff: {
    people: readonly string[];
    slackGroups: readonly string[];
    discordRoles: readonly string[];
    /** Treat members of other Slack workspaces as customers when nothing else says. */
    slackTeam?: string | undefined;
    /** Feishu/Lark: members of this tenant are staff; external members of a group are customers. */
    larkTenant?: string | undefined;
  };
}

export interface Author {
  userId: string;
  name?: string;
  /** Bots (including slawatch itself) are neither staff nor customers. */
  isBot?: boolean;
  /** Slack user groups / Discord roles the author is known to belong to. */
  groups?: readonly string[];
  /**
   * The author's organisation: on Slack their workspace (in a Slack Connect
   * channel customers post from their own), on Feishu/Lark their tenant
   * (external members of a group belong to another tenant).
   */
  team?: string;
  /** Slack: a single- or multi-channel guest of the workspace (a restricted account). Never staff. */
  guest?: boolean;
  /** Set by the shell adapter, which names people by their config id. */
  personId?: string;
}

/** The config person whose id on `platform` is `userId`. */
export function personByPlatformId(config: Pick<PeopleConfig, 'people'>, platform: Platform, userId: string): string | undefined {
  if (platform === 'shell') return config.people[userId] ? userId : undefined;
  for (const [id, person] of Object.entries(config.people)) {
    if (person[platform] === userId) return id;
  }
  return undefined;
}

/**
 * Staff = the configured staff people, members of the configured Slack user
 * groups or Discord roles, and — on Slack or Feishu/Lark, where the staff's
 * own workspace or tenant is configured — anyone posting from it. Bots never
 * are, and neither are guests of the workspace, whatever the config lists: a
 * guest sits in a customer's channel and must not see other customers'
 * tickets or change them.
 */
export function isStaff(config: PeopleConfig, platform: Platform, author: Author): boolean {
  if (author.isBot || author.guest) return false;
  const personId = author.personId ?? personByPlatformId(config, platform, author.userId);
  if (personId && config.staff.people.includes(personId)) return true;
  const staffGroups = platform === 'slack' ? config.staff.slackGroups : platform === 'discord' ? config.staff.discordRoles : [];
  if (author.groups?.some((g) => staffGroups.includes(g))) return true;
  if (platform === 'slack' && config.staff.slackTeam && author.team) return author.team === config.staff.slackTeam;
  if (platform === 'lark' && config.staff.larkTenant && author.team) return author.team === config.staff.larkTenant;
  return false;
}

/** The platform user id to mention for a person, if they have one there. */
export function platformIdOf(config: Pick<PeopleConfig, 'people'>, platform: Platform, personId: string): string | undefined {
  if (platform === 'shell') return personId;
  return config.people[personId]?.[platform];
}

export function displayName(config: Pick<PeopleConfig, 'people'>, personId: string): string {
  return config.people[personId]?.name ?? personId;
}
