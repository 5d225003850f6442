/** Runs `slawatch …` through main() with captured output; stores the fixture tickets in a temp SQLite file. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { openSqliteStore } from '../../src/store/open.js';
import { CONFIG_YAML, TICKETS } from './fixtures.js';

export interface Result {
  code: number;
  out: string;
  err: string;
}

export async function runMain(args: string[]): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'slawatch', ...args], { out: (text) => void out.push(text), err: (text) => void err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export interface Workspace {
  dir: string;
  config: string;
  store: string;
  cleanup(): Promise<void>;
}

/** A temp dir with the fixture config and an SQLite store holding the fixture tickets (created through the store). */
export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'slawatch-report-'));
  const config = join(dir, 'slawatch.yaml');
  const store = join(dir, 'tickets.sqlite');
  await writeFile(config, CONFIG_YAML);
  const db = await openSqliteStore(store);
  for (const ticket of TICKETS) await db.create(ticket);
  await db.close();
  return { dir, config, store, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
