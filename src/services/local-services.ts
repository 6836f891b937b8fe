/**
 * Real Neo4j and Redis for machines without Docker: Neo4j Community from Maven Central through our launcher
 * (services/neo4j) and Debian's redis-server, each started as a detached child with its state under
 * `.data/<profile>/`. Nothing here runs at import time.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import neo4j from 'neo4j-driver';
import {
  commandExists,
  type DetachedChild,
  isPortOpen,
  isProcessAlive,
  pidFileState,
  runCommand,
  spawnDetached,
  tailFile,
  terminate,
  withFileLock,
} from './processes.js';
import {
  defaultRootDir,
  type LocalProfile,
  PROFILE_PORTS,
  type ProfileLayout,
  profileLayout,
  type ServicePorts,
} from './profiles.js';

export type { LocalProfile, ServicePorts } from './profiles.js';

/** The slice of a logger these functions use; a pino logger or `console` fits. */
export interface ServicesLogger {
  info(message: string): void;
}

type Log = (line: string) => void;

const stderrLogger: ServicesLogger = { info: (line) => console.error(`[local-services] ${line}`) };

function logFn(logger: ServicesLogger | undefined): Log {
  const target = logger ?? stderrLogger;
  return (line) => target.info(line);
}

const NEO4J_USER = 'neo4j';
const LAUNCHER_DIR = path.join('services', 'neo4j');
const LAUNCHER_JAR = path.join(LAUNCHER_DIR, 'target', 'answergraph-neo4j.jar');
/** Written after a successful build; sources newer than it mean the launcher must be rebuilt. */
const LAUNCHER_STAMP = path.join(LAUNCHER_DIR, 'target', '.answergraph-build-stamp');

/**
 * JVM flags for the launcher. Heap and page cache stay modest because these machines are small and shared;
 * the rest mirrors what Neo4j's own start script adds (the --add-opens live in the jar manifest).
 */
const NEO4J_JVM_FLAGS = [
  '-Xms256m',
  '-Xmx1g',
  '-XX:+UseG1GC',
  '-XX:+ExitOnOutOfMemoryError',
  '-XX:-UsePerfData',
  '-Dfile.encoding=UTF-8',
  '-Djdk.nio.maxCachedBufferSize=1024',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dlog4j2.disable.jmx=true',
];

export interface InstallOptions {
  /** Repository root. Default: derived from this module's location. */
  rootDir?: string;
  /** Receives progress lines. Default: stderr with a `[local-services]` prefix. */
  logger?: ServicesLogger;
  /**
   * Also install Debian's `chromium` (the console's browser tests drive it with playwright-core). Default false:
   * `npm start` does not need a browser; `npm run setup` and the test setup ask for it.
   */
  browser?: boolean;
}

/** Where the browser tests expect Debian's chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
const CJK_FONT_PATH = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';

/**
 * Makes sure everything the local services need is on this machine, doing only what is missing:
 * Java 17, Maven and redis-server through apt-get (as root, or `sudo -n`), and a build of the Neo4j launcher
 * when `services/neo4j/target` is missing or older than its sources, and Debian's chromium (with a Chinese font)
 * when `browser` is set. Safe to run on every test run.
 */
export async function ensureInstalled(opts: InstallOptions = {}): Promise<void> {
  const rootDir = opts.rootDir ?? defaultRootDir();
  const log = logFn(opts.logger);
  // Two installers at once would run apt and Maven over each other.
  await withFileLock(path.join(rootDir, '.data', 'install.lock'), 20 * 60_000, async () => {
    const packages: string[] = [];
    if (!(await commandExists('java'))) packages.push('openjdk-17-jdk-headless');
    if (!(await commandExists('mvn'))) packages.push('maven');
    if (!(await commandExists('redis-server'))) packages.push('redis-server');
    if (opts.browser && !existsSync(CHROMIUM_PATH)) packages.push('chromium');
    // A Chinese font, so the browser tests' screenshots of the Chinese UI show characters, not boxes.
    if (opts.browser && !existsSync(CJK_FONT_PATH)) packages.push('fonts-wqy-zenhei');
    if (packages.length > 0) await aptInstall(packages, log);

    const stale = await launcherStaleReason(rootDir);
    if (stale === undefined) {
      log('Neo4j launcher is up to date; java, mvn and redis-server are present');
      return;
    }
    log(`building the Neo4j launcher (${stale}): mvn -q -B package in ${LAUNCHER_DIR}`);
    const started = Date.now();
    await runCommand('mvn', ['-q', '-B', 'package'], path.join(rootDir, LAUNCHER_DIR));
    await writeFile(path.join(rootDir, LAUNCHER_STAMP), new Date().toISOString() + '\n');
    log(`built the Neo4j launcher in ${seconds(Date.now() - started)}`);
  });
}

