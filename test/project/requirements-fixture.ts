/**
 * A suite of each kind that needs something from the machine, run by
 * requirements.test.ts in a vitest of its own with parts of the machine
 * hidden (it is not a *.test.ts file, so `npm test` leaves it alone).
 */
import { describe, expect, it } from 'vitest';
import { needChromium, needRedis, needRedisServer, redisAnswers } from '../helpers/requirements.js';

const chromium = needChromium('fixture browser tests');
const redisServer = needRedisServer('fixture redis-server tests');
const redis = await needRedis('fixture Redis tests');

describe.runIf(chromium)('with Chromium', () => {
  it('was given its executable', () => {
    expect(chromium).toBe(process.env.CHROMIUM_PATH);
  });
});

describe.runIf(redisServer)('with redis-server', () => {
  it('was given the executable', () => {
    expect(redisServer).toBe(process.env.REDIS_SERVER);
  });
});

describe.runIf(redis)('with a Redis', () => {
  it('has one that answers, not the one REDIS_URL names', async () => {
    expect(redis).not.toBe(process.env.REDIS_URL);
    expect(await redisAnswers(redis!)).toBe(true);
  });
});
