import { describe, expect, it } from 'vitest';
import { LazyModel } from './pipeline-model.js';

const registry = (outcomes: Array<Error | { spec: { name: string; task: string } }>) => {
  let loads = 0;
  return {
    loads: () => loads,
    load: async () => {
      loads++;
      const next = outcomes.shift();
      if (next instanceof Error) throw next;
      return next;
    },
  };
};

describe('LazyModel', () => {
  it('loads once and shares the load', async () => {
    const r = registry([{ spec: { name: 'm', task: 'embedding' } }]);
    const model = new LazyModel(r as never, 'm', () => undefined);
    const [a, b] = await Promise.all([model.get(), model.get()]);
    expect(a).toBe(b);
    expect(r.loads()).toBe(1);
  });

  it('forgets a failed load or a failed check, so the next call tries again', async () => {
    const r = registry([new Error('not built'), { spec: { name: 'm', task: 'ner' } }, { spec: { name: 'm', task: 'embedding' } }]);
    const model = new LazyModel(r as never, 'm', (m) => {
      if (m.spec.task !== 'embedding') throw new Error('wrong task');
    });
    await expect(model.get()).rejects.toThrow('not built');
    await expect(model.get()).rejects.toThrow('wrong task');
    await expect(model.get()).resolves.toMatchObject({ spec: { task: 'embedding' } });
    expect(r.loads()).toBe(3);
  });
});
