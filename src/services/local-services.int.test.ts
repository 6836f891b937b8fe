import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import neo4j from 'neo4j-driver';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  ensureLocalServices,
  localServicesStatus,
  type ServicePorts,
  stopLocalServices,
} from './local-services.js';
import { freePort, isPortOpen } from './processes.js';
import { profileLayout } from './profiles.js';
import { testServices } from '../../test/service-slot.js';

const quiet = { info: () => {} };

describe('the test profile (started by test/global-setup.ts)', () => {
  it('reuses-the-running-services-with-the-same-pids', async () => {
    const before = await localServicesStatus(testServices());
    expect(before.neo4j.state).toBe('running');
    expect(before.redis.state).toBe('running');

    const again = await ensureLocalServices({ ...testServices(), logger: quiet });

    expect(again).toEqual(inject('services'));
    const after = await localServicesStatus(testServices());
    expect(after.neo4j.pid).toBe(before.neo4j.pid);
    expect(after.redis.pid).toBe(before.redis.pid);
  });
});

/** The pid of a process that has already exited: what a pid file holds after a crash or a reboot. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

describe('a throwaway instance (own ports and data dir)', () => {
  let dataDir: string | undefined;
  let ports: ServicePorts | undefined;

  afterAll(async () => {
    if (dataDir === undefined || ports === undefined) return;
    await stopLocalServices({ profile: 'test', dataDir, ports, logger: quiet });
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'cleans-stale-pid-files-then-starts-with-auth-and-stops',
    async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'answergraph-services-'));
      ports = { neo4jBolt: await freePort(), neo4jHttp: await freePort(), redis: await freePort() };
      const target = { profile: 'test' as const, dataDir, ports };
      const layout = profileLayout(dataDir);

      await mkdir(layout.runDir, { recursive: true });
      const dead = await deadPid();
      await writeFile(layout.neo4jPidFile, `${dead}\n`);
      await writeFile(layout.redisPidFile, `${dead}\n`);
      const stale = await localServicesStatus(target);
      expect([stale.neo4j.state, stale.redis.state]).toEqual(['stale', 'stale']);

      const lines: string[] = [];
      const c = await ensureLocalServices({ ...target, logger: { info: (l) => lines.push(l) } });
      expect(lines.filter((l) => l.includes('removing stale pid file'))).toHaveLength(2);
      expect((await stat(layout.neo4jPasswordFile)).mode & 0o777).toBe(0o600);
      const running = await localServicesStatus(target);
      expect([running.neo4j.state, running.redis.state]).toEqual(['running', 'running']);

      // Authentication is on: the generated password works, a wrong one is refused.
      const wrong = neo4j.driver(c.neo4jUri, neo4j.auth.basic('neo4j', 'not-the-password'));
      await expect(wrong.verifyConnectivity()).rejects.toMatchObject({ code: 'Neo.ClientError.Security.Unauthorized' });
      await wrong.close();

      const redis = new Redis(c.redisUrl);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      redis.disconnect();

      expect(await stopLocalServices({ ...target, logger: quiet })).toEqual({ neo4j: 'terminated', redis: 'terminated' });
      const stopped = await localServicesStatus(target);
      expect([stopped.neo4j.state, stopped.redis.state]).toEqual(['stopped', 'stopped']);
      expect(existsSync(layout.neo4jPidFile) || existsSync(layout.redisPidFile)).toBe(false);
      expect(await isPortOpen(ports.neo4jBolt)).toBe(false);
    },
    // One cold Neo4j start; a loaded two-core machine can take a while.
    180_000,
  );
});
