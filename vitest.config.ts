import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (`main`) and ESM (`module`) without an exports map: Node loads the CJS
    // build for dependencies (Pothos, Apollo), so our code must get the same instance under Vite.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    // One real Neo4j and Redis per run, shared by integration files one after another; each file starts
    // from an empty graph and Redis, and its tests isolate themselves with unique ids.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.int.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          // Each file starts from an empty graph and Redis (test/file-setup.ts): results do not depend on file order.
          setupFiles: ['test/file-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
