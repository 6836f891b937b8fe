import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configTableMarkdown, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults to an empty environment', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(4000);
    expect(c.neo4j.uri).toBeUndefined();
    expect(c.neo4j.database).toBe('neo4j');
    expect(c.inference.device).toBe('cpu');
    expect(c.isProduction).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT', /got "eighty"/],
    [{ PORT: '70000' }, 'PORT', /to 65535.*got "70000"/],
    [{ NEO4J_URI: 'http://localhost:7474', NEO4J_PASSWORD: 'x' }, 'NEO4J_URI', /neo4j:\/\/ or bolt:\/\//],
    [{ NEO4J_URI: 'neo4j://db:7687' }, 'NEO4J_PASSWORD', /is missing/],
    [{ NEO4J_PASSWORD: 'x' }, 'NEO4J_URI', /is missing/],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL', /redis:\/\//],
    [{ INFERENCE_DEVICE: 'tpu' }, 'INFERENCE_DEVICE', /invalid/],
    [{ ADMIN_API_KEY: 'short' }, 'ADMIN_API_KEY', /at least 24/],
    [{ SEED_ON_EMPTY: 'maybe' }, 'SEED_ON_EMPTY', /true or false/],
  ])('rejects %o naming %s', (env, variable, message) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as ConfigError).message).toMatch(message);
      expect((err as ConfigError).message.split('\n')).toHaveLength(1);
    }
  });

  it('never echoes a secret value in its error', () => {
    expect(() => loadConfig({ ADMIN_API_KEY: 'hunter2' })).toThrow(/^(?!.*hunter2).*$/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).http.port).toBe(4000);
  });
});

describe('README configuration table', () => {
  it('is the table generated from the config module (run `npm run docs:config` after changing config)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = /<!-- config:start -->\n([\s\S]*?)\n<!-- config:end -->/.exec(readme)?.[1];
    expect(section).toBe(configTableMarkdown());
  });
});
