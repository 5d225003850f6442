/**
 * On-call handoff announcements: recurring work, so node-schedule runs it —
 * one job per announced schedule, armed for that schedule's next change and
 * re-armed after each announcement.
 */
import schedule from 'node-schedule';
import type { Config } from '../config/schema.js';
import { displayName } from '../domain/people.js';
import { onCallAt } from '../oncall/schedule.js';
import { formatInstant } from '../service/cards.js';
import type { Card } from '../service/messages.js';

export interface HandoffAnnouncer {
  stop(): void;
}

/** The announcement for a schedule's handoff at `at`. */
export function handoffCard(config: Config, scheduleId: string, at: number): Card {
  const spec = config.schedules[scheduleId];
  if (!spec) throw new Error(`unknown schedule "${scheduleId}"`);
  const now = onCallAt(spec, at);
  const before = onCallAt(spec, at - 1).onCall;
  const names = (ids: string[]) => (ids.length ? ids.map((id) => displayName(config, id)).join(', ') : 'nobody');
  return {
    tone: now.onCall.length ? 'info' : 'warning',
    title: `On call for ${spec.name ?? scheduleId}: ${names(now.onCall)}`,
    fields: [
      { label: 'Taking over from', value: names(before) },
      { label: 'Until', value: now.until === null ? 'no change scheduled' : formatInstant(now.until, spec.timezone) },
    ],
    mentions: { people: now.onCall, groups: [] },
  };
}

/** Arms an announcement job per schedule in `announcements.handoffs`; `post` sends the card. */
export function startHandoffAnnouncements(config: Config, now: () => number, post: (card: Card) => void): HandoffAnnouncer {
  const ids = config.announcements.handoffs?.schedules ?? [];
  const jobs = new Map<string, schedule.Job>();
  let stopped = false;
  const arm = (id: string) => {
    const spec = config.schedules[id];
    const next = spec ? onCallAt(spec, now()).until : null;
    if (stopped || next === null) return;
    const job = schedule.scheduleJob(`handoff:${id}`, new Date(next), () => {
      post(handoffCard(config, id, next));
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
