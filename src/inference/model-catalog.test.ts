import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogEntry, catalogPath, modelCatalog } from './model-catalog.js';

const training = path.dirname(catalogPath);

describe('the model catalog (training/models.json)', () => {
  it('parses, names each model once and every profile names known models', () => {
    const catalog = modelCatalog();
    expect(catalog.models.length).toBeGreaterThan(0);
    expect(new Set(catalog.models.map((m) => m.name)).size).toBe(catalog.models.length);
  });

  it('points at scripts, eval modules and recipe sources that exist', () => {
    const files = new Set(readdirSync(training));
    for (const m of modelCatalog().models) {
      expect(files, `${m.name}: script`).toContain(m.script);
      expect(files, `${m.name}: evalModule`).toContain(`${m.evalModule}.py`);
      for (const s of m.sources) expect(files, `${m.name}: source ${s}`).toContain(s);
      if (m.extraRequirements) expect(files, `${m.name}: extra requirements`).toContain(m.extraRequirements);
      // eval.py calls evaluate(model_dir, entry) of the module
      expect(readFileSync(path.join(training, `${m.evalModule}.py`), 'utf8'), `${m.name}: evaluate()`).toMatch(/^def evaluate\(/m);
    }
  });

  it('is the list the model builder and the Python evaluator read (no second copy of model names)', () => {
    const builder = readFileSync(path.join(training, '..', 'scripts', 'models.mjs'), 'utf8');
    const evaluator = readFileSync(path.join(training, 'eval.py'), 'utf8');
    expect(builder).toContain("'models.json'");
    expect(evaluator).toContain('"models.json"');
    for (const m of modelCatalog().models) {
      expect(builder).not.toContain(`'${m.name}'`);
      expect(evaluator).not.toContain(`"${m.name}"`);
    }
  });

  it('knows a built name and not an unknown one', () => {
    expect(catalogEntry('minilm-embed')?.task).toBe('embedding');
    expect(catalogEntry('no-such-model')).toBeUndefined();
  });
});
