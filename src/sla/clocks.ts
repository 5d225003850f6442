/**
 * The SLA clocks of one ticket, as a state machine fed with the ticket's
 * events in order. Pure: every instant is an argument.
 *
 *   first response  starts at open; stops at the first staff reply (or when the
 *                   ticket is resolved/closed); never pauses.
 *   next response   after a staff reply, a customer message starts a cycle if
 *                   none is running; the next staff reply stops it. Paused while
 *                   waiting on the customer; a customer message resumes it.
 *   resolution      runs from open to resolved, minus time waiting on the
 *                   customer and time resolved; a reopen resumes it.
 *
 * A clock's deadline is where its consumed working time reaches the target,
 * in the target's calendar. A severity or tier change swaps the target and
 * recomputes the deadline from the original start (through every segment the
 * clock ran). A breach is recorded once, at the deadline, and stays.
 */
import type { ClockKind } from '../domain/vocabulary.js';
import { nextState, type TicketEvent, type TicketState } from '../domain/ticket.js';
import type { WorkingCalendar } from './calendar.js';
import type { ClockTarget, TicketTargets } from './targets.js';

export type ClockStatus = 'running' | 'paused' | 'met' | 'breached';

/** One stretch of time during which a clock ran. `end` is null while it runs. */
export interface Segment {
  start: number;
  end: number | null;
}

export class Clock {
  readonly segments: Segment[] = [];
  stoppedAt: number | null = null;
  breachedAt: number | null = null;
  /** Working ms consumed by the closed segments (cached sum). */
  private closedWork = 0;
  /** Deadline while running (null while paused or stopped); kept for stopped clocks as the deadline that applied. */
  dueAt: number | null = null;

  constructor(
    readonly kind: ClockKind,
    readonly cycle: number,
    readonly startedAt: number,
    public target: ClockTarget,
  ) {
    this.segments.push({ start: startedAt, end: null });
    this.dueAt = this.locate(target.ms);
  }

  get calendar(): WorkingCalendar {
    return this.target.calendar;
  }

  get running(): boolean {
    return this.stoppedAt === null && this.currentSegment !== undefined;
  }

  get paused(): boolean {
    return this.stoppedAt === null && this.currentSegment === undefined;
  }

  get stopped(): boolean {
    return this.stoppedAt !== null;
  }

  private get currentSegment(): Segment | undefined {
    const last = this.segments[this.segments.length - 1];
    return last && last.end === null ? last : undefined;
  }

  /** Working time consumed up to `at` (at must not precede the last segment's start). */
  consumedAt(at: number): number {
    const open = this.currentSegment;
    return open ? this.closedWork + this.calendar.workingTimeBetween(open.start, Math.max(at, open.start)) : this.closedWork;
  }

  /**
   * The instant at which the clock's consumed working time reaches `workMs`,
   * walking through its segments; null if that lies in the future of a paused
   * or stopped clock. A segment that ends exactly where `workMs` is reached
   * (paused at that instant) has not reached it, as a stop exactly at the
   * deadline is on time; the clock reaches it when it resumes.
   */
  locate(workMs: number): number | null {
    let acc = 0;
    for (const segment of this.segments) {
      if (segment.end === null) return this.calendar.addWorkingTime(segment.start, workMs - acc);
      const work = this.calendar.workingTimeBetween(segment.start, segment.end);
      if (acc + work >= workMs) {
        const at = this.calendar.addWorkingTime(segment.start, workMs - acc);
        if (at < segment.end) return at;
      }
      acc += work;
    }
    return null;
  }

  pause(at: number): void {
    const open = this.currentSegment;
    if (!open || this.stopped) return;
    open.end = Math.max(at, open.start);
    this.closedWork += this.calendar.workingTimeBetween(open.start, open.end);
    if (this.breachedAt === null) this.dueAt = null;
  }

  resume(at: number): void {
    if (this.stopped || this.currentSegment) return;
    this.segments.push({ start: at, end: null });
    if (this.breachedAt === null) this.dueAt = this.locate(this.target.ms);
  }

  stop(at: number): void {
    if (this.stopped) return;
    // A stopped clock keeps showing the deadline it was held to (null if it was paused).
    const due = this.dueAt;
    this.pause(at);
    this.stoppedAt = at;
    this.dueAt = due;
  }

  /** Undoes a stop (a reopen resumes the resolution clock). */
  restart(at: number): void {
    if (!this.stopped) return;
    this.stoppedAt = null;
    this.resume(at);
  }

  retarget(target: ClockTarget): void {
    this.target = target;
    // Closed-segment work depends on the calendar, which a retarget may change.
    this.closedWork = this.segments
      .filter((s) => s.end !== null)
      .reduce((sum, s) => sum + target.calendar.workingTimeBetween(s.start, s.end as number), 0);
    if (this.breachedAt !== null || this.stopped) return;
    this.dueAt = this.currentSegment ? this.locate(target.ms) : null;
  }

  /**
   * Records the breach if the deadline passed before `at` (strictly: a stop
   * exactly at the deadline is on time) — or at `at` too when `inclusive`.
   */
  checkBreach(at: number, inclusive: boolean): void {
    if (this.breachedAt !== null || this.stopped) return;
    // A paused clock can only be past its deadline after a retarget shortened it.
    const deadline = this.running ? this.dueAt : this.locate(this.target.ms);
    if (deadline === null) return;
    if (inclusive ? deadline <= at : deadline < at) {
      this.breachedAt = deadline;
      this.dueAt = deadline;
    }
  }

