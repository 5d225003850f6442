/**
 * What some suites need from the machine besides Node: Chromium (the queue
 * page's browser test), a redis-server binary (suites that start, kill and
 * pause a Redis of their own) and a Redis to talk to (REDIS_URL, else the
 * machine's on 127.0.0.1:6379; with no Redis there but a redis-server
 * binary, one is started for the test file). A suite asks at the top of its
 * file and runs its describe blocks only with an answer; when something is
 * missing it is skipped, with one line saying what to install. Under
 * SLAWATCH_TEST_REQUIRE_ALL=1 (.ci/run sets it) that line fails the file
 * instead, so CI runs everything.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll } from 'vitest';
import { redactSecrets } from '../../src/observability/redact.js';
import { DEFAULT_REDIS_URL } from '../../src/store/redis.js';
import { RedisServer } from '../../testkit/replicas.js';

export const REQUIRE_ALL = 'SLAWATCH_TEST_REQUIRE_ALL';

type Env = NodeJS.ProcessEnv;

/** A missing requirement while SLAWATCH_TEST_REQUIRE_ALL=1. */
export class RequirementMissing extends Error {
  override name = 'RequirementMissing';

  constructor(readonly line: string) {
    super(`${line} — ${REQUIRE_ALL}=1 makes this a failure`);
  }
}

/**
 * The decision for every suite: with `found` it runs; without, it is
 * skipped and `line` is printed once — or, under SLAWATCH_TEST_REQUIRE_ALL=1,
 * it fails with that line.
 */
export function settle<T>(found: T | undefined, line: string, env: Env = process.env, print: (text: string) => void = (text) => process.stderr.write(`${text}\n`)): T | undefined {
  if (found !== undefined) return found;
  if (env[REQUIRE_ALL] === '1') throw new RequirementMissing(line);
  print(line);
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, env: Env): string | undefined {
  return (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);
}

/** CHROMIUM_PATH if set (and only it), else /usr/bin/chromium, else chromium or chromium-browser on PATH. */
export function findChromium(env: Env = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return isExecutable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  return ['/usr/bin/chromium'].find(isExecutable) ?? onPath('chromium', env) ?? onPath('chromium-browser', env);
}

/** REDIS_SERVER if set (and only it), else redis-server on PATH. */
export function findRedisServer(env: Env = process.env): string | undefined {
  if (env.REDIS_SERVER) return isExecutable(env.REDIS_SERVER) ? env.REDIS_SERVER : undefined;
  return onPath('redis-server', env);
}

/** Whether a Redis answers PING at `url` within `timeoutMs` (NOAUTH counts: the suites connect with the URL's password). */
export function redisAnswers(url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (reply) => done(/^(\+PONG|-NOAUTH)/.test(reply.toString())));
  });
}

export function needChromium(suite: string, env: Env = process.env): string | undefined {
  return settle(findChromium(env), `${suite} skipped: Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)`, env);
}

export function needRedisServer(suite: string, env: Env = process.env): string | undefined {
  return settle(findRedisServer(env), `${suite} skipped: redis-server not found (apt-get install redis-server, or set REDIS_SERVER)`, env);
}

/**
 * The URL of a Redis for this test file: REDIS_URL's (default the machine's
 * on 127.0.0.1:6379) if it answers, else a redis-server started for the
 * file and stopped after it. Call it at the top of the file.
 */
export async function needRedis(suite: string, env: Env = process.env): Promise<string | undefined> {
  const url = env.REDIS_URL || DEFAULT_REDIS_URL;
  if (await redisAnswers(url)) return url;
  const binary = findRedisServer(env);
  if (binary === undefined) {
    return settle(undefined, `${suite} skipped: no Redis answers at ${redactSecrets(url)} and redis-server not found (apt-get install redis-server, or set REDIS_URL)`, env);
  }
  const dir = await mkdtemp(join(tmpdir(), 'slawatch-test-redis-'));
  const server = await RedisServer.start({ binary, dir });
  afterAll(async () => {
    await server.kill();
    await rm(dir, { recursive: true, force: true });
  });
  return server.url;
}
