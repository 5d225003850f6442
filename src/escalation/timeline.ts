/**
 * One ticket's life replayed: its events drive the SLA clocks, and the
 * ladders of those clocks fire in time order between the events. This is
 * what `slawatch replay` prints and what the bot's scheduler acts on.
 */
import type { Config, Customer } from '../config/schema.js';
import type { ClockKind, Severity } from '../domain/vocabulary.js';
import { nextState, type Actor, type TicketEvent, type TicketState } from '../domain/ticket.js';
import type { WorkingCalendar } from '../sla/calendar.js';
import { type Clock, TicketClocks } from '../sla/clocks.js';
import { resolveTargets, type TicketTargets } from '../sla/targets.js';
import { customerLoopFor, followUpsOf, supportHoursNoteFor, type CustomerLoop, type FollowUp, type LoopPosition, type SupportHoursNote } from './follow-ups.js';
import { ladderFor, recipientsOf, visitLadderSteps, type Ladder, type LadderStep, type Recipients } from './ladder.js';

export interface PolicyContext {
  config: Config;
  calendars: ReadonlyMap<string, WorkingCalendar>;
}

export interface Notification extends LadderStep {
  /** The deadline of the clock the step belongs to. */
  dueAt: number;
  to: Recipients;
  /** Set when earlier steps of the same clock were folded into this one (they came due all at once). */
  supersedes?: string[];
}

/** A follow-up (escalation/follow-ups.ts) that came due in a replay. */
export type FiredFollowUp = FollowUp;

export interface Timeline {
  state: TicketState;
  tier: string;
  severity: Severity;
  customer: Customer | undefined;
  assignee?: Actor;
  clocks: TicketClocks;
  ladder: Ladder;
  /** Steps fired at or before the instant asked about, in order (replay only). */
  fired: Notification[];
  /** The first step after the instant asked about (replay only). */
  next: Notification | null;
  /** What slawatch does on the customer's side: the settings, and where the ticket is in that loop. */
  loop: CustomerLoop;
  position: LoopPosition | undefined;
  /** Follow-ups that came due at or before the instant asked about, in order (replay only). */
  followUps: FiredFollowUp[];
  /** The first follow-up after the instant asked about (replay only). */
  nextFollowUp: FollowUp | null;
  /** The note the acknowledgement carries when the ticket opened while support was closed. */
  supportHours?: SupportHoursNote;
}

/** The person id of an actor: staff have one; others are named by platform id. */
export function actorId(actor: Actor | undefined): string | undefined {
  return actor ? (actor.personId ?? `${actor.platform}:${actor.userId}`) : undefined;
}

function customerOf(config: Config, id: string): Customer | undefined {
  return config.customers.find((c) => c.id === id);
}

/**
 * Replays `events` up to `at` (inclusive). With `fire`, the ladders fire on
 * time between events, as a bot that never went down would have done.
 * Without it, only the clocks are advanced (the bot keeps its own record of
 * what it sent).
 */
