import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApi, type TestApi } from './harness.js';

/**
 * Issue #10 (stateless API role): embedding sweeps and intent training run as background jobs in the
 * worker role; an API replica does no model work of its own and serves what the workers produce.
 * `api` runs no background work (as `node dist/main.js api`); `worker` does (as the worker role).
 */
let api: TestApi;
let worker: TestApi;
const run = randomUUID().slice(0, 8);

interface IntentModelView {
  intents: string[];
  examples: number;
  embeddingModel: string | null;
  trainedAt: string | null;
  training: { state: string } | null;
}
const INTENT_MODEL = '{ intentModel { intents examples embeddingModel trainedAt training } }';

beforeAll(async () => {
  api = await startTestApi({}, { background: false });
  worker = await startTestApi();
}, 180_000);
afterAll(async () => {
  await api?.close();
  await worker?.close();
});

async function importJsonl(records: object[]): Promise<void> {
  const r = await api.gql<{ importKnowledge: { errors: unknown[] } }>('mutation($d: String!) { importKnowledge(format: JSONL, data: $d, publish: true) { errors { line message } } }', {
    d: records.map((x) => JSON.stringify(x)).join('\n'),
  });
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data!.importKnowledge.errors).toEqual([]);
}

const intentModel = async (t: TestApi): Promise<IntentModelView> => {
  const r = await t.gql<{ intentModel: IntentModelView }>(INTENT_MODEL);
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.intentModel;
};

describe('background model work runs in the worker role', () => {
  it('an api replica serves the intent classifier a worker trained after an import, without training one itself', async () => {
    const trainSpy = { calls: 0 };
    const original = api.app.services.dialogue.intents.train.bind(api.app.services.dialogue.intents);
    api.app.services.dialogue.intents.train = (...args) => {
      trainSpy.calls++;
      return original(...args);
    };
    await importJsonl([
      { type: 'intent', externalId: `bg-track-${run}`, name: `track_parcel_${run}`, language: 'en', examples: ['where is my parcel', 'track my delivery', 'has my order shipped', 'when will my package arrive'] },
      { type: 'intent', externalId: `bg-refund-${run}`, name: `refund_${run}`, language: 'en', examples: ['i want my money back', 'refund my order', 'how do i get a refund', 'return for a refund'] },
    ]);
    const served = await eventually(async () => {
      const m = await intentModel(api);
      return m.intents.includes(`track_parcel_${run}`) && m.intents.includes(`refund_${run}`) ? m : null;
    }, 60_000, 200);
    expect(served.examples).toBe(8);
    expect(served.embeddingModel).toBe(api.app.services.retrieval.models.served);
    expect(served.trainedAt).not.toBeNull();
    expect(trainSpy.calls).toBe(0);
    // Both replicas serve the same classifier.
    expect((await intentModel(worker)).trainedAt).toBe(served.trainedAt);
    const answer = await api.gql<{ answer: { intent: { name: string } | null } }>('query { answer(question: "where is my parcel now") { intent { name } } }');
    expect(answer.body.data!.answer.intent?.name).toBe(`track_parcel_${run}`);
  });

  it('embeds knowledge written through an api replica in the worker', async () => {
    await importJsonl([{ type: 'fact', externalId: `bg-fact-${run}`, question: 'Do you ship to Iceland?', answer: 'Yes, we ship to Iceland in 5 working days.', language: 'en', visibility: 'PUBLIC' }]);
    const model = await eventually(async () => {
      const rows = await api.app.services.executor.readText('test/bg-embedded', 'MATCH (k:Knowledge {externalId: $id}) WHERE k.embedding IS NOT NULL RETURN k.embeddingModel AS m', { id: `bg-fact-${run}` });
      return rows[0]?.m as string | undefined;
    }, 60_000, 200);
    expect(model).toBe(api.app.services.retrieval.models.served);
  });

  it('rebuildIntentModel queues training instead of training in the request, and an unchanged set trains nothing', async () => {
    const before = await intentModel(api);
    const r = await api.gql<{ rebuildIntentModel: IntentModelView }>('mutation { rebuildIntentModel { intents trainedAt } }');
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.rebuildIntentModel.trainedAt).toBe(before.trainedAt);
    // The job runs and finds the same examples: the stored classifier stays.
    await eventually(async () => (await intentModel(api)).training === null, 30_000, 200);
    expect((await intentModel(api)).trainedAt).toBe(before.trainedAt);
  });
});
