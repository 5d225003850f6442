// Lint: typescript-eslint's recommended rules, plus the layering rules of the
// architecture (README, Layout):
// - the pure core (domain, sla, oncall, escalation) does no I/O: no platform, store,
//   file system, network, logging or scheduling library;
// - the pure core does not depend on the outer layers (service, store, scheduler,
//   adapters, cli);
// - the pure core never reads the clock: time is an argument;
// - the pure core does not load zod: its vocabulary is src/domain/vocabulary.ts, and of the
//   config schema it imports types only (`import type`, erased from the build);
// - the service never imports an adapter: adapters call the service, not the reverse;
// - the store never imports an adapter or the service: it keeps tickets, it runs no use case;
// - the scheduler never imports the service or an adapter: it keeps the time, the service says what is due;
// - adapters never import the store or the service's delivery machinery (outbox, notifier, delivery
//   records): they reach the service through the desk's port (src/service/desk-port.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PURE_CORE = ['src/domain/**', 'src/sla/**', 'src/oncall/**', 'src/escalation/**', 'src/availability/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-output/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: PURE_CORE,
    rules: {
      // typescript-eslint's version of the rule, which can let type-only imports through.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@slack/*', 'discord.js', 'keyv', '@keyv/*', 'node:fs', 'node:fs/*', 'fs', 'node:net', 'node:http', 'pino', 'node-schedule'], message: 'the pure core (domain, sla, oncall, escalation, availability) does no I/O' },
            { group: ['**/service/**', '**/store/**', '**/scheduler/**', '**/adapters/**', '**/cli/**'], message: 'the pure core does not depend on outer layers' },
            { group: ['zod', 'zod/*'], message: 'the pure core does not load the config validator' },
            {
              group: ['**/config/schema.js'],
              allowTypeImports: true,
              message: 'the pure core takes its vocabulary from src/domain/vocabulary.ts; from the config schema only types (import type), which are erased',
            },
          ],
        },
      ],
      // `import { type X }` keeps an empty runtime import (verbatimModuleSyntax): write `import type { X }`.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'the pure core takes time as an argument' }],
    },
  },
  {
    files: ['src/service/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/adapters/**'], message: 'the service does not depend on adapters: adapters call it' }] }],
    },
  },
  {
    files: ['src/store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/adapters/**', '**/service/**'], message: 'the store keeps tickets: it does not depend on the service or the adapters' }] },
      ],
    },
  },
  {
    files: ['src/scheduler/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/adapters/**', '**/service/**'], message: 'the scheduler keeps the time: what is due is the service\'s, which drives it' }] },
      ],
    },
  },
  {
    files: ['adapters/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/src/store/**'], message: 'adapters reach the service through the desk\'s port (src/service/desk-port.ts), never the store' },
            { group: ['**/service/outbox.js', '**/service/notify.js', '**/service/delivery.js'], message: 'delivery is the app\'s: an adapter attaches its ChatPort to its host' },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['test/**', 'testkit/**', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
