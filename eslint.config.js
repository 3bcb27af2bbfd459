import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'worker_threads'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The renderer is untrusted web content: no Electron, no Node, no network of its own.
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['electron', ...nodeBuiltins].map((name) => ({ name, message: 'The renderer talks to main only through window.wardline.' })),
        patterns: [{ group: ['node:*'], message: 'The renderer cannot use Node built-ins.' }],
      }],
      'no-restricted-globals': ['error',
        { name: 'fetch', message: 'The renderer makes no network requests; ask main through window.wardline.' },
        { name: 'WebSocket', message: 'The renderer makes no network requests.' },
        { name: 'localStorage', message: 'The renderer stores nothing; main owns all data.' },
        { name: 'indexedDB', message: 'The renderer stores nothing; main owns all data.' },
      ],
    },
  },
  {
    // main/core runs in plain Node (tests, the web host, Electron alike).
    files: ['main/core/**/*.ts', 'protocol/**/*.ts', 'server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only main/app may import electron.' }] }],
    },
  },
  {
    // crypto is pure: nothing of ours but its own files, no I/O, no clocks.
    files: ['main/core/crypto/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['electron', ...nodeBuiltins].map((name) => ({ name, message: 'crypto is pure functions over bytes.' })),
        patterns: [{ group: ['node:*', '../*/**', '../../**'], message: 'crypto imports only @noble/* and its own files.' }],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'No clocks in crypto: take time as a parameter.' },
        { object: 'Math', property: 'random', message: 'No ambient randomness in crypto: take an rng parameter.' },
      ],
    },
  },
);
