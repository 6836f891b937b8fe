/**
 * `npm run services:up|down|status -- [--profile dev|test]`: the local Neo4j and Redis by hand.
 * Exit codes: 0 ok (status: everything running), 1 failure, 2 usage, 3 status: not everything running.
 */
import path from 'node:path';
import {
  ensureLocalServices,
  localServicesStatus,
  type ServiceStatus,
  type ServicesLogger,
  stopLocalServices,
} from './local-services.js';
import { defaultRootDir, isLocalProfile, LOCAL_PROFILES, type LocalProfile, profileLayout } from './profiles.js';

const USAGE = `usage: services <up|down|status> [--profile ${LOCAL_PROFILES.join('|')}]  (default profile: dev)`;

type Command = 'up' | 'down' | 'status';

function parseArgs(argv: string[]): { command: Command; profile: LocalProfile } {
  const [command, ...rest] = argv;
  if (command !== 'up' && command !== 'down' && command !== 'status') throw new UsageError(USAGE);
  let profile: LocalProfile = 'dev';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const value = arg.startsWith('--profile=') ? arg.slice('--profile='.length) : arg === '--profile' ? rest[++i] : undefined;
    if (value === undefined || !isLocalProfile(value)) {
      throw new UsageError(`bad argument "${value === undefined ? arg : value}"\n${USAGE}`);
    }
    profile = value;
  }
  return { command, profile };
}

class UsageError extends Error {}

const logger: ServicesLogger = { info: (line) => console.log(`  ${line}`) };

function describe(service: ServiceStatus): string {
  const pid = service.pid === undefined ? '' : ` pid ${service.pid}`;
  const detail = service.detail === undefined ? '' : `  (${service.detail})`;
  return `  ${service.name.padEnd(6)} ${service.state.padEnd(8)}${pid}  ${service.urls.join('  ')}${detail}`;
}

async function main(argv: string[]): Promise<number> {
  const { command, profile } = parseArgs(argv);
  const rootDir = defaultRootDir();
  const layout = profileLayout(path.join(rootDir, '.data', profile));
  const where = path.relative(process.cwd(), layout.dataDir) || '.';

  switch (command) {
    case 'up': {
      console.log(`starting local services, profile ${profile} (${where})`);
      const c = await ensureLocalServices({ profile, rootDir, logger });
      // The password itself stays out of terminals and CI logs; it is one `cat` away.
      console.log(`neo4j  ${c.neo4jUri}  user ${c.neo4jUser}  password in ${path.relative(process.cwd(), layout.neo4jPasswordFile)}`);
      const status = await localServicesStatus({ profile, rootDir });
      console.log(`       Browser ${status.neo4j.urls[1] ?? ''}`);
      console.log(`redis  ${c.redisUrl}`);
      return 0;
    }
    case 'down': {
      console.log(`stopping local services, profile ${profile} (${where})`);
      await stopLocalServices({ profile, rootDir, logger });
      return 0;
    }
    case 'status': {
      const status = await localServicesStatus({ profile, rootDir });
      console.log(`local services, profile ${profile} (${where})`);
      console.log(describe(status.neo4j));
      console.log(describe(status.redis));
      return status.neo4j.state === 'running' && status.redis.state === 'running' ? 0 : 3;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(`services: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
