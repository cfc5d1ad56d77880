import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/.data/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@actions/core',
              message: 'Only src/main.ts talks to the Actions runtime; pass a Logger instead.',
            },
            {
              name: '@actions/cache',
              message:
                'Only src/action/actions-cache.ts uses the cache service; the core uses the RemoteCache port.',
            },
          ],
        },
      ],
    },
  },
  {
    // The RemoteCache adapter: @actions/cache, but still no @actions/core of its own.
    files: ['src/action/actions-cache.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@actions/core',
              message: 'Only src/main.ts talks to the Actions runtime; pass a Logger instead.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main.ts', '__tests__/**', 'testing/**', 'scripts/**', 'bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
