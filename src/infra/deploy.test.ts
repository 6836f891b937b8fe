import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { configVariables, loadConfig } from '../config/config.js';

/**
 * The deployment artefacts, checked without a cluster: every Kubernetes manifest is rendered the way
 * `kubectl apply -k` would for what kustomization.yaml uses (labels, image override) and validated
 * against the Kubernetes OpenAPI schemas (kubernetes-models), then checked for what the platform needs
 * (probes on /readyz, config from the ConfigMap and the Secret, autoscaling on CPU and queue depth, a
 * non-root image). The Dockerfile is checked for its stages, user, health check and the paths it copies.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = path.join(root, 'deploy', 'kubernetes');

type Doc = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
};

function readDocs(file: string): Doc[] {
  return parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
    return d.toJS() as Doc;
  });
}

interface Kustomization {
  resources: string[];
  labels?: Array<{ pairs: Record<string, string> }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

/** What `kustomize build` does with the features kustomization.yaml uses: common labels and image overrides. */
function render(): Doc[] {
  const k = readDocs('kustomization.yaml')[0] as unknown as Kustomization;
  const docs = k.resources.flatMap(readDocs);
  for (const doc of docs) {
    for (const l of k.labels ?? []) doc.metadata.labels = { ...doc.metadata.labels, ...l.pairs };
    const containers = (doc as { spec?: { template?: { spec?: { containers?: Array<{ image: string }> } } } }).spec?.template?.spec?.containers ?? [];
    for (const c of containers) {
      const over = k.images?.find((i) => i.name === c.image.split(':')[0]);
      if (over) c.image = `${over.newName ?? over.name}:${over.newTag ?? 'latest'}`;
    }
  }
  return docs;
}

