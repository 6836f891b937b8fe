#!/usr/bin/env node
// The test command (`npm test`): everything a fresh machine needs, then every test tier.
// Each step stops the run on failure, so CI's exit code is the first failure's.
import { spawnSync } from 'node:child_process';

const steps = [
  ['type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['type-check (console)', 'npx', ['tsc', '-p', 'console/tsconfig.json']],
  ['lint', 'npx', ['eslint', '.']],
  // Dependencies point one way (docs/design.md): an import cycle fails the run.
  ['import cycles (madge)', 'npx', ['madge', '--circular', '--extensions', 'ts', '--ts-config', 'tsconfig.json', 'src', 'test', 'bench', 'scripts']],
  ['setup (local Neo4j + Redis installed)', 'npm', ['run', '--silent', 'setup']],
  // Real models, built by the project's own recipe; cached in ~/.cache/answergraph/models, so only a
  // fresh machine pays for training (see training/README.md for the times).
  ['models (ONNX, built or cached)', 'node', ['scripts/models.mjs']],
  // The browser tests (test/console.int.test.ts) open the built console; skipped when its sources are unchanged.
  ['console build (Vite)', 'node', ['scripts/build-console.mjs']],
  ['tests (unit + integration)', 'npx', ['vitest', 'run']],
];

for (const [name, cmd, args] of steps) {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`✖ ${name} failed after ${secs}s`);
    process.exit(r.status ?? 1);
  }
  console.log(`✔ ${name} (${secs}s)`);
}
