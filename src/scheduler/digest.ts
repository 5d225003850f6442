/**
 * The weekly SLA digest, on the cron expression of `digest.cron` in the
 * digest's time zone: recurring work, so node-schedule runs it.
 */
import schedule from 'node-schedule';
import type { Config } from '../config/schema.js';
import type { Ticket } from '../domain/ticket.js';
import { weeklyDigestOf } from '../report/digest.js';
import type { Card } from '../service/messages.js';

export interface DigestJob {
  stop(): void;
}

/** Arms the digest job when the config asks for one; `post` sends the card. */
export function startWeeklyDigest(
  config: Config,
  tickets: () => AsyncIterable<Ticket>,
  now: () => number,
  post: (card: Card) => Promise<void>,
  onError: (err: unknown) => void,
): DigestJob {
  const digest = config.digest;
  if (!digest) return { stop() {} };
  const job = schedule.scheduleJob({ rule: digest.cron, tz: digest.timezone }, () => {
    weeklyDigestOf(config, tickets(), now(), digest.timezone).then(post).catch(onError);
  });
  return {
    stop() {
      job?.cancel();
    },
  };
}
