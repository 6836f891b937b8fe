import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { InferenceService } from '../inference/index.js';
import { modelAccess } from './model.stages.js';

/** An inference service whose manifest has the given models, each trained for the given languages. */
function fakeInference(built: Record<string, string[]>): InferenceService {
  return {
    registry: {
      has: async (name: string) => name in built,
      spec: async (name: string) => ({ languages: built[name] ?? [] }),
    },
    nerModel: (language: string) => (language === 'zh' ? 'ner-zh-int8' : 'ner'),
    tokenClassify: async (_text: string, model: string) => [{ text: model, type: 'PER', start: 0, end: 1, score: 1 }],
  } as unknown as InferenceService;
}

const logger = pino({ level: 'silent' });

describe('modelAccess: which tagger a document language gets', () => {
  it('gives English and Chinese their own taggers, and nothing to a language neither was trained for', async () => {
    const m = await modelAccess(fakeInference({ ner: ['en'], 'ner-zh-int8': ['zh'] }), { embedding: 'e' }, logger);
    expect([m.nerModel('en'), m.nerModel('zh-CN'), m.nerModel('fr')]).toEqual(['ner', 'ner-zh-int8', null]);
    expect((await m.ner('x', 'zh'))[0]?.text).toBe('ner-zh-int8');
    expect(await m.ner('x', 'fr')).toEqual([]);
  });

  it('tags only the languages INGEST_NER_LANGUAGES names, and none for a tagger that is not built', async () => {
    const m = await modelAccess(fakeInference({ ner: ['en'], 'ner-zh-int8': ['zh'] }), { embedding: 'e', nerLanguages: ['en'] }, logger);
    expect([m.nerModel('en'), m.nerModel('zh')]).toEqual(['ner', null]);
    const unbuilt = await modelAccess(fakeInference({ ner: ['en'] }), { embedding: 'e' }, logger);
    expect([unbuilt.nerModel('en'), unbuilt.nerModel('zh')]).toEqual(['ner', null]);
  });
});