  status(): ClockStatus {
    if (this.breachedAt !== null) return 'breached';
    if (this.stopped) return 'met';
    return this.paused ? 'paused' : 'running';
  }

  /** Working time left at `at` (ms), or null once met or breached. */
  remainingAt(at: number): number | null {
    const status = this.status();
    if (status === 'met' || status === 'breached') return null;
    return Math.max(0, this.target.ms - this.consumedAt(at));
  }
}

export interface ClockSetState {
  state: TicketState;
  staffReplied: boolean;
}

/**
 * The clocks of one ticket. Feed events in order with `apply`; before each
 * event at t call `advance(t)` so breaches before t are recorded at their
 * deadlines; finally `advance(at, true)` for the instant you ask about.
 */
export class TicketClocks {
  firstResponse: Clock | null = null;
  resolution: Clock | null = null;
  /** Every next-response cycle, oldest first. */
  readonly nextResponses: Clock[] = [];
  /** Breached clocks a retarget dropped (the new targets have none for them): their breach stays on record. */
  readonly retired: Clock[] = [];
  state: TicketState = 'open';
  staffReplied = false;
  /** After a reopen the next customer message starts a next-response cycle even without a staff reply. */
  private nextResponseArmed = false;

  constructor(private targets: TicketTargets) {}

  get nextResponse(): Clock | null {
    return this.nextResponses[this.nextResponses.length - 1] ?? null;
  }

  /** Clocks that may still produce a deadline (not stopped). */
  live(): Clock[] {
    const out: Clock[] = [];
    for (const clock of [this.firstResponse, this.resolution, this.nextResponse]) if (clock && !clock.stopped) out.push(clock);
    return out;
  }

  all(): Clock[] {
    return [this.firstResponse, this.nextResponse, this.resolution].filter((c): c is Clock => c !== null);
  }

  advance(at: number, inclusive = false): void {
    for (const clock of this.live()) clock.checkBreach(at, inclusive);
  }

  /** One event of the log. The state comes from the domain's transition table; an event it refuses changes nothing. */
  apply(event: TicketEvent, targetsAfter?: TicketTargets): void {
    const t = event.at;
    if (event.type === 'opened') {
      this.state = 'open';
      if (this.targets.firstResponse) this.firstResponse = new Clock('firstResponse', 1, t, this.targets.firstResponse);
      if (this.targets.resolution) this.resolution = new Clock('resolution', 1, t, this.targets.resolution);
      return;
    }
    const transition = nextState(this.state, event.type);
    if (!transition.allowed) return;
    const before = this.state;
    this.state = transition.state;
    switch (event.type) {
      case 'customer_message': {
        if (before === 'resolved' || before === 'closed') break;
        if (before === 'waiting_on_customer') {
          this.resolution?.resume(t);
          this.nextResponse?.resume(t);
        }
        const cycleOpen = this.nextResponse !== null && !this.nextResponse.stopped;
        if (!cycleOpen && (this.staffReplied || this.nextResponseArmed) && this.targets.nextResponse) {
          this.nextResponses.push(new Clock('nextResponse', this.nextResponses.length + 1, t, this.targets.nextResponse));
          this.nextResponseArmed = false;
        }
        break;
      }
      case 'staff_reply': {
        this.staffReplied = true;
        this.firstResponse?.stop(t);
        this.nextResponse?.stop(t);
        break;
      }
      case 'waiting_on_customer': {
        this.resolution?.pause(t);
        this.nextResponse?.pause(t);
        break;
      }
      case 'resolved':
      case 'closed': {
        this.firstResponse?.stop(t);
        this.nextResponse?.stop(t);
        this.resolution?.stop(t);
        break;
      }
      case 'reopened': {
        if (this.resolution && this.targets.resolution) this.resolution.retarget(this.targets.resolution);
        this.resolution?.restart(t);
        this.nextResponseArmed = true;
        break;
      }
      case 'severity_changed':
      case 'tier_changed': {
        if (targetsAfter) this.retarget(targetsAfter, t);
        break;
      }
      case 'claimed':
      case 'message_edited':
      case 'message_deleted':
      case 'rated':
        break;
    }
  }

  /** New targets from `at` on: deadlines recomputed from the original starts; one already past is breached at that deadline. */
  private retarget(targets: TicketTargets, at: number): void {
    this.targets = targets;
    const swap = (clock: Clock | null, target: ClockTarget | undefined): Clock | null => {
      if (!clock) return null;
      if (!target) {
        if (clock.stopped) return clock;
        if (clock.breachedAt !== null) this.retired.push(clock);
        return null;
      }
      clock.retarget(target);
      clock.checkBreach(at, false);
      return clock;
    };
    this.firstResponse = swap(this.firstResponse, targets.firstResponse);
    this.resolution = swap(this.resolution, targets.resolution);
    const nr = this.nextResponse;
    if (nr && !swap(nr, targets.nextResponse)) this.nextResponses.pop();
  }
}