async function aptInstall(packages: string[], log: Log): Promise<void> {
  if (!(await commandExists('apt-get'))) {
    throw new Error(`missing ${packages.join(', ')}; install them with your package manager (no apt-get here)`);
  }
  log(`installing ${packages.join(' ')} with apt-get`);
  await aptGet(['update', '-qq']);
  await aptGet(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
}

/** apt-get as root (sudo -n when we are not root, so it fails rather than prompts), never interactive. */
async function aptGet(args: string[]): Promise<void> {
  // `env` sets DEBIAN_FRONTEND for apt without touching (or reading) this process's environment.
  const aptArgs = ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
  if (process.getuid?.() === 0) await runCommand('env', aptArgs);
  else await runCommand('sudo', ['-n', 'env', ...aptArgs]);
}

/** Why the launcher needs a (re)build, or undefined when it is current. */
async function launcherStaleReason(rootDir: string): Promise<string | undefined> {
  const stamp = await mtime(path.join(rootDir, LAUNCHER_STAMP));
  if (stamp === undefined || !existsSync(path.join(rootDir, LAUNCHER_JAR))) return 'no build yet';
  const launcherDir = path.join(rootDir, LAUNCHER_DIR);
  const sources = [path.join(launcherDir, 'pom.xml'), ...(await listFiles(path.join(launcherDir, 'src')))];
  for (const file of sources) {
    if (((await mtime(file)) ?? 0) > stamp) return `${path.relative(rootDir, file)} changed`;
  }
  return undefined;
}

async function mtime(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

export interface LocalServicesOptions {
  profile: LocalProfile;
  /** Repository root. Default: derived from this module's location. */
  rootDir?: string;
  /** Ports for a throwaway instance (tests). Default: the profile's ports from docs/design.md. */
  ports?: ServicePorts;
  /** State directory, absolute or relative to rootDir. Default: `.data/<profile>`. */
  dataDir?: string;
  /** How long to wait for both services to answer. Default 180 s: a cold JVM on a busy two-core machine. */
  startTimeoutMs?: number;
  /** Receives progress lines. Default: stderr with a `[local-services]` prefix. */
  logger?: ServicesLogger;
}

export interface LocalServiceConnection {
  neo4jUri: string;
  neo4jUser: string;
  neo4jPassword: string;
  redisUrl: string;
}

interface Context {
  profile: LocalProfile;
  rootDir: string;
  ports: ServicePorts;
  layout: ProfileLayout;
  log: Log;
}

function context(opts: LocalServicesOptions): Context {
  const rootDir = opts.rootDir ?? defaultRootDir();
  const dataDir = path.resolve(rootDir, opts.dataDir ?? path.join('.data', opts.profile));
  return {
    profile: opts.profile,
    rootDir,
    ports: opts.ports ?? PROFILE_PORTS[opts.profile],
    layout: profileLayout(dataDir),
    log: logFn(opts.logger),
  };
}

/**
 * Starts the profile's Neo4j and Redis unless they already run, and returns how to connect.
 * Idempotent: running services (pid file naming our live process) are reused after a connectivity check;
 * stale pid files are removed. A fresh start waits until Bolt accepts an authenticated connection and Redis
 * answers PING, or fails with the tail of the service's log.
 */
export async function ensureLocalServices(opts: LocalServicesOptions): Promise<LocalServiceConnection> {
  const ctx = context(opts);
  const deadline = Date.now() + (opts.startTimeoutMs ?? 180_000);
  const jar = path.join(ctx.rootDir, LAUNCHER_JAR);
  if (!existsSync(jar)) throw new Error(`${jar} is missing; run \`npm run setup\` first`);

  return withFileLock(ctx.layout.startLock, deadline - Date.now(), async () => {
    const { layout } = ctx;
    await Promise.all([layout.logsDir, layout.runDir, layout.redisDir, layout.neo4jHome].map(mkdirp));
    const conn = connectionFor(ctx, await ensurePassword(layout));
    await Promise.all([
      ensureService(neo4jService(ctx, conn, jar), deadline, ctx.log),
      ensureService(redisService(ctx, conn), deadline, ctx.log),
    ]);
    return conn;
  });
}

function connectionFor(ctx: Context, neo4jPassword: string): LocalServiceConnection {
  return {
    neo4jUri: `bolt://127.0.0.1:${ctx.ports.neo4jBolt}`,
    neo4jUser: NEO4J_USER,
    neo4jPassword,
    redisUrl: `redis://127.0.0.1:${ctx.ports.redis}`,
  };
}

async function mkdirp(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

/** The profile's Neo4j password: generated once, then read back; the store is initialised with it. */
async function ensurePassword(layout: ProfileLayout): Promise<string> {
  const file = layout.neo4jPasswordFile;
  if (existsSync(file)) {
    await chmod(file, 0o600);
    return (await readFile(file, 'utf8')).trim();
  }
  if (existsSync(layout.neo4jSystemDb)) {
    throw new Error(
      `${file} is missing but ${layout.neo4jHome} was initialised with the password it held; ` +
        `restore the file, or delete ${layout.neo4jHome} to start from an empty database`,
    );
  }
  const password = generatePassword();
  await writeFile(file, password + '\n', { mode: 0o600, flag: 'wx' });
  return password;
}

/**
 * A local service password: 32 hex digits (128 bits). Only `[0-9a-f]`, so it can never start with `-`, which
 * `neo4j-admin dbms set-initial-password` reads as an option (base64url could, once in 64 starts).
 */
export function generatePassword(bytes: Uint8Array = randomBytes(16)): string {
  return Buffer.from(bytes).toString('hex');
}

/** How to start one service, recognise it, and tell whether it answers. */
interface ServiceSpec {
  name: 'neo4j' | 'redis';
  pidFile: string;
  logFile: string;
  /** Substrings of the command line that identify our process (any one suffices). */
  markers: string[];
  ports: number[];
  start(): Promise<DetachedChild>;
  /** Resolves true once the service answers, false while it is not there yet; throws on a fatal answer. */
  probe(): Promise<boolean>;
  close(): Promise<void>;
}

async function ensureService(spec: ServiceSpec, deadline: number, log: Log): Promise<void> {
  try {
    const current = await pidFileState(spec.pidFile, spec.markers);
    if (current.state === 'running') {
      await waitUntilReady(spec, deadline, () => (isProcessAlive(current.pid) ? undefined : 'gone'));
      log(`${spec.name}: already running (pid ${current.pid})`);
      return;
    }
    if (current.state === 'stale') {
      log(`${spec.name}: removing stale pid file ${spec.pidFile} (pid ${current.pid}: ${current.reason})`);
      await rm(spec.pidFile, { force: true });
    }
    for (const port of spec.ports) {
      if (await isPortOpen(port)) {
        throw new Error(
          `${spec.name}: 127.0.0.1:${port} is already in use by a process this profile did not start ` +
            `(stop it, or use another profile)`,
        );
      }
    }

    const started = Date.now();
    const child = await spec.start();
    await writeFile(spec.pidFile, `${child.pid}\n`);
    try {
      await waitUntilReady(spec, deadline, child.exited);
    } catch (error) {
      // Never leave a half-started service behind holding the ports and the store lock.
      await terminate(child.pid, 10_000);
      await rm(spec.pidFile, { force: true });
      throw error;
    }
    log(`${spec.name}: started in ${seconds(Date.now() - started)} (pid ${child.pid}, log ${spec.logFile})`);
  } finally {
    await spec.close();
  }
}

async function waitUntilReady(
  spec: ServiceSpec,
  deadline: number,
  exited: () => number | string | undefined,
): Promise<void> {
  for (;;) {
    const exit = exited();
    if (exit !== undefined) {
      throw new Error(`${spec.name} exited (${exit}) before it was ready; log tail:\n${await tailFile(spec.logFile)}`);
    }
    if (await spec.probe()) return;
    if (Date.now() > deadline) {
      throw new Error(`${spec.name} did not become ready in time; log tail:\n${await tailFile(spec.logFile)}`);
    }
    await sleep(250);
  }
}

function neo4jService(ctx: Context, conn: LocalServiceConnection, jar: string): ServiceSpec {
  const { layout, ports } = ctx;
  const driver = neo4j.driver(conn.neo4jUri, neo4j.auth.basic(conn.neo4jUser, conn.neo4jPassword), {
    connectionTimeout: 2_000,
    maxConnectionPoolSize: 1,
  });
  return {
    name: 'neo4j',
    pidFile: layout.neo4jPidFile,
    logFile: layout.neo4jLog,
    markers: [layout.neo4jHome],
    ports: [ports.neo4jBolt, ports.neo4jHttp],
    start: () =>
      spawnDetached(
        'java',
        [
          ...NEO4J_JVM_FLAGS,
          '-jar',
          jar,
          '--home',
          layout.neo4jHome,
          '--bolt-port',
          String(ports.neo4jBolt),
          '--http-port',
          String(ports.neo4jHttp),
          '--password-file',
          layout.neo4jPasswordFile,
        ],
        { logFile: layout.neo4jLog, cwd: layout.dataDir },
      ),
    probe: async () => {
      try {
        await driver.verifyConnectivity();
        // Bolt opens a moment before HTTP; "ready" means the Browser answers too.
        return await isPortOpen(ports.neo4jHttp);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (code.startsWith('Neo.ClientError.Security.')) {
          throw new Error(
            `neo4j at ${conn.neo4jUri} rejected the password in ${layout.neo4jPasswordFile} (${code}); ` +
              `it is not the one ${layout.neo4jHome} was initialised with`,
          );
        }
        return false;
      }
    },
    close: () => driver.close(),
  };
}

function redisService(ctx: Context, conn: LocalServiceConnection): ServiceSpec {
  const { layout, ports } = ctx;
  return {
    name: 'redis',
    pidFile: layout.redisPidFile,
    logFile: layout.redisLog,
    // redis-server retitles itself "redis-server 127.0.0.1:<port>"; before that argv names our config file.
    markers: [`127.0.0.1:${ports.redis}`, layout.redisConf],
    ports: [ports.redis],
    start: async () => {
      await writeFile(layout.redisConf, redisConfig(layout, ports.redis));
      return spawnDetached('redis-server', [layout.redisConf], { logFile: layout.redisLog, cwd: layout.redisDir });
    },
    probe: () => redisAnswersPing(conn.redisUrl),
    close: async () => {},
  };
}

/** Regenerated on every start so config changes here apply; production settings per ARCHITECTURE.md. */
function redisConfig(layout: ProfileLayout, port: number): string {
  return [
    '# Generated by src/services/local-services.ts on each start; edits here are overwritten.',
    'bind 127.0.0.1',
    `port ${port}`,
    // Explicit, so a distro default cannot change behaviour; with a loopback-only bind it never refuses anyone.
    'protected-mode yes',
    'daemonize no',
    'supervised no',
    'logfile ""',
    `dir ${JSON.stringify(layout.redisDir)}`, // quoted: checkouts may live under paths with spaces
    // BullMQ needs every job kept: durable within a second, and errors rather than silent eviction when full.
    'appendonly yes',
    'appendfsync everysec',
    'maxmemory-policy noeviction',
    // The AOF is the persistence; periodic RDB snapshots would only cost CPU on a shared machine.
    'save ""',
    '',
  ].join('\n');
}

async function redisAnswersPing(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // connection refusals are expected while starting; reported by the caller
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export type ServiceState = 'running' | 'starting' | 'stopped' | 'stale';

export interface ServiceStatus {
  name: 'neo4j' | 'redis';
  /** running: our process, port open; starting: our process, port not yet open; stale: pid file names no live process of ours. */
  state: ServiceState;
  pid?: number;
  /** Where to connect (Browser URL for Neo4j). */
  urls: string[];
  logFile: string;
  /** Extra facts, e.g. a port held by some other program while we are stopped. */
  detail?: string;
}

export interface LocalServicesStatus {
  profile: LocalProfile;
  dataDir: string;
  neo4j: ServiceStatus;
  redis: ServiceStatus;
}

export type LocalServicesTarget = Pick<LocalServicesOptions, 'profile' | 'rootDir' | 'ports' | 'dataDir'>;

/** Read-only report of the profile's services; changes nothing (stale pid files are reported, not removed). */
export async function localServicesStatus(opts: LocalServicesTarget): Promise<LocalServicesStatus> {
  const ctx = context(opts);
  const { layout, ports } = ctx;
  const [neo4jStatus, redisStatus] = await Promise.all([
    serviceStatus('neo4j', layout.neo4jPidFile, [layout.neo4jHome], ports.neo4jBolt, layout.neo4jLog, [
      `bolt://127.0.0.1:${ports.neo4jBolt}`,
      `http://127.0.0.1:${ports.neo4jHttp}/browser/`,
    ]),
    serviceStatus('redis', layout.redisPidFile, [`127.0.0.1:${ports.redis}`, layout.redisConf], ports.redis, layout.redisLog, [
      `redis://127.0.0.1:${ports.redis}`,
    ]),
  ]);
  return { profile: ctx.profile, dataDir: layout.dataDir, neo4j: neo4jStatus, redis: redisStatus };
}

async function serviceStatus(
  name: ServiceStatus['name'],
  pidFile: string,
  markers: string[],
  port: number,
  logFile: string,
  urls: string[],
): Promise<ServiceStatus> {
  const [pid, portOpen] = await Promise.all([pidFileState(pidFile, markers), isPortOpen(port)]);
  switch (pid.state) {
    case 'running':
      return { name, state: portOpen ? 'running' : 'starting', pid: pid.pid, urls, logFile };
    case 'stale':
      return { name, state: 'stale', pid: pid.pid, urls, logFile, detail: `${pidFile}: ${pid.reason}` };
    case 'absent':
      return {
        name,
        state: 'stopped',
        urls,
        logFile,
        ...(portOpen ? { detail: `port ${port} is in use by another program` } : {}),
      };
  }
}

export type StopOutcome = 'terminated' | 'killed' | 'not-running' | 'stale-pid-file-removed';

/**
 * Stops the profile's services: SIGTERM (Neo4j checkpoints and closes its store; Redis flushes its AOF),
 * SIGKILL if still alive after the grace period, then removes the pid files.
 */
export async function stopLocalServices(
  opts: LocalServicesTarget & { logger?: ServicesLogger },
): Promise<Record<'neo4j' | 'redis', StopOutcome>> {
  const ctx = context(opts);
  const { layout, ports } = ctx;
  return withFileLock(layout.startLock, 60_000, async () => {
    const [neo4jOutcome, redisOutcome] = await Promise.all([
      stopService(layout.neo4jPidFile, [layout.neo4jHome], 60_000),
      stopService(layout.redisPidFile, [`127.0.0.1:${ports.redis}`, layout.redisConf], 15_000),
    ]);
    ctx.log(`neo4j: ${neo4jOutcome}; redis: ${redisOutcome}`);
    return { neo4j: neo4jOutcome, redis: redisOutcome };
  });
}

async function stopService(pidFile: string, markers: string[], graceMs: number): Promise<StopOutcome> {
  const current = await pidFileState(pidFile, markers);
  let outcome: StopOutcome = 'not-running';
  if (current.state === 'running') {
    const result = await terminate(current.pid, graceMs);
    outcome = result === 'not-running' ? 'terminated' : result;
  } else if (current.state === 'stale') {
    outcome = 'stale-pid-file-removed';
  }
  await rm(pidFile, { force: true });
  return outcome;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
