#!/usr/bin/env node
// The Docker image's build, without a Docker daemon: assembles each stage of
// the Dockerfile in a temporary folder from exactly what its COPY lines name
// (the build context minus .dockerignore, or another stage's folder), runs
// the stage's `npm run …` steps there, and finally runs the image's
// ENTRYPOINT with `check-config examples/slawatch.yaml` in the last stage's
// folder. Package installs (`npm ci`, `npm install`) are replaced by a link
// to the checkout's node_modules; other RUN lines (apt-get, mkdir, chown)
// are skipped. A file the build needs but no COPY brings in fails here as it
// would in `docker build`.
//
//   node .ci/docker-context.mjs [context]      (default: this checkout)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const say = (line) => process.stdout.write(`${line}\n`);

class BuildFailed extends Error {}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function parseDockerfile(text) {
  const instructions = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending === '') startLine = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const whole = (pending + line).trim();
    pending = '';
    const [keyword, ...rest] = whole.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: whole.slice(keyword.length).trim(), line: startLine, words: rest });
  });
  return instructions;
}

/** Arguments in exec form (`["a", "b"]`) or shell words. */
function argumentList(args) {
  return args.startsWith('[') ? JSON.parse(args) : args.split(/\s+/).filter(Boolean);
}

/** .dockerignore as a test on paths relative to the context (Docker's rules: anchored at the root, `**`, `!` exceptions, a match excludes everything below). */
function ignoreTest(text) {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = posix.normalize((negated ? line.slice(1) : line).trim()).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negated, regex: globRegex(pattern) };
    });
  return (path) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) if (prefixes.some((p) => rule.regex.test(p))) ignored = !rule.negated;
    return ignored;
  };
}

function globRegex(pattern) {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Copies `from` (a file or a folder's contents) to `to`, leaving out what `skip` says (context-relative paths). */
function copyFiltered(from, to, skip, contextPath) {
  if (skip(contextPath)) return;
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from)) copyFiltered(join(from, entry), join(to, entry), skip, contextPath === '.' ? entry : `${contextPath}/${entry}`);
  } else {
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to);
  }
}

