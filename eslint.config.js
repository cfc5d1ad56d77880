import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Folder boundaries (issue 10). Each folder may import only what its job needs:
//   src/core    the pipeline: no runner-bound @actions/* package, no front door, no test kit;
//               @actions/http-client only inside src/core/http.
//   src/webc    the container reader and writer: from the core, only its errors and types.
//   src/mirror  the shippable registry: the core and webc, never a front door or the test kit.
//   src/action  the action's front door: the only importer of the runner-bound packages.
//   testing/    the test kit: anything in src/; src/ never imports it.
const RUNNER_BOUND = ['@actions/core', '@actions/tool-cache', '@actions/cache'];

const runnerBound = (message) => RUNNER_BOUND.map((name) => ({ name, message }));
const pattern = (group, message) => ({ group, message });

const FRONT_DOORS = pattern(
  ['**/action/*', '**/action/**', '**/cli/*', '**/cli/**'],
  'Front doors depend on the core, never the other way round.',
);
const TEST_KIT = pattern(
  ['**/testing/*', '**/testing/**'],
  'testing/ is the test kit: never bundled, so src/ never imports it.',
);
const MIRROR = pattern(
  ['**/mirror/*', '**/mirror/**'],
  'The core does not know the mirror; the mirror uses the core.',
);
const HTTP_CLIENT = pattern(
  ['@actions/http-client', '@actions/http-client/*', '@actions/http-client/**'],
  'Only src/core/http talks to @actions/http-client.',
);

function restricted(paths, patterns) {
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

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
    },
  },
  {
    files: ['src/core/**'],
    rules: restricted(
      runnerBound('The core never talks to the Actions runtime; the front door passes io in.'),
      [FRONT_DOORS, TEST_KIT, MIRROR, HTTP_CLIENT],
    ),
  },
  {
    files: ['src/core/http/**'],
    rules: restricted(
      runnerBound('The core never talks to the Actions runtime; the front door passes io in.'),
      [FRONT_DOORS, TEST_KIT, MIRROR],
    ),
  },
  {
    files: ['src/webc/**'],
    rules: restricted(runnerBound('The WebC reader and writer know nothing of a runner.'), [
      FRONT_DOORS,
      TEST_KIT,
      MIRROR,
      HTTP_CLIENT,
      pattern(
        ['../core/*', '../core/**', '!../core/errors.js', '!../core/types.js'],
        'src/webc uses only the core errors and types.',
      ),
    ]),
  },
  {
    files: ['src/mirror/**'],
    rules: restricted(runnerBound('The mirror ships without the Actions runtime.'), [
      FRONT_DOORS,
      TEST_KIT,
      HTTP_CLIENT,
    ]),
  },
  {
    files: ['src/action/**'],
    ignores: ['src/action/actions-cache.ts'],
    rules: restricted(
      [
        {
          name: '@actions/cache',
          message:
            'Only src/action/actions-cache.ts uses the cache service; the core uses the RemoteCache port.',
        },
      ],
      [
        TEST_KIT,
        MIRROR,
        pattern(['**/cli/*', '**/cli/**'], 'One front door does not import another.'),
        HTTP_CLIENT,
      ],
    ),
  },
  {
    files: ['src/action/actions-cache.ts'],
    rules: restricted(
      [],
      [
        TEST_KIT,
        MIRROR,
        pattern(['**/cli/*', '**/cli/**'], 'One front door does not import another.'),
        HTTP_CLIENT,
      ],
    ),
  },
  {
    files: ['src/cli/**'],
    rules: restricted(runnerBound('The command line runs outside the Actions runtime.'), [
      TEST_KIT,
      pattern(['**/action/*', '**/action/**'], 'One front door does not import another.'),
      HTTP_CLIENT,
    ]),
  },
);
