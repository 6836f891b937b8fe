import { describe, expect, it } from 'vitest';
import { Gazetteer } from './gazetteer.js';
import type { ChunkData, EntityCandidate } from './ingestion.types.js';
import { defaultResolveOptions, resolveStage, type NearestEntity } from './resolve.stages.js';

const gazetteer = new Gazetteer([
  { id: 'e1', key: 'northwind x5', name: 'Northwind X5', type: 'Product', aliases: ['NW-X5', 'X5', '北风X5'] },
  { id: 'e2', key: 'northwind care+', name: 'Northwind Care+', type: 'Service', aliases: ['Care+', '北风无忧保'] },
]);
const ctx = { logger: undefined as never, progress: () => undefined };

function resolve(text: string, candidates: EntityCandidate[], nearest: Array<[string, NearestEntity]> = []) {
  const chunks: ChunkData[] = [{ index: 0, start: 0, end: text.length, text }];
  return resolveStage(defaultResolveOptions).run({ text, chunks, candidates, drafts: [], gazetteer, nearest: new Map(nearest), nameEmbeddings: {} }, ctx);
}

const candidate = (text: string, at: string, extra: Partial<EntityCandidate> = {}): EntityCandidate => ({
  start: at.indexOf(text),
  end: at.indexOf(text) + text.length,
  text,
  type: 'Product',
  source: 'pattern',
  confidence: 0.9,
  ...extra,
});

describe('entity resolution', () => {
  it('finds known names and aliases in both scripts, longest first', async () => {
    const r = await resolve('Care+ protects the Northwind X5; 北风无忧保也覆盖北风X5。', []);
    expect(r.mentions.map((m) => [m.text, m.key])).toEqual([
      ['Care+', 'northwind care+'],
      ['Northwind X5', 'northwind x5'],
      ['北风无忧保', 'northwind care+'],
      ['北风X5', 'northwind x5'],
    ]);
    expect(r.newEntities).toEqual([]);
  });

  it('matches product codes without separators or case', async () => {
    const text = 'Order a case for the nw x5 today.';
    const r = await resolve(text, [candidate('nw x5', text)]);
    expect(r.mentions.map((m) => m.key)).toEqual(['northwind x5']);
  });

  it('links a close embedding match, suggests a merge for an uncertain one, and creates the rest', async () => {
    const text = 'The NW-X9 and the NW-Q1 and the NW-Z7 are new.';
    const r = await resolve(
      text,
      [candidate('NW-X9', text), candidate('NW-Q1', text), candidate('NW-Z7', text)],
      [
        ['nw-x9', { id: 'e1', key: 'northwind x5', name: 'Northwind X5', score: 0.95 }],
        ['nw-q1', { id: 'e2', key: 'northwind care+', name: 'Northwind Care+', score: 0.85 }],
        ['nw-z7', { id: 'e2', key: 'northwind care+', name: 'Northwind Care+', score: 0.5 }],
      ],
    );
    expect(r.mentions.map((m) => [m.text, m.key])).toEqual([
      ['NW-X9', 'northwind x5'],
      ['NW-Q1', 'nw-q1'],
      ['NW-Z7', 'nw-z7'],
    ]);
    expect(r.newEntities.map((e) => e.key)).toEqual(['nw-q1', 'nw-z7']);
    expect(r.suggestions).toEqual([{ key: 'nw-q1', candidateId: 'e2', candidateName: 'Northwind Care+', score: 0.85 }]);
  });

  it('gives drafts the entities mentioned inside their passage', async () => {
    const text = 'If your Northwind X5 breaks, use Care+. Nothing here.';
    const chunks: ChunkData[] = [{ index: 0, start: 0, end: text.length, text }];
    const draft = { ref: 'rule-1', start: 0, end: 39, entityKeys: [], reason: '', content: { kind: 'fact' as const, statement: 's', language: 'en', visibility: 'PUBLIC' as const, entities: [], tags: [] } };
    const r = await resolveStage().run({ text, chunks, candidates: [], drafts: [draft], gazetteer, nearest: new Map(), nameEmbeddings: {} }, ctx);
    expect(r.drafts[0]!.content.entities).toEqual(['Northwind X5', 'Northwind Care+']);
  });
});

describe('NER targets', () => {
  it('keeps only sentences with a capitalised word nothing else explains', async () => {
    const { nerTargets } = await import('../inference/ner-gate.js');
    const { splitSentences } = await import('./sentences.js');
    const text = 'The Northwind X5 ships today. Call Jane Tan at the Harbourfront office. We reply in 2 days.';
    const sentences = splitSentences(text);
    const known = gazetteer.find(text);
    expect(nerTargets(text, sentences, known).map((t) => t.text)).toEqual(['Call Jane Tan at the Harbourfront office.']);
  });

  it('keeps Chinese sentences with two or more ideographs outside what is already recognised', async () => {
    const { nerTargets } = await import('../inference/ner-gate.js');
    const { splitSentences } = await import('./sentences.js');
    const text = '请联系上海分行的王经理。好。';
    const targets = nerTargets(text, splitSentences(text), [], { language: 'zh-CN' });
    expect(targets.map((t) => t.text)).toEqual(['请联系上海分行的王经理。']);
    expect(nerTargets(text, splitSentences(text), [{ start: 0, end: 12 }], { language: 'zh' })).toEqual([]);
  });
});
