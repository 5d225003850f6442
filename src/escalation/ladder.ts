/**
 * The escalation ladder of one clock: warnings at fractions of the target,
 * the breach (level 1) at the deadline, then each further level after the
 * previous level's delay — counted in the breached target's calendar — and
 * the whole ladder again `repeat` times. Pure: time is an argument.
 */
import type { Config, Customer, PolicySpec } from '../config/schema.js';
import { TARGET_PATTERN, type ClockKind } from '../domain/vocabulary.js';
import { onCallAt } from '../oncall/schedule.js';
import type { WorkingCalendar } from '../sla/calendar.js';
import type { Clock } from '../sla/clocks.js';

export type NotificationKind = 'warning' | 'breach' | 'escalation';

export interface LadderStep {
  /** Unique within the ticket: clock, cycle, kind, level (or warning fraction), repeat. */
  key: string;
  kind: NotificationKind;
  clock: ClockKind;
  cycle: number;
  /** 1-based ladder level; null for warnings. */
  level: number | null;
  /** 0 for the first run of the levels, 1.. for repeats. */
  repeat: number;
  /** For warnings: the fraction of the target. */
  fraction?: number;
  /** When the step is due (epoch ms). */
  at: number;
}

export interface Ladder {
  warnAt: number[];
  policy: PolicySpec;
}

/** The policy a ticket climbs when nothing is configured: one level, no warnings targets beyond the staff channel. */
export const BUILT_IN_POLICY: PolicySpec = { warn: [], levels: [{ notify: [], delay: 30 * 60_000 }], repeat: 0 };

export function ladderFor(config: Pick<Config, 'escalation' | 'tiers'>, customer: Pick<Customer, 'policy'> | undefined, tierId: string): Ladder {
  const policyId = customer?.policy ?? config.tiers[tierId]?.policy ?? 'default';
  const policy = config.escalation.policies[policyId] ?? BUILT_IN_POLICY;
  return { warnAt: [...config.escalation.warnAt].sort((a, b) => a - b), policy };
}

export function stepKey(clock: ClockKind, cycle: number, kind: NotificationKind, level: number | null, repeat: number, fraction?: number): string {
  return kind === 'warning' ? `${clock}:${cycle}:warning:${fraction}` : `${clock}:${cycle}:level${level}:${repeat}`;
}

/**
 * Visits every step of a clock's ladder that its current state allows, in
 * order, with its instant: warnings the clock can still reach, the breach,
 * and the levels after it, until `visit` returns true. A stopped clock has
 * none; a paused one has only steps already reached before the pause (and
 * its breach, if it is breached); the levels stop with the clock. (A
 * callback rather than a generator: this runs for every open ticket at every
 * start, and generators cost ten times more.)
 */
export function visitLadderSteps(clock: Clock, ladder: Ladder, visit: (step: LadderStep) => boolean | void): void {
  if (clock.stopped) return;
  const { kind: clockKind, cycle } = clock;
  // An immediate target (0) has nothing to warn about before its deadline: the breach is the first step.
  for (const fraction of clock.target.ms > 0 ? ladder.warnAt : []) {
    const at = clock.locate(Math.round(clock.target.ms * fraction));
    if (at === null) return; // paused before reaching it
    // Steps stay in time order: once breached, a longer target (severity lowered) has no warnings left.
    if (clock.breachedAt !== null && at > clock.breachedAt) break;
    const key = stepKey(clockKind, cycle, 'warning', null, 0, fraction);
    if (visit({ key, kind: 'warning', clock: clockKind, cycle, level: null, repeat: 0, fraction, at })) return;
  }
  const breachAt = clock.breachedAt ?? (clock.running ? clock.dueAt : clock.locate(clock.target.ms));
  if (breachAt === null) return;
  let at = breachAt;
  const { levels, repeat } = ladder.policy;
  for (let r = 0; r <= repeat; r++) {
    for (let i = 0; i < levels.length; i++) {
      const kind: NotificationKind = r === 0 && i === 0 ? 'breach' : 'escalation';
      if (visit({ key: stepKey(clockKind, cycle, kind, i + 1, r), kind, clock: clockKind, cycle, level: i + 1, repeat: r, at })) return;
      // After the breach the ladder climbs only while the clock keeps running; a paused clock
      // still has its breach (a retarget can breach it while paused, and its pings fire now).
      if (!clock.running) return;
      at = clock.calendar.addWorkingTime(at, (levels[i] as PolicySpec['levels'][number]).delay);
    }
  }
}

/** Every step of a clock's ladder (see visitLadderSteps), as a list. */
export function ladderSteps(clock: Clock, ladder: Ladder): LadderStep[] {
  const steps: LadderStep[] = [];
  visitLadderSteps(clock, ladder, (step) => void steps.push(step));
  return steps;
}

export interface Recipients {
  /** Person ids to mention. */
  people: string[];
  /** Slack user groups / Discord role ids to mention. */
  groups: string[];
  /** Extra channels the notification goes to (besides the staff channel). */
  channels: string[];
  /** Outside chat: PagerDuty services, webhooks by name, e-mail recipients (person ids or e-mail groups), as the targets name them. */
  pagerduty: string[];
  webhooks: string[];
  emails: string[];
  /** Schedules that had nobody on call at the step's instant. */
  unstaffed: string[];
  /** The account engineer was off at the step's instant: whoever was on call stood in (`by`, empty if nobody was). */
  standIn?: { for: string; by: string[] };
}

