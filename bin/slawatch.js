#!/usr/bin/env node
// Entry point of the `slawatch` command. The TypeScript sources are compiled to
// dist/ by `npm install` (the `prepare` script) or `npm run build`.
import { loadEnvFile } from '../dist/src/config/env-file.js';
import { main } from '../dist/src/cli/main.js';

// ./.env first, so every command and every flag's variable sees it; the environment wins over the file.
const run = async (argv) => {
  loadEnvFile();
  return main(argv);
};

run(process.argv).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => {
    process.stderr.write(`slawatch: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
