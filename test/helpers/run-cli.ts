/**
 * Runs the built `slawatch` command as a child process, the way a user does,
 * with stdin under the test's control and stdout collected line by line.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../testkit/replicas.js';

export const BIN = fileURLToPath(new URL('../../bin/slawatch.js', import.meta.url));

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: () => string;
  /** Resolves with the first stdout line matching `pattern` (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  send(line: string): void;
  exited: Promise<number | null>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '', LARK_APP_ID: '', LOG_LEVEL: 'warn', ...env },
    ...(cwd ? { cwd } : {}),
  });
  const lines: string[] = [];
  let err = '';
  let partial = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void; fail: (error: Error) => void }[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (err += chunk));
  let closed = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      closed = true;
      // Nothing more will come: fail the waiters now rather than at their time-out.
      for (const w of waiters.splice(0)) w.fail(new Error(`exited (${code}) before printing ${w.pattern}; output:\n${lines.join('\n')}\nstderr:\n${err}`));
      resolve(code);
    }),
  );
  return {
    child,
    lines,
    stderr: () => err,
    send: (line) => child.stdin.write(`${line}\n`),
    exited,
    waitFor(pattern, timeoutMs = 15_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      if (closed) return Promise.reject(new Error(`exited before printing ${pattern}; stderr:\n${err}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${lines.join('\n')}\nstderr:\n${err}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
          fail: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
      });
    },
  };
}

/** Runs to completion with `input` piped to stdin. */
export async function runCli(args: string[], input: string, env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const cli = startCli(args, env, cwd);
  cli.child.stdin.end(input);
  const code = await cli.exited;
  return { code, lines: cli.lines, stderr: cli.stderr() };
}

/** Polls `url` until it answers `status`; resolves with the JSON body (fails after `timeoutMs`, showing the command's stderr). */
export async function untilStatus(url: string, status: number, cli: RunningCli, timeoutMs = 20_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const answer = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      async (r) => ({ status: r.status, body: (await r.json().catch(() => undefined)) as unknown }),
      () => undefined,
    );
    if (answer?.status === status) return answer.body;
    if (answer) last = `${answer.status} ${JSON.stringify(answer.body)}`;
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last}); stderr:\n${cli.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `slawatch start --config <config>` on Slack's HTTP receiver, against a fake
 * Web API, on a free port of 127.0.0.1; resolves once /readyz answers 200.
 */
export async function startSlackCli(
  config: string,
  slack: { apiUrl: string; botToken: string; signingSecret: string },
  env: NodeJS.ProcessEnv = {},
): Promise<{ cli: RunningCli; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const cli = startCli(['start', '--config', config], {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...env,
  });
  await untilStatus(`${base}/readyz`, 200, cli);
  return { cli, base };
}
