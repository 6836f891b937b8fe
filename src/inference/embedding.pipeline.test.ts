import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddingPipeline, prefixed } from './embedding.pipeline.js';

/**
 * A registry whose one model "embeds" a text as [length of what it read, 1]: enough to see which
 * string reached the model and that role and text key the cache.
 */
function fakeRegistry(spec: { queryPrefix?: string; passagePrefix?: string }) {
  const seen: string[] = [];
  const model = {
    spec: { name: 'e5', task: 'embedding', maxLength: 512, pooling: 'mean', languages: [], ...spec },
    tokenizer: {
      padId: 0,
      encode: (text: string) => {
        seen.push(text);
        return [...text].map((c) => c.charCodeAt(0));
      },
    },
    session: {
      inputs: [{ name: 'input_ids' }, { name: 'attention_mask' }],
      outputs: [{ name: 'sentence_embedding', type: 'float32' }],
      run: async (feeds: Record<string, { dims: number[] }>) => {
        const [batch] = feeds.input_ids?.dims ?? [0];
        const data = new Float32Array((batch ?? 0) * 2);
        for (let b = 0; b < (batch ?? 0); b++) data.set([seen[seen.length - (batch ?? 0) + b]?.length ?? 0, 1], b * 2);
        return { sentence_embedding: { type: 'float32', data, dims: [batch, 2] } };
      },
    },
  };
  return { seen, registry: { load: async () => model } };
}

describe('EmbeddingPipeline roles', () => {
  const pipelines: EmbeddingPipeline[] = [];
  afterEach(async () => {
    await Promise.all(pipelines.splice(0).map((p) => p.close()));
  });

  it('prepends the manifest prefix of the role (E5: query: / passage:)', async () => {
    const { seen, registry } = fakeRegistry({ queryPrefix: 'query: ', passagePrefix: 'passage: ' });
    const p = new EmbeddingPipeline(registry as never, 'e5', { maxWaitMs: 0 });
    pipelines.push(p);
    await p.embed(['refund'], 'query');
    await p.embed(['refund'], 'passage');
    expect(seen).toEqual(['query: refund', 'passage: refund']);
    expect(await p.prefixes()).toEqual({ query: 'query: ', passage: 'passage: ' });
  });

  it('keys the cache by role and text: a question never gets the vector of a passage with the same words', async () => {
    const { seen, registry } = fakeRegistry({ queryPrefix: 'query: ', passagePrefix: 'passage: ' });
    const p = new EmbeddingPipeline(registry as never, 'e5', { maxWaitMs: 0 });
    pipelines.push(p);
    const [q] = await p.embed(['refund'], 'query');
    const [again] = await p.embed(['refund'], 'query');
    const [passage] = await p.embed(['refund'], 'passage');
    expect(seen).toEqual(['query: refund', 'passage: refund']); // the second query came from the cache
    expect(again).toBe(q);
    expect(passage).not.toBe(q);
  });

  it('embeds the text as it is for a model without prefixes (MiniLM), still cached per role', async () => {
    const { seen, registry } = fakeRegistry({});
    const p = new EmbeddingPipeline(registry as never, 'minilm', { maxWaitMs: 0 });
    pipelines.push(p);
    await p.embed(['refund'], 'query');
    await p.embed(['refund'], 'passage');
    expect(seen).toEqual(['refund', 'refund']);
    expect(prefixed({}, 'x', 'passage')).toBe('x');
  });
});