export function replayTimeline(events: readonly TicketEvent[], ctx: PolicyContext, at: number, fire = true): Timeline {
  const opened = events[0];
  if (!opened || opened.type !== 'opened') throw new Error('a ticket log starts with an "opened" event');
  const customer = customerOf(ctx.config, opened.customer);
  let tier = opened.tier;
  let severity = opened.severity;
  const targetsOf = (): TicketTargets => resolveTargets(ctx, customer, tier, severity);
  const clocks = new TicketClocks(targetsOf());
  const timeline: Timeline = {
    state: 'open',
    tier,
    severity,
    customer,
    clocks,
    ladder: ladderFor(ctx.config, customer, tier),
    fired: [],
    next: null,
    loop: customerLoopFor(ctx, customer, tier),
    position: undefined,
    followUps: [],
    nextFollowUp: null,
  };
  const done = new Set<string>();
  // Follow-ups the bot already carried out are in the log as its own events: never synthesised again.
  const carriedOut = new Set(events.flatMap((e) => ((e.type === 'resolved' || e.type === 'closed') && e.auto ? [e.auto] : [])));
  let waits = 0;
  let resolves = 0;
  /** The current resolve was a follow-up this replay stood in for: a customer's reply reopens it, as the desk would. */
  let resolvedHere = false;

  const earliestUnfired = () => {
    let earliest: { step: LadderStep; clock: Clock } | undefined;
    for (const clock of clocks.live()) {
      const step = firstUnfired(clock, timeline.ladder, done);
      if (step && (!earliest || step.at < earliest.step.at)) earliest = { step, clock };
    }
    return earliest;
  };
  const pendingFollowUp = (): FollowUp | undefined =>
    timeline.position ? followUpsOf(timeline.loop, timeline.position).find((f) => !done.has(f.key) && !carriedOut.has(f.key)) : undefined;

  /** One event of the log (or one slawatch stands in for) into the clocks, the ladder and the loop. */
  const apply = (event: TicketEvent, synthetic: boolean) => {
    clocks.advance(event.at);
    // An event the state machine refuses here changes nothing, in the clocks and in what the timeline tracks.
    if (event.type !== 'opened' && !nextState(clocks.state, event.type).allowed) return;
    const before = clocks.state;
    let retargeted = false;
    if (event.type === 'severity_changed' && event.severity !== severity) {
      severity = event.severity;
      retargeted = true;
    }
    if (event.type === 'tier_changed' && event.tier !== tier) {
      tier = event.tier;
      timeline.ladder = ladderFor(ctx.config, customer, tier);
      timeline.loop = customerLoopFor(ctx, customer, tier);
      retargeted = true;
    }
    clocks.apply(event, retargeted ? targetsOf() : undefined);
    if (event.type === 'claimed') timeline.assignee = event.by;
    const firstResponse = clocks.firstResponse;
    if (event.type === 'opened' && timeline.loop.supportHoursNote && firstResponse && firstResponse.dueAt !== null) {
      const note = supportHoursNoteFor(firstResponse.calendar, event.at, firstResponse.dueAt);
      if (note) timeline.supportHours = note;
    }
    const after = clocks.state;
    if (after !== before) {
      if (after === 'waiting_on_customer') timeline.position = { state: after, since: event.at, period: ++waits };
      else if (after === 'resolved') {
        timeline.position = { state: after, since: event.at, period: ++resolves };
        resolvedHere = synthetic;
      } else timeline.position = undefined;
    }
    if (fire) {
      // Steps the event put in the past fire now, once: the most advanced one per clock. A
      // retarget does this (new deadlines); so does a resume or reopen of a breached clock
      // (the levels that came due while its ladder was stopped).
      for (const clock of clocks.live()) {
        const overdue = dueSteps(clock, timeline.ladder, done, event.at, false);
        const folded = foldOverdue(overdue, event.at);
        if (!folded) continue;
        overdue.forEach((s) => done.add(s.key));
        timeline.fired.push({ ...toNotification(folded, clock, timeline, ctx), supersedes: folded.supersedes });
      }
    }
  };

  /** Fires every ladder step and follow-up due before `limit` (or at it, when `inclusive`), in time order. */
  const fireUntil = (limit: number, inclusive: boolean) => {
    for (;;) {
      const step = earliestUnfired();
      const followUp = pendingFollowUp();
      const first = step && (!followUp || step.step.at <= followUp.at) ? step.step.at : followUp?.at;
      if (first === undefined || (inclusive ? first > limit : first >= limit)) return;
      if (step && step.step.at === first) {
        clocks.advance(step.step.at, true);
        done.add(step.step.key);
        timeline.fired.push(toNotification(step.step, step.clock, timeline, ctx));
      } else if (followUp) {
        done.add(followUp.key);
        timeline.followUps.push(followUp);
        if (followUp.kind === 'auto_resolve') apply({ type: 'resolved', at: followUp.at, auto: followUp.key }, true);
        if (followUp.kind === 'auto_close') apply({ type: 'closed', at: followUp.at, auto: followUp.key }, true);
      }
    }
  };

  for (const event of events) {
    if (event.at > at) break;
    if (fire) fireUntil(event.at, false);
    // A customer's reply to a ticket slawatch resolved on its own reopens it within the reopen window, as the desk does.
    const position = timeline.position;
    if (fire && resolvedHere && event.type === 'customer_message' && position?.state === 'resolved' && event.at - position.since <= timeline.loop.reopenWindowMs) {
      apply({ type: 'reopened', at: event.at, ...(event.by ? { by: event.by } : {}) }, true);
    }
    apply(event, false);
  }
  if (fire) fireUntil(at, true);
  clocks.advance(at, true);
  if (fire) {
    const next = earliestUnfired();
    timeline.next = next ? toNotification(next.step, next.clock, timeline, ctx) : null;
    timeline.nextFollowUp = pendingFollowUp() ?? null;
  }
  timeline.state = clocks.state;
  timeline.tier = tier;
  timeline.severity = severity;
  return timeline;
}

export function firstUnfired(clock: Clock, ladder: Ladder, done: ReadonlySet<string> | ((key: string) => boolean)): LadderStep | undefined {
  const isDone = typeof done === 'function' ? done : (key: string) => done.has(key);
  let first: LadderStep | undefined;
  visitLadderSteps(clock, ladder, (step) => {
    if (isDone(step.key)) return false;
    first = step;
    return true;
  });
  return first;
}

/** Unfired steps of one clock due before `now` (or at it, when `inclusive`), in order. */
export function dueSteps(
  clock: Clock,
  ladder: Ladder,
  done: ReadonlySet<string> | ((key: string) => boolean),
  now: number,
  inclusive: boolean,
): LadderStep[] {
  const isDone = typeof done === 'function' ? done : (key: string) => done.has(key);
  const out: LadderStep[] = [];
  visitLadderSteps(clock, ladder, (step) => {
    if (inclusive ? step.at > now : step.at >= now) return true;
    if (!isDone(step.key)) out.push(step);
    return false;
  });
  return out;
}

/**
 * Several steps of one clock came due at once (the bot was down, or a
 * severity change moved the deadline into the past): only the most advanced
 * fires, now; the others are recorded as superseded.
 */
export function foldOverdue(steps: readonly LadderStep[], now: number): (LadderStep & { supersedes: string[] }) | undefined {
  const last = steps[steps.length - 1];
  if (!last) return undefined;
  return { ...last, at: Math.max(last.at, now), supersedes: steps.slice(0, -1).map((s) => s.key) };
}

export function toNotification(step: LadderStep, clock: Clock, timeline: Pick<Timeline, 'ladder' | 'assignee' | 'customer'>, ctx: PolicyContext): Notification {
  const to = recipientsOf(step, timeline.ladder, {
    config: ctx.config,
    calendars: ctx.calendars,
    assignee: actorId(timeline.assignee),
    accountEngineer: timeline.customer?.accountEngineer,
  });
  return { ...step, dueAt: clock.breachedAt ?? clock.dueAt ?? step.at, to };
}

export function clockOf(clocks: TicketClocks, kind: ClockKind): Clock | null {
  return kind === 'firstResponse' ? clocks.firstResponse : kind === 'resolution' ? clocks.resolution : clocks.nextResponse;
}
