import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a pid file says about the process it names. */
export type PidState =
  | { state: 'running'; pid: number }
  | { state: 'stale'; pid: number; reason: string }
  | { state: 'absent' };

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else; it is alive, just not signalable by us.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process's argv joined by spaces, or undefined where /proc is not available (e.g. macOS). */
async function commandLine(pid: number): Promise<string | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').join(' ');
  } catch {
    return undefined;
  }
}

export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads a pid file and decides whether it still names our process. A pid alone is not enough: after a reboot
 * or a crash the number may have been reused, so where /proc exists the command line must contain one of `markers`.
 */
export async function pidFileState(file: string, markers: readonly string[]): Promise<PidState> {
  const pid = await readPidFile(file);
  if (pid === undefined) return { state: 'absent' };
  if (!isProcessAlive(pid)) return { state: 'stale', pid, reason: 'process is gone' };
  const cmd = await commandLine(pid);
  if (cmd !== undefined && !markers.some((marker) => cmd.includes(marker))) {
    return { state: 'stale', pid, reason: `pid now belongs to another program (${cmd.slice(0, 80)})` };
  }
  return { state: 'running', pid };
}

/** A loopback port free right now (the OS picks it), for a throwaway server or process. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface DetachedChild {
  pid: number;
  /** Exit code (or signal name) once the child has exited; undefined while it runs. */
  exited(): number | string | undefined;
}

/**
 * Starts a long-lived service that outlives this Node process: own process group, stdout and stderr appended
 * to `logFile`, not waited for. The caller records the pid.
 */
export async function spawnDetached(
  command: string,
  args: readonly string[],
  opts: { logFile: string; cwd: string },
): Promise<DetachedChild> {
  await mkdir(path.dirname(opts.logFile), { recursive: true });
  const log = await open(opts.logFile, 'a');
  try {
    await log.write(`\n--- ${new Date().toISOString()} starting: ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', log.fd, log.fd] });
    let exit: number | string | undefined;
    child.once('exit', (code, signal) => (exit = code ?? signal ?? 'unknown'));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    return { pid: child.pid as number, exited: () => exit };
  } finally {
    // The child holds its own copy of the descriptor.
    await log.close();
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function terminate(pid: number, graceMs: number): Promise<'terminated' | 'killed' | 'not-running'> {
  if (!isProcessAlive(pid)) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return 'terminated';
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
  while (isProcessAlive(pid)) await sleep(50);
  return 'killed';
}

export async function tailFile(file: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}

/**
 * Runs `fn` holding an exclusive lock file, so two starters (a test run and `services:up`, or two engineers'
 * test runs on a shared checkout) never spawn the same service twice. A lock left by a dead process is taken over.
 */
export async function withFileLock<T>(lockFile: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readPidFile(lockFile);
      if (holder === undefined || !isProcessAlive(holder)) {
        await rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${lockFile} (held by pid ${holder})`);
      }
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/** Runs a command to completion with inherited output; rejects on a non-zero exit. */
export async function runCommand(command: string, args: readonly string[], cwd?: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal})`)),
    );
  });
}

/** True when `command` resolves on PATH (or is an executable path). */
export async function commandExists(command: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', 'command -v "$0" >/dev/null 2>&1', command], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
