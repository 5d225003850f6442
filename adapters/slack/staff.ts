/**
 * The platform facts the core's staff rule needs, looked up once and kept:
 * who is in the configured staff user groups (usergroups.users.list,
 * refreshed periodically) and which workspace a user posts from (learned
 * from their messages; slash commands and reactions do not say). The rule
 * itself — who counts as staff — stays in src/domain/people.ts.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from '../../src/service/logger.js';
import { describe } from '../../src/service/bot.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

const TEAMS_REMEMBERED = 10_000;

export class StaffDirectory {
  private members = new Map<string, Set<string>>();
  private readonly teams = new Map<string, string>();
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
}
