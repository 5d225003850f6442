/**
 * The weekly SLA digest, on the cron expression of `digest.cron` in the
 * digest's time zone: recurring work, so node-schedule runs it. It computes
 * the figures; `post` has them composed and delivered.
 */
import schedule from 'node-schedule';
import type { Config } from '../config/schema.js';
import type { Ticket } from '../domain/ticket.js';
import { weeklyFiguresOf, type DigestFigures } from '../report/digest.js';

export interface DigestJob {
  stop(): void;
}

/** Arms the digest job when the config asks for one; `post` delivers the figures. */
export function startWeeklyDigest(
  config: Config,
  tickets: () => AsyncIterable<Ticket>,
  now: () => number,
  post: (figures: DigestFigures) => Promise<void>,
  onError: (err: unknown) => void,
): DigestJob {
  const digest = config.digest;
  if (!digest) return { stop() {} };
  const job = schedule.scheduleJob({ rule: digest.cron, tz: digest.timezone }, () => {
    weeklyFiguresOf(config, tickets(), now(), digest.timezone).then(post).catch(onError);
  });
  return {
    stop() {
      job?.cancel();
    },
  };
}
