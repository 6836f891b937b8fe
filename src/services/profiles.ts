import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Local service profiles; ports match docs/design.md ("Local services (profiles)") and docker-compose.yml. */
export type LocalProfile = 'dev' | 'test';

export const LOCAL_PROFILES: readonly LocalProfile[] = ['dev', 'test'];

export interface ServicePorts {
  neo4jBolt: number;
  neo4jHttp: number;
  redis: number;
}

export const PROFILE_PORTS: Readonly<Record<LocalProfile, Readonly<ServicePorts>>> = {
  dev: { neo4jBolt: 7687, neo4jHttp: 7474, redis: 6379 },
  test: { neo4jBolt: 17687, neo4jHttp: 17474, redis: 16379 },
};

export function isLocalProfile(value: string): value is LocalProfile {
  return (LOCAL_PROFILES as readonly string[]).includes(value);
}

/**
 * The repository root. This file sits two levels below it both as `src/services/*.ts` (tsx) and as
 * `dist/services/*.js` (tsconfig.build.json has rootDir `src`), so one relative hop serves both.
 */
export function defaultRootDir(): string {
  return fileURLToPath(new URL('../..', import.meta.url));
}

/** Every path one profile's services use, all under `.data/<profile>/` unless `dataDir` says otherwise. */
export interface ProfileLayout {
  dataDir: string;
  /** NEO4J_HOME of the launcher: databases, transaction logs and Neo4j's own logs (debug.log, query.log). */
  neo4jHome: string;
  /** Present once Neo4j has initialised its system database, i.e. the password is baked into the store. */
  neo4jSystemDb: string;
  neo4jPasswordFile: string;
  redisDir: string;
  redisConf: string;
  logsDir: string;
  neo4jLog: string;
  redisLog: string;
  runDir: string;
  neo4jPidFile: string;
  redisPidFile: string;
  startLock: string;
}

export function profileLayout(dataDir: string): ProfileLayout {
  const neo4jHome = path.join(dataDir, 'neo4j');
  const logsDir = path.join(dataDir, 'logs');
  const runDir = path.join(dataDir, 'run');
  return {
    dataDir,
    neo4jHome,
    neo4jSystemDb: path.join(neo4jHome, 'data', 'databases', 'system'),
    neo4jPasswordFile: path.join(dataDir, 'neo4j-password'),
    redisDir: path.join(dataDir, 'redis'),
    redisConf: path.join(dataDir, 'redis.conf'),
    logsDir,
    neo4jLog: path.join(logsDir, 'neo4j.log'),
    redisLog: path.join(logsDir, 'redis.log'),
    runDir,
    neo4jPidFile: path.join(runDir, 'neo4j.pid'),
    redisPidFile: path.join(runDir, 'redis.pid'),
    startLock: path.join(runDir, 'start.lock'),
  };
}
