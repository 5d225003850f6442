// Lint: typescript-eslint's recommended rules, plus the layering rule of the
// architecture: the pure core never imports platforms, storage or the file system.
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
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@slack/*', 'discord.js', 'keyv', '@keyv/*', 'node:fs', 'node:fs/*', 'fs', 'node:net', 'node:http', 'pino', 'node-schedule'], message: 'the pure core (domain, sla, oncall, escalation, availability) does no I/O' },
            { group: ['**/service/**', '**/store/**', '**/scheduler/**', '**/adapters/**', '**/cli/**'], message: 'the pure core does not depend on outer layers' },
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'the pure core takes time as an argument' }],
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
