/**
 * `npm test` on a machine with Node alone: suites that need Chromium, a
 * redis-server binary or a Redis are skipped with one line each naming what
 * to install, and fail with that line under SLAWATCH_TEST_REQUIRE_ALL=1.
 * The finders are checked on folders of fake executables; the whole
 * decision by running requirements-fixture.ts in a vitest of its own with
 * PATH holding node only, CHROMIUM_PATH pointing at nothing and REDIS_URL
 * at a port where nothing listens.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/replicas.js';
import { findChromium, findRedisServer, needRedisServer, redisAnswers, RequirementMissing, settle } from '../helpers/requirements.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NO_CHROMIUM = 'fixture browser tests skipped: Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)';
const NO_REDIS_SERVER = 'fixture redis-server tests skipped: redis-server not found (apt-get install redis-server, or set REDIS_SERVER)';
const noRedis = (url: string) => `fixture Redis tests skipped: no Redis answers at ${url} and redis-server not found (apt-get install redis-server, or set REDIS_URL)`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slawatch-requirements-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A folder holding the given executables (shell scripts that do nothing) and plain files. */
async function folder(name: string, executables: string[], plainFiles: string[] = []): Promise<string> {
  const path = join(dir, name);
  await mkdir(path);
  for (const file of executables) {
    await writeFile(join(path, file), '#!/bin/sh\nexit 0\n');
    await chmod(join(path, file), 0o755);
  }
  for (const file of plainFiles) await writeFile(join(path, file), 'not a program\n');
  return path;
}

describe('the decision', () => {
  it('runs the suite with what was found, printing nothing', () => {
    const printed: string[] = [];
    expect(settle('/usr/bin/x', 'x tests skipped: x not found', {}, (line) => printed.push(line))).toBe('/usr/bin/x');
    expect(settle('/usr/bin/x', 'x tests skipped: x not found', { SLAWATCH_TEST_REQUIRE_ALL: '1' }, (line) => printed.push(line))).toBe('/usr/bin/x');
    expect(printed).toEqual([]);
  });

  it('skips without it, printing the line once; under SLAWATCH_TEST_REQUIRE_ALL=1 fails with that line', () => {
    const printed: string[] = [];
    const line = 'x tests skipped: x not found (apt-get install x)';
    expect(settle(undefined, line, {}, (text) => printed.push(text))).toBeUndefined();
    expect(settle(undefined, line, { SLAWATCH_TEST_REQUIRE_ALL: '0' }, (text) => printed.push(text))).toBeUndefined();
    expect(printed).toEqual([line, line]);

    const failing = () => settle(undefined, line, { SLAWATCH_TEST_REQUIRE_ALL: '1' }, (text) => printed.push(text));
    expect(failing).toThrow(RequirementMissing);
    expect(failing).toThrow(line);
    expect(printed).toHaveLength(2);
  });
});

describe('finding the programs', () => {
  it('finds redis-server on PATH, only as an executable file; REDIS_SERVER, when set, decides alone', async () => {
    const empty = await folder('empty', []);
    const fake = await folder('fake', ['redis-server']);
    const plain = await folder('plain', [], ['redis-server']);
    expect(findRedisServer({ PATH: [empty, fake].join(':') })).toBe(join(fake, 'redis-server'));
    expect(findRedisServer({ PATH: [plain, empty].join(':') })).toBeUndefined();
    expect(findRedisServer({ PATH: '' })).toBeUndefined();
    expect(findRedisServer({})).toBeUndefined();
    expect(findRedisServer({ PATH: fake, REDIS_SERVER: '/nonexistent/redis-server' })).toBeUndefined();
    expect(findRedisServer({ PATH: empty, REDIS_SERVER: join(fake, 'redis-server') })).toBe(join(fake, 'redis-server'));
  });

  it('takes Chromium from CHROMIUM_PATH alone when it is set', async () => {
    const fake = await folder('chromium', ['chromium']);
    expect(findChromium({ PATH: fake, CHROMIUM_PATH: '/nonexistent/chromium' })).toBeUndefined();
    expect(findChromium({ PATH: '', CHROMIUM_PATH: join(fake, 'chromium') })).toBe(join(fake, 'chromium'));
  });
});

describe('probing a Redis', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

  /** A TCP server on 127.0.0.1 that answers the first data with `reply` (or never, without one). */
  async function listener(reply?: string): Promise<string> {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => reply !== undefined && socket.end(reply));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP port');
    return `redis://127.0.0.1:${address.port}`;
  }

  it('counts PONG and NOAUTH as a Redis, and anything else as none, within the timeout', async () => {
    expect(await redisAnswers(await listener('+PONG\r\n'))).toBe(true);
    expect(await redisAnswers(await listener('-NOAUTH Authentication required.\r\n'))).toBe(true);
    expect(await redisAnswers(await listener('HTTP/1.1 400 Bad Request\r\n\r\n'))).toBe(false);
    expect(await redisAnswers(`redis://127.0.0.1:${await freePort()}`)).toBe(false);
    const silent = await listener();
    const started = performance.now();
    expect(await redisAnswers(silent, 300)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('a test file on a machine with Node alone', () => {
  /** Runs requirements-fixture.ts in a vitest of its own with exactly `env` (and NO_COLOR). */
  async function runFixture(env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
    const config = join(dir, 'vitest.config.mjs');
    await writeFile(config, `export default { test: { include: ['test/project/requirements-fixture.ts'] } };\n`);
    const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    return new Promise((resolve) => {
      execFile(process.execPath, [vitest, 'run', '--root', ROOT, '--config', config], { cwd: ROOT, env: { NO_COLOR: '1', ...env } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
      });
    });
  }

  let nodeOnly: string;
  let deadRedis: string;
  beforeAll(async () => {
    nodeOnly = await folder('node-only', []);
    await symlink(process.execPath, join(nodeOnly, 'node'));
    deadRedis = `redis://127.0.0.1:${await freePort()}`;
  });

  it('skips each suite that needs what is missing, with one line each, and passes', async () => {
    const { code, output } = await runFixture({ PATH: nodeOnly, CHROMIUM_PATH: '/nonexistent', REDIS_URL: deadRedis });
    const lines = output.split('\n');
    for (const line of [NO_CHROMIUM, NO_REDIS_SERVER, noRedis(deadRedis)]) expect(lines.filter((l) => l === line), output).toHaveLength(1);
    expect(output).toMatch(/Tests\s+3 skipped \(3\)/);
    expect(code, output).toBe(0);
  });

  it('fails with the line under SLAWATCH_TEST_REQUIRE_ALL=1', async () => {
    const { code, output } = await runFixture({ PATH: nodeOnly, CHROMIUM_PATH: '/nonexistent', REDIS_URL: deadRedis, SLAWATCH_TEST_REQUIRE_ALL: '1' });
    expect(output).toContain(`RequirementMissing: ${NO_CHROMIUM}`);
    expect(output).toMatch(/Test Files\s+1 failed/);
    expect(code).toBe(1);
  });

  const redisServer = needRedisServer('the private Redis case of the requirements test');
  it.runIf(redisServer)('starts a Redis of its own when none answers but redis-server is there', async () => {
    const fakeChromium = await folder('fake-chromium', ['chromium']);
    const { code, output } = await runFixture({ PATH: nodeOnly, CHROMIUM_PATH: join(fakeChromium, 'chromium'), REDIS_SERVER: redisServer, REDIS_URL: deadRedis });
    expect(output).not.toContain('skipped:');
    expect(output).toMatch(/Tests\s+3 passed \(3\)/);
    expect(code, output).toBe(0);
  });
});
