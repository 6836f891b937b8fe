import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dialogueMetrics } from '../dialogue/dialogue.metrics.js';
import { Metrics } from './metrics.js';

const root = new URL('../../', import.meta.url);
const rules = parse(readFileSync(new URL('ops/prometheus/alerts.yml', root), 'utf8')) as { groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> };
const dashboard = JSON.parse(readFileSync(new URL('ops/grafana/answergraph-operations.json', root), 'utf8')) as { uid: string; panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }> };

/** Metrics defined outside this registry: the ingestion queue depth gauge (src/ingestion/ingestion.metrics.ts, read from Redis at scrape). */
const elsewhere = new Set(['answergraph_ingestion_queue_jobs']);

async function registered(): Promise<Set<string>> {
  const m = new Metrics();
  dialogueMetrics(m.registry);
  const names = new Set<string>();
  for (const metric of await m.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${s}`);
  }
  return names;
}

const metricNames = (expr: string) => [...expr.matchAll(/\banswergraph_[a-z0-9_]+/g)].map((m) => m[0]);
const promtool = (() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('alert rules (ops/prometheus/alerts.yml)', () => {
  const all = rules.groups.flatMap((g) => g.rules);

  it.each(['AnswergraphStalledJobs', 'AnswergraphQueueBacklog', 'AnswergraphHighErrorRate', 'AnswergraphHighLatencyP95', 'AnswergraphNotReady'])('has %s', (name) => {
    expect(all.map((r) => r.alert)).toContain(name);
  });

  it('gives every rule an expression, a severity and a summary', () => {
    for (const r of all) {
      expect(typeof r.expr, String(r.alert)).toBe('string');
      expect(['critical', 'warning'], String(r.alert)).toContain((r.labels as Record<string, string>)?.severity);
      expect((r.annotations as Record<string, string>)?.summary, String(r.alert)).toBeTruthy();
      if (r.for !== undefined) expect(String(r.for)).toMatch(/^\d+[smh]$/);
    }
  });

  it('names only metrics the platform exports', async () => {
    const known = await registered();
    for (const r of all) for (const name of metricNames(String(r.expr))) expect(known.has(name) || elsewhere.has(name), `${String(r.alert)}: ${name}`).toBe(true);
  });

  it.skipIf(!promtool)('passes promtool check rules', () => {
    const out = execFileSync('promtool', ['check', 'rules', new URL('ops/prometheus/alerts.yml', root).pathname], { encoding: 'utf8' });
    expect(out).toContain('SUCCESS');
  });
});

describe('Grafana dashboard (ops/grafana/answergraph-operations.json)', () => {
  it('queries only metrics the platform exports, from every panel', async () => {
    const known = await registered();
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(dashboard.uid).toBe('answergraph-ops');
    expect(panels.length).toBeGreaterThan(10);
    for (const p of panels) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) for (const name of metricNames(t.expr)) expect(known.has(name) || elsewhere.has(name), `${p.title}: ${name}`).toBe(true);
    }
  });

  it.each(['answergraph_ingestion_stage_duration_seconds_bucket', 'answergraph_queue_stalled_jobs_total', 'answergraph_model_inference_duration_seconds_bucket', 'answergraph_model_loaded', 'answergraph_dependency_up', 'answergraph_subscription_connections', 'answergraph_ingestion_queue_jobs'])(
    'charts %s',
    (name) => {
      expect(dashboard.panels.some((p) => p.targets?.some((t) => metricNames(t.expr).includes(name)))).toBe(true);
    },
  );
});
