#!/usr/bin/env node
// `npm run console:build`: builds the web console (console/) into dist/console with Vite — the app, and the
// embeddable widget.js. Skips the build when the sources, the lockfile and the Vite configs are unchanged since
// the last build (a hash kept in dist/console/.build-hash), so `npm start` and `npm test` stay fast.
// `--force` builds anyway.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = path.join(root, 'console');
const outDir = path.join(root, 'dist', 'console');
const stamp = path.join(outDir, '.build-hash');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

const hash = createHash('sha256');
for (const f of [...files(consoleDir), path.join(root, 'package-lock.json')]) {
  hash.update(path.relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
}
const digest = hash.digest('hex');
const force = process.argv.includes('--force');
if (!force && existsSync(stamp) && existsSync(path.join(outDir, 'widget.js')) && readFileSync(stamp, 'utf8').trim() === digest) {
  console.log('console: up to date (dist/console)');
  process.exit(0);
}

const started = Date.now();
// Vite picks React's build from NODE_ENV; a caller's NODE_ENV=test (vitest) would ship the development build.
process.env.NODE_ENV = 'production';
const { build } = await import('vite');
try {
  await build({ configFile: path.join(consoleDir, 'vite.config.ts') });
  await build({ configFile: path.join(consoleDir, 'vite.widget.config.ts') });
} catch (error) {
  console.error(`console: build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
writeFileSync(stamp, digest + '\n');
const sizes = readdirSync(path.join(outDir, 'assets'))
  .concat('widget.js')
  .map((f) => {
    const p = f === 'widget.js' ? path.join(outDir, f) : path.join(outDir, 'assets', f);
    const bytes = readFileSync(p);
    return `${f} ${(bytes.length / 1024).toFixed(0)} KiB (gzip ${(gzipSync(bytes).length / 1024).toFixed(0)})`;
  });
console.log(`console: built dist/console in ${((Date.now() - started) / 1000).toFixed(1)} s (${sizes.join(', ')})`);