export interface RecipientContext {
  config: Pick<Config, 'schedules' | 'people'>;
  /** The config's calendars by id (a person's `calendar` says when they work). */
  calendars?: ReadonlyMap<string, WorkingCalendar>;
  /** Person id of the ticket's assignee, if claimed. */
  assignee?: string;
  accountEngineer?: string;
}

/**
 * Who a step goes to. Warnings: the assignee if the ticket is claimed, else
 * the account engineer and the policy's warn targets. Every level (each
 * run): the account engineer first, then the level's targets; level 1 also
 * the assignee. `schedule:` targets resolve to whoever is on call at the
 * step's instant. An account engineer who is off then (their calendar is
 * closed, or they are not on call in their schedule) is stood in for by
 * whoever is on call in the policy's schedules (else the config's), and the
 * step says so.
 */
export function recipientsOf(step: LadderStep, ladder: Ladder, ctx: RecipientContext): Recipients {
  const out: Recipients = { people: [], groups: [], channels: [], pagerduty: [], webhooks: [], emails: [], unstaffed: [] };
  const addTo = (list: string[], ref: string) => {
    if (!list.includes(ref)) list.push(ref);
  };
  const addPerson = (id: string | undefined) => {
    if (id && !out.people.includes(id)) out.people.push(id);
  };
  const addEngineer = () => {
    const engineer = ctx.accountEngineer;
    if (!engineer) return;
    const reached = engineerOrStandIn(engineer, step.at, ladder, ctx);
    if (reached.standIn) out.standIn = reached.standIn;
    reached.people.forEach(addPerson);
  };
  let targets: readonly string[];
  if (step.kind === 'warning') {
    if (ctx.assignee) {
      addPerson(ctx.assignee);
      return out;
    }
    addEngineer();
    targets = ladder.policy.warn;
  } else {
    const level = ladder.policy.levels[(step.level ?? 1) - 1];
    if (step.level === 1) addPerson(ctx.assignee);
    addEngineer();
    targets = level?.notify ?? [];
  }
  for (const target of targets) {
    const [, kind, ref] = TARGET_PATTERN.exec(target) ?? [];
    if (!kind || !ref) continue;
    if (kind === 'person') addPerson(ref);
    else if (kind === 'group' && !out.groups.includes(ref)) out.groups.push(ref);
    else if (kind === 'channel' && !out.channels.includes(ref)) out.channels.push(ref);
    else if (kind === 'pagerduty') addTo(out.pagerduty, pagerdutyServiceOf(ref, ctx.config));
    else if (kind === 'webhook') addTo(out.webhooks, ref);
    else if (kind === 'email') addTo(out.emails, ref);
    else if (kind === 'schedule') {
      const schedule = ctx.config.schedules[ref];
      const onCall = schedule ? onCallAt(schedule, step.at).onCall : [];
      if (onCall.length === 0) out.unstaffed.push(ref);
      onCall.forEach(addPerson);
    }
  }
  return out;
}

/** The PagerDuty service a `pagerduty:` target names: a service by id, or a person by id who names their service. */
export function pagerdutyServiceOf(ref: string, config: Pick<Config, 'people'>): string {
  return config.people[ref]?.pagerduty ?? ref;
}

/**
 * Who hears for an account engineer at `at`: the engineer, or — when they
 * are off then — whoever is on call in the policy's schedules (else the
 * config's), with `standIn` saying so (`by` empty when nobody is on call).
 */
export function engineerOrStandIn(
  engineer: string,
  at: number,
  ladder: Ladder,
  ctx: Pick<RecipientContext, 'config' | 'calendars'>,
): { people: string[]; standIn?: { for: string; by: string[] } } {
  if (!isOff(engineer, at, ctx)) return { people: [engineer] };
  const by = standInFor(at, ladder, ctx);
  return { people: by, standIn: { for: engineer, by } };
}

/** Whether a person is off at `at`: outside their calendar's hours, or not on call in their schedule. Without either, never. */
export function isOff(personId: string, at: number, ctx: Pick<RecipientContext, 'config' | 'calendars'>): boolean {
  const person = ctx.config.people[personId];
  if (!person) return false;
  const calendar = person.calendar ? ctx.calendars?.get(person.calendar) : undefined;
  if (calendar && !calendar.isOpen(at)) return true;
  const schedule = person.schedule ? ctx.config.schedules[person.schedule] : undefined;
  return schedule !== undefined && !onCallAt(schedule, at).onCall.includes(personId);
}

/** Who is on call at `at` in the first of the policy's schedules (then the config's) that has anybody on call. */
function standInFor(at: number, ladder: Ladder, ctx: Pick<RecipientContext, 'config'>): string[] {
  const policySchedules = [...ladder.policy.levels.flatMap((l) => l.notify), ...ladder.policy.warn]
    .map((t) => TARGET_PATTERN.exec(t))
    .filter((m): m is RegExpExecArray => m?.[1] === 'schedule')
    .map((m) => m[2] as string);
  for (const id of new Set([...policySchedules, ...Object.keys(ctx.config.schedules)])) {
    const schedule = ctx.config.schedules[id];
    const onCall = schedule ? onCallAt(schedule, at).onCall : [];
    if (onCall.length) return onCall;
  }
  return [];
}
