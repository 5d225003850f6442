/**
 * `slawatch demo` (`npm run demo`): a scripted, non-interactive run on
 * seconds-scale targets, through the real shell adapter and use cases, on an
 * in-memory store. A customer reports an outage, the first-response clock
 * warns and breaches, staff reply, the ticket is resolved.
 */
import { PassThrough, Writable } from 'node:stream';
import { ShellAdapter } from '../../adapters/shell/shell-adapter.js';
import { parseConfig } from '../config/load.js';
import { App } from '../app/app.js';
import { silentLogger } from '../service/logger.js';
import { openMemoryStore } from '../store/open.js';

const DEMO_CONFIG = `
people:
  alice: { name: Alice }
  carol: { name: Carol }
staff:
  people: [alice, carol]
  channels: { shell: staff }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] }, accountEngineer: carol }
tiers:
  enterprise:
    calendar: 24x7
    targets:
      default: { firstResponse: 8s, nextResponse: 8s, resolution: 1h }
      urgent: { firstResponse: 4s }
schedules:
  primary:
    timezone: UTC
    layers: [{ users: [alice], rotation: { every: 1w, handoff: "00:00", start: "2026-01-05" } }]
escalation:
  warnAt: [0.5]
  policies:
    default:
      warn: [schedule:primary]
      levels:
        - { notify: [schedule:primary], delay: 2s }
        - { notify: [person:carol], delay: 10m }
notifications: { coalesceWindow: 1s }
store: { backend: memory }
`;

/** [line to type, seconds to wait after it] */
const SCRIPT: [string, number][] = [
  ['/as customer', 0],
  ['/in acme', 0],
  ['Our production API is down — every request returns 502!', 7.5],
  ['/as alice', 0],
  ['/status', 0],
  ['On it — we found a bad deploy and are rolling it back.', 1],
  ['/resolve', 0.5],
  ['/status', 0],
];

export async function runDemo(io: { out: (text: string) => void }): Promise<void> {
  const started = Date.now();
  const stamp = () => `[+${((Date.now() - started) / 1000).toFixed(1).padStart(4)}s]`;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) io.out(`${stamp()} ${line}`);
      done();
    },
  });
  const config = parseConfig(DEMO_CONFIG, 'demo config');
  const store = openMemoryStore();
  const app = new App({ config, store, logger: silentLogger });
  const input = new PassThrough();
  const shell = new ShellAdapter(app.desk, { input, output });
  app.attach(shell);
  io.out('slawatch demo — enterprise customer, urgent: first response due in 4 s, warning at 50 %, escalation 2 s after the breach.');
  shell.greet();
  await app.start();
  const done = shell.run();
  for (const [line, wait] of SCRIPT) {
    io.out(`${stamp()} > ${line}`);
    input.write(`${line}\n`);
    await new Promise((r) => setTimeout(r, wait * 1000 + 50));
  }
  input.end();
  await done;
  await app.idle();
  await app.stop();
  await store.close();
  io.out('demo finished.');
}
