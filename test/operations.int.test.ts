import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApi, type TestApi } from './harness.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const scrape = async () => (await fetch(`${api.url}/metrics`)).text();
const value = (text: string, series: string): number | null => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
};

describe('/metrics operations series', () => {
  it('reports readiness, dependencies and the analytics backlog', async () => {
    const text = await scrape();
    const readyz = await fetch(`${api.url}/readyz`);
    // The gauge says what /readyz says (models may still be loading in a busy test run).
    expect(value(text, 'answergraph_ready')).toBe(readyz.status === 200 ? 1 : 0);
    expect(value(text, 'answergraph_dependency_up{dependency="neo4j"}')).toBe(1);
    expect(value(text, 'answergraph_dependency_up{dependency="redis"}')).toBe(1);
    expect(value(text, 'answergraph_analytics_pending_changes')).not.toBeNull();
  });

  it('counts open subscription connections as a gauge that falls when they close', async () => {
    const before = value(await scrape(), 'answergraph_subscription_connections') ?? 0;
    const client = api.ws();
    const events: unknown[] = [];
    const start = await api.gql<{ startConversation: { id: string } }>('mutation { startConversation(input: { channel: "ops-test" }) { id } }');
    const stop = client.subscribe({ query: 'subscription($id: ID!) { conversationEvents(conversationId: $id) { type } }', variables: { id: start.body.data!.startConversation.id } }, { next: (e) => events.push(e), error: () => undefined, complete: () => undefined });
    await eventually(async () => value(await scrape(), 'answergraph_subscription_connections') === before + 1);
    stop();
    await client.dispose();
    await eventually(async () => value(await scrape(), 'answergraph_subscription_connections') === before);
  });

  it('times model runs per model and device after an answer', async () => {
    const start = await api.gql<{ startConversation: { id: string } }>('mutation { startConversation(input: { channel: "ops-test", language: "en" }) { id } }');
    const r = await api.gql('mutation($id: ID!) { sendMessage(conversationId: $id, text: "How do I reset my password?") { id } }', { id: start.body.data!.startConversation.id });
    expect(r.body.errors).toBeUndefined();
    const text = await scrape();
    expect(text).toMatch(/answergraph_model_inference_duration_seconds_count\{model="[^"]+",device="cpu",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/answergraph_model_loaded\{model="[^"]+",device="cpu"\} 1/);
  });
});