/** Sources of a COPY from the context: literal paths, or `*` / `?` in the last part. */
function contextSources(context, source, skip) {
  const clean = posix.normalize(source).replace(/^\/+/, '').replace(/\/+$/, '') || '.';
  if (!/[*?[]/.test(clean)) return existsSync(join(context, clean)) && !skip(clean) ? [clean] : [];
  const folder = posix.dirname(clean);
  const test = globRegex(posix.basename(clean));
  const inFolder = existsSync(join(context, folder)) ? readdirSync(join(context, folder)) : [];
  return inFolder.filter((name) => test.test(name)).map((name) => (folder === '.' ? name : `${folder}/${name}`)).filter((path) => !skip(path));
}

function assemble({ context, nodeModules, keep = false }) {
  const dockerfile = readFileSync(join(context, 'Dockerfile'), 'utf8');
  const skip = ignoreTest(existsSync(join(context, '.dockerignore')) ? readFileSync(join(context, '.dockerignore'), 'utf8') : '');
  const root = mkdtempSync(join(tmpdir(), 'slawatch-docker-context-'));
  const stages = [];
  let entrypoint = [];
  let env = {};
  try {
    for (const step of parseDockerfile(dockerfile)) {
      const where = `Dockerfile:${step.line}`;
      if (step.keyword === 'FROM') {
        const as = step.words.findIndex((w) => w.toUpperCase() === 'AS');
        const stage = { name: as >= 0 ? step.words[as + 1] : String(stages.length), folder: join(root, `stage-${stages.length}`), appDir: undefined, workdir: '/' };
        mkdirSync(stage.folder);
        stages.push(stage);
        entrypoint = [];
        env = {};
        say(`== stage ${stage.name} (${where})`);
        continue;
      }
      const stage = stages.at(-1);
      if (!stage) throw new BuildFailed(`${where}: ${step.keyword} before FROM`);
      // The stage's folder stands for its first WORKDIR; container paths are mapped below it.
      const local = (containerPath, from = stage) => {
        const path = posix.resolve(from.workdir, containerPath);
        if (from.appDir === undefined) throw new BuildFailed(`${where}: a path (${containerPath}) before any WORKDIR`);
        const inside = posix.relative(from.appDir, path);
        if (inside.startsWith('..')) throw new BuildFailed(`${where}: ${containerPath} is outside ${from.appDir}, which this check assembles`);
        return join(from.folder, inside);
      };
      switch (step.keyword) {
        case 'WORKDIR':
          stage.workdir = posix.resolve(stage.workdir, step.args);
          stage.appDir ??= stage.workdir;
          break;
        case 'ENV': {
          for (const [, key, value] of step.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[key] = value.replace(/^"|"$/g, '');
          break;
        }
        case 'COPY': {
          const words = argumentList(step.args);
          const flags = Object.fromEntries(words.filter((w) => w.startsWith('--')).map((w) => w.slice(2).split('=')));
          const paths = words.filter((w) => !w.startsWith('--'));
          const destination = paths.pop();
          const intoFolder = destination.endsWith('/') || paths.length > 1;
          const target = local(destination);
          if (flags.from !== undefined) {
            const source = stages.find((s) => s.name === flags.from);
            if (!source) throw new BuildFailed(`${where}: no stage ${flags.from}`);
            for (const path of paths) {
              const from = local(path, source);
              if (!existsSync(from)) throw new BuildFailed(`${where}: COPY --from=${flags.from} ${path}: the ${flags.from} stage has no such file`);
              const to = intoFolder && !statSync(from).isDirectory() ? join(target, basename(from)) : target;
              mkdirSync(dirname(to), { recursive: true });
              cpSync(from, to, { recursive: true, verbatimSymlinks: true });
            }
          } else {
            for (const path of paths) {
              const sources = contextSources(context, path, skip);
              if (sources.length === 0) throw new BuildFailed(`${where}: COPY ${path}: not in the build context (missing, or left out by .dockerignore)`);
              for (const source of sources) {
                const from = join(context, source);
                const to = intoFolder && !statSync(from).isDirectory() ? join(target, basename(source)) : target;
                copyFiltered(from, to, skip, source);
              }
            }
          }
          say(`   COPY ${step.args}`);
          break;
        }
        case 'RUN': {
          const command = step.args;
          if (/\bnpm (ci|install)\b/.test(command)) {
            if (!existsSync(local('node_modules'))) symlinkSync(realpathSync(nodeModules), local('node_modules'), 'dir');
            say(`   RUN ${command}: node_modules linked to ${nodeModules}`);
          } else if (/^npm run \S+/.test(command)) {
            say(`   RUN ${command}`);
            const run = spawnSync('sh', ['-c', command], { cwd: local('.'), stdio: 'inherit', env: { ...process.env, ...env } });
            if (run.status !== 0) throw new BuildFailed(`${where}: RUN ${command} failed (exit ${run.status ?? run.signal}) in the ${stage.name} stage`);
          } else {
            say(`   RUN ${command}: skipped (the machine's, not the app's)`);
          }
          break;
        }
        case 'ENTRYPOINT':
          entrypoint = argumentList(step.args);
          break;
        default:
          break;
      }
    }
    const image = stages.at(-1);
    if (!image || entrypoint.length === 0) throw new BuildFailed('Dockerfile: the last stage has no ENTRYPOINT');
    const check = [...entrypoint, 'check-config', 'examples/slawatch.yaml'];
    say(`== the image: ${check.join(' ')}`);
    const [command, ...args] = check;
    const run = spawnSync(command === 'node' ? process.execPath : command, args, { cwd: image.folder, stdio: 'inherit', env: { ...process.env, ...env } });
    if (run.status !== 0) throw new BuildFailed(`the image's ${check.join(' ')} failed (exit ${run.status ?? run.signal})`);
  } finally {
    if (keep) say(`(kept ${root})`);
    else rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const checkout = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const context = resolve(process.argv[2] ?? checkout);
  const nodeModules = existsSync(join(context, 'node_modules')) ? join(context, 'node_modules') : join(checkout, 'node_modules');
  try {
    assemble({ context, nodeModules, keep: process.env.KEEP_DOCKER_CONTEXT === '1' });
    say(`docker context of ${relative(process.cwd(), context) || '.'}: the image builds and its config check passes`);
  } catch (error) {
    if (!(error instanceof BuildFailed)) throw error;
    process.stderr.write(`docker context: ${error.message}\n`);
    process.exitCode = 1;
  }
}