const rendered = render();
const byKind = (kind: string) => rendered.filter((d) => d.kind === kind);
const named = (kind: string, name: string) => {
  const d = rendered.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`no ${kind} ${name}`);
  return d as never as { spec: Record<string, never> } & Doc;
};

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it.each([...rendered.map((d) => [`${d.kind} ${d.metadata.name}`, d] as const), ...readDocs('secret.example.yaml').map((d) => [`${d.kind} ${d.metadata.name} (example)`, d] as const)])(
    'validates %s against the Kubernetes schema',
    (_, doc) => {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `no schema for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(() => new Model!(doc as never).validate()).not.toThrow();
    },
  );

  it.each(['answergraph-api', 'answergraph-worker'])('runs %s non-root, probed on /readyz, configured from the ConfigMap and the Secret', (name) => {
    const d = named('Deployment', name) as unknown as { spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { securityContext: { runAsNonRoot: boolean }; containers: Array<Record<string, never>> } } } };
    const pod = d.spec.template;
    expect(pod.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    const [c] = pod.spec.containers as unknown as Array<{
      image: string;
      args: string[];
      ports: Array<{ name: string; containerPort: number }>;
      readinessProbe: { httpGet: { path: string; port: string } };
      livenessProbe: { httpGet: { path: string } };
      envFrom: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
      securityContext: { allowPrivilegeEscalation: boolean };
    }>;
    expect(c!.image).toBe('registry.example.com/answergraph:0.1.0');
    expect(c!.args).toEqual([name.endsWith('api') ? 'api' : 'worker']);
    expect(c!.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c!.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c!.ports).toContainEqual({ name: 'http', containerPort: 4000 });
    expect(c!.envFrom).toEqual([{ configMapRef: { name: 'answergraph-config' } }, { secretRef: { name: 'answergraph-secrets' } }]);
    expect(c!.securityContext.allowPrivilegeEscalation).toBe(false);
  });

  it('routes the Service to the API pods', () => {
    const svc = named('Service', 'answergraph-api') as unknown as { spec: { selector: Record<string, string>; ports: Array<{ targetPort: string }> } };
    const api = named('Deployment', 'answergraph-api') as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } };
    expect(api.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    expect(svc.spec.ports[0]!.targetPort).toBe('http');
  });

  it('scales the API on CPU and the workers on CPU and the ingestion backlog', () => {
    const hpas = byKind('HorizontalPodAutoscaler') as unknown as Array<{ metadata: { name: string }; spec: { scaleTargetRef: { name: string }; metrics: Array<{ type: string; resource?: { name: string }; external?: { metric: { name: string; selector: { matchLabels: Record<string, string> } } } }> } }>;
    for (const h of hpas) expect(rendered.some((d) => d.kind === 'Deployment' && d.metadata.name === h.spec.scaleTargetRef.name)).toBe(true);
    const worker = hpas.find((h) => h.metadata.name === 'answergraph-worker')!;
    expect(worker.spec.metrics.map((m) => m.resource?.name ?? m.external?.metric.name)).toEqual(['cpu', 'answergraph_ingestion_queue_jobs']);
    expect(worker.spec.metrics[1]!.external!.metric.selector.matchLabels).toEqual({ state: 'wait' });
    expect(hpas.find((h) => h.metadata.name === 'answergraph-api')!.spec.metrics[0]!.resource!.name).toBe('cpu');
  });

  it('holds only known variables: plain ones in the ConfigMap, secrets in the Secret, and together they load', () => {
    const known = new Map(configVariables.map((v) => [v.name, v]));
    const config = (named('ConfigMap', 'answergraph-config') as unknown as { data: Record<string, string> }).data;
    const secret = (readDocs('secret.example.yaml')[0] as unknown as { stringData: Record<string, string> }).stringData;
    for (const name of Object.keys(config)) {
      expect(known.has(name), `${name} is not a configuration variable`).toBe(true);
      expect(known.get(name)!.secret, `${name} is secret: it belongs in the Secret`).toBe(false);
    }
    for (const name of Object.keys(secret)) expect(known.get(name)?.secret, `${name} is not a secret variable`).toBe(true);
    const loaded = loadConfig({ ...config, ...secret });
    expect(loaded.neo4j.uri).toMatch(/^neo4j\+s:\/\//);
    expect(loaded.redis.url).toMatch(/^redis\+cluster:\/\//);
    expect(loaded.qdrant).toMatchObject({ shards: 6, replicationFactor: 2 });
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const lines = dockerfile.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('builds in stages and runs as a non-root user with a health check', () => {
    const stages = lines.filter((l) => /^FROM /.test(l));
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.map((l) => l.split(/\s+AS\s+/i)[1])).toEqual(expect.arrayContaining(['build', 'runtime', 'with-models']));
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime.indexOf('USER node')).toBeLessThan(runtime.indexOf('ENTRYPOINT'));
    expect(runtime).toMatch(/HEALTHCHECK .*\n?.*\/readyz/);
    expect(runtime).toMatch(/ENTRYPOINT \["node", "dist\/main.js"\]/);
    // The last stage is the default target: the runtime without baked-in models.
    expect(stages.at(-1)).toMatch(/^FROM runtime AS app$/);
  });

  it('copies only paths that exist, and .dockerignore keeps local state and datasets out', () => {
    const copies = lines.filter((l) => /^COPY /.test(l) && !/--from=/.test(l)).flatMap((l) => l.replace(/^COPY\s+(--\S+\s+)*/, '').split(/\s+/).slice(0, -1));
    expect(copies.length).toBeGreaterThan(3);
    for (const p of copies) expect(existsSync(path.join(root, p)), p).toBe(true);
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['.data', 'node_modules', 'training', '.env']) expect(ignored).toContain(p);
    // What the runtime reads from outside dist/ is copied (the model catalogue, the ranker weights).
    expect(copies).toEqual(expect.arrayContaining(['training/models.json', 'src/retrieval/ranker-weights.json', 'cypher', 'seeds']));
    expect(ignored).toContain('!training/models.json');
  });
});
