#!/usr/bin/env node
// `npm run setup`: installs what the local services need (redis-server, Java, Maven via apt when missing) and
// builds the Neo4j launcher when it is missing or stale. Non-interactive, idempotent, fast when nothing is to do.
import { tsImport } from 'tsx/esm/api';

const { ensureInstalled } = await tsImport('../src/services/local-services.ts', import.meta.url);
const started = Date.now();
try {
  await ensureInstalled({ browser: true, logger: { info: (line) => console.log(`setup: ${line}`) } });
  console.log(`setup: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`setup: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
