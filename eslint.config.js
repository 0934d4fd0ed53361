// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

/**
 * The floors of the house (docs/architecture.md): a package's production code may import only
 * packages on lower floors, never one beside or above it.
 */
const FLOORS = [
  ['packages/contracts', 'packages/anomaly', 'packages/infra'],
  ['packages/runtime', 'packages/core', 'packages/supervisor-client'],
  ['packages/agent', 'packages/fleet', 'packages/incidents'],
  [
    'services/detector',
    'services/diagnoser',
    'services/policy-evaluator',
    'services/action-executor',
    'services/escalator',
    'services/console',
    'services/ingest',
  ],
  ['packages/cli'],
];
const packageName = (dir) => `@healstream/${dir.split('/')[1]}`;

/** Production code of the CLI that may run the demo fleet: the demo and the `fleet` command. */
const DEMO_FILES = ['packages/cli/src/demo/**/*.ts', 'packages/cli/src/commands/fleet.ts'];
const TEST_FILES = ['**/*.test.ts', '**/*.test-support.ts', 'test/**', 'bench/**'];

const door = {
  group: ['@healstream/*/src/*', '**/packages/*/src/*', '**/services/*/src/*'],
  message: "Import the package's public entry point instead.",
};
const crossPackageSupport = {
  group: ['**/test/support/*'],
  message: 'Import the shared test support by its name, @healstream/test-support/<file>.',
};
const testSupport = {
  group: [
    '@healstream/test-support',
    '@healstream/test-support/*',
    '**/*.test-support.js',
    'vitest',
  ],
  message: 'Production code never imports test support.',
};
const fleet = {
  group: ['@healstream/fleet'],
  message:
    'The fleet is the demo: only the CLI’s demo and fleet command may run it (a supervisor is reached through @healstream/supervisor-client).',
};

/** One no-restricted-imports per package: a later config for the same rule replaces, never merges. */
const floorConfigs = FLOORS.flatMap((floor, level) =>
  floor
    .map((dir) => {
      const above = FLOORS.slice(level)
        .flat()
        .filter((other) => other !== dir)
        .map(packageName);
      const upward = {
        group: above,
        message: `${packageName(dir)} stands on floor ${level}: it may import only packages on lower floors (docs/architecture.md).`,
      };
      const patterns = (extra) => [
        door,
        crossPackageSupport,
        testSupport,
        ...extra,
        ...(above.length ? [upward] : []),
      ];
      return [
        {
          files: [`${dir}/src/**/*.ts`, `${dir}/scripts/**/*.ts`],
          ignores: TEST_FILES,
          rules: { 'no-restricted-imports': ['error', { patterns: patterns([fleet]) }] },
        },
        ...(dir === 'packages/cli'
          ? [
              {
                files: DEMO_FILES,
                ignores: TEST_FILES,
                rules: { 'no-restricted-imports': ['error', { patterns: patterns([]) }] },
              },
            ]
          : []),
      ];
    })
    .flat(),
);

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.healstream/**',
      '**/dist/**',
      '.dist-*/**',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'import-x/no-cycle': 'error',
      // One public door per package: never reach into another package's sources. Tests reach
      // the shared test support by its package name.
      'no-restricted-imports': ['error', { patterns: [door, crossPackageSupport] }],
    },
  },
  ...floorConfigs,
);
