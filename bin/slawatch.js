#!/usr/bin/env node
// Entry point of the `slawatch` command. The TypeScript sources are compiled to
// dist/ by `npm install` (the `prepare` script) or `npm run build`.
import { main } from '../dist/src/cli/main.js';

main(process.argv).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => {
    process.stderr.write(`slawatch: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
