import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../src/app.js';

/**
 * Benchmarks that run the roles as deployed: separate `api` and `worker` processes
 * (`node --import tsx src/main.ts <role>`), each on its own port.
 */

/** Every process started here, to stop at the end. */
export const children: ChildProcess[] = [];

export function startProcess(role: 'api' | 'worker', env: Record<string, string>, port: number): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'main.ts'), role], {
    cwd: projectRoot,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr?.on('data', (b: Buffer) => {
    tail = (tail + b.toString()).slice(-3000);
  });
  child.on('exit', (code, signal) => {
    if (code && code !== 0) console.error(`${role} on ${port} exited ${code ?? signal}: ${tail}`);
  });
  children.push(child);
  return child;
}

/**
 * Waits until the process serves (/healthz: the API has migrated, seeded and listens; the worker runs its
 * queues). Not /readyz: that also waits for every model of the role, and a machine where some model is
 * not built yet still answers (degraded); the report says what /readyz said.
 */
export async function waitServing(port: number, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
      last = await r.text();
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`process on ${port} not ready: ${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

