/**
 * The platform facts the core's staff rule needs, looked up once and kept:
 * who is in the configured staff user groups (usergroups.users.list,
 * refreshed periodically), which workspace a user posts from (learned
 * from their messages; slash commands and reactions do not say), and whether
 * an account is a guest of the workspace (users.info). The rule itself — who
 * counts as staff — stays in src/domain/people.ts.
 */
import { webApi } from '@slack/bolt';
import type { Config } from '../../src/config/schema.js';
import { isStaff, type Author } from '../../src/domain/people.js';
import { describe, type Logger } from '../../src/service/logger.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

const TEAMS_REMEMBERED = 10_000;
const GUESTS_REMEMBERED = 10_000;
/**
 * How long a users.info answer is trusted. A member turned into a guest
 * (or back) counts as one within this long; a person who is staff costs
 * one Web API call per this period, customers none.
 */
const GUEST_CHECK_TTL_MS = 10 * 60_000;

export class StaffDirectory {
  private members = new Map<string, Set<string>>();
  private readonly teams = new Map<string, string>();
  private readonly guests = new Map<string, { guest: boolean; checkedAt: number }>();
  private readonly checking = new Map<string, Promise<boolean>>();
  private readonly warnedListedGuests = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private loaded = false;

  constructor(
    private readonly client: WebClient,
    /** The configured staff user group ids (config.staff.slackGroups). */
    private readonly groups: readonly string[],
    private readonly log: Logger,
    private readonly refreshMs = 5 * 60_000,
  ) {}

  /** Loads the groups' members now and then every `refreshMs`. Never throws: a failed load is logged and retried later. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.groups.length > 0 && this.refreshMs > 0) {
      this.timer = setInterval(() => void this.refresh(), this.refreshMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads every configured group; a group that cannot be read keeps its last known members. */
  async refresh(): Promise<void> {
    const next = new Map(this.members);
    for (const group of this.groups) {
      try {
        const result = await this.client.usergroups.users.list({ usergroup: group });
        next.set(group, new Set(result.users ?? []));
      } catch (err) {
        this.log.warn({ group, err: describe(err) }, 'could not read the staff user group (is the usergroups:read scope granted?)');
      }
    }
    this.members = next;
    this.loaded = true;
  }

  get ready(): boolean {
    return this.loaded;
  }

  /** The configured staff groups `userId` belongs to. */
  groupsOf(userId: string): string[] {
    const found: string[] = [];
    for (const [group, users] of this.members) if (users.has(userId)) found.push(group);
    return found;
  }

  /** Remembers the workspace a user posted from (a message's `user_team`). */
  noteTeam(userId: string, team: string | undefined): void {
    if (!team || this.teams.get(userId) === team) return;
    if (this.teams.size >= TEAMS_REMEMBERED) this.teams.delete(this.teams.keys().next().value as string);
    this.teams.set(userId, team);
  }

  teamOf(userId: string): string | undefined {
    return this.teams.get(userId);
  }

  /**
   * `author`, marked as a guest when their account is one. Only someone the
   * staff rule would otherwise count is looked up (a guest of our workspace
   * posts from it, like staff); customers cost no call. A listed staff member
   * (`staff.people`, a staff user group) who is a guest is logged, once.
   */
  async markGuest(author: Author, config: Pick<Config, 'people' | 'staff'>): Promise<Author> {
    if (!isStaff(config, 'slack', author)) return author;
    if (!(await this.isGuest(author.userId))) return author;
    const listed = isStaff(config, 'slack', { ...author, team: undefined });
    if (listed && !this.warnedListedGuests.has(author.userId)) {
      this.warnedListedGuests.add(author.userId);
      this.log.warn({ user: author.userId }, 'a person listed as staff is a guest of the workspace: guests are never staff');
    }
    return { ...author, guest: true };
  }

  /**
   * Whether the account is a single- or multi-channel guest (users.info:
   * `is_restricted`, `is_ultra_restricted`), kept for GUEST_CHECK_TTL_MS.
   * When Slack cannot say, the last answer stands; with none, the account
   * counts as a guest — nobody becomes staff on a failed lookup.
   */
  async isGuest(userId: string): Promise<boolean> {
    const known = this.guests.get(userId);
    if (known && Date.now() - known.checkedAt < GUEST_CHECK_TTL_MS) return known.guest;
    let pending = this.checking.get(userId);
    if (!pending) {
      pending = this.lookUpGuest(userId, known?.guest).finally(() => this.checking.delete(userId));
      this.checking.set(userId, pending);
    }
    return pending;
  }

  private async lookUpGuest(userId: string, lastKnown: boolean | undefined): Promise<boolean> {
    try {
      const { user } = await this.client.users.info({ user: userId });
      const guest = user?.is_restricted === true || user?.is_ultra_restricted === true;
      this.guests.delete(userId);
      if (this.guests.size >= GUESTS_REMEMBERED) this.guests.delete(this.guests.keys().next().value as string);
      this.guests.set(userId, { guest, checkedAt: Date.now() });
      return guest;
    } catch (err) {
      const missingScope = err instanceof webApi.WebAPIPlatformError && err.data.error === 'missing_scope';
      const why = missingScope ? 'cannot tell whether a person is a guest (grant the users:read scope and reinstall the app)' : 'cannot tell whether a person is a guest';
      const meanwhile = lastKnown === undefined ? 'until Slack answers they do not count as staff' : 'going by the last answer';
      this.log.warn({ user: userId, err: describe(err), ...(lastKnown === undefined ? {} : { lastKnown: lastKnown ? 'guest' : 'member' }) }, `${why}; ${meanwhile}`);
      return lastKnown ?? true;
    }
  }
}
