/**
 * `slawatch start` in shell mode with PORT set: the HTTP server runs next to
 * the terminal chat, so the queue page can be tried locally.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/run-cli.js';

const CONFIG = `
people:
  alice: { name: Alice }
staff:
  people: [alice]
  channels: { shell: staff }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] } }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h }
`;
const TOKEN = 'local-queue-token-0123456789';

describe('slawatch start (shell) with PORT', () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-queue-'));
    config = join(dir, 'slawatch.yaml');
    await writeFile(config, CONFIG);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the queue page on 127.0.0.1 with the tickets the shell opens', async () => {
    const cli = startCli(['start', '--config', config, '--store', join(dir, 'on.sqlite')], { PORT: '0', SLAWATCH_QUEUE_TOKEN: TOKEN });
    try {
      const line = await cli.waitFor(/^\(queue page: /);
      const url = /(http:\/\/127\.0\.0\.1:\d+)\/queue/.exec(line)?.[1] as string;
      expect(url).toBeDefined();
      cli.send('/as dana');
      cli.send('/in acme');
      cli.send('The export button does nothing');
      await cli.waitFor(/Ticket #1 opened/);
      expect((await fetch(`${url}/api/queue`)).status).toBe(401);
      const res = await fetch(`${url}/api/queue`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await res.json()) as { tickets: { id: number; customer: string; title: string }[] };
      expect(body.tickets).toEqual([expect.objectContaining({ id: 1, customer: 'Acme Corp', title: 'The export button does nothing' })]);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('says the page is off when no token is set', async () => {
    const cli = startCli(['start', '--config', config, '--store', join(dir, 'off.sqlite')], { PORT: '0', SLAWATCH_QUEUE_TOKEN: '' });
    try {
      expect(await cli.waitFor(/^\(HTTP server on /)).toMatch(/^\(HTTP server on http:\/\/127\.0\.0\.1:\d+; queue page off: SLAWATCH_QUEUE_TOKEN is not set\)$/);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});
