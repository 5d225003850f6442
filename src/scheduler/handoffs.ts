/**
 * On-call handoff announcements: recurring work, so node-schedule runs it —
 * one job per announced schedule, armed for that schedule's next change and
 * re-armed after each announcement.
 */
import schedule from 'node-schedule';
import type { Config } from '../config/schema.js';
import { onCallAt } from '../oncall/schedule.js';

export interface HandoffAnnouncer {
  stop(): void;
}

/** Arms an announcement job per schedule in `announcements.handoffs`; `announce` is called with the schedule and the handoff's instant. */
export function startHandoffAnnouncements(config: Config, now: () => number, announce: (scheduleId: string, at: number) => void): HandoffAnnouncer {
  const ids = config.announcements.handoffs?.schedules ?? [];
  const jobs = new Map<string, schedule.Job>();
  let stopped = false;
  const arm = (id: string) => {
    const spec = config.schedules[id];
    const next = spec ? onCallAt(spec, now()).until : null;
    if (stopped || next === null) return;
    const job = schedule.scheduleJob(`handoff:${id}`, new Date(next), () => {
      announce(id, next);
      arm(id);
    });
    if (job) jobs.set(id, job);
  };
  ids.forEach(arm);
  return {
    stop() {
      stopped = true;
      for (const job of jobs.values()) job.cancel();
      jobs.clear();
    },
  };
}
