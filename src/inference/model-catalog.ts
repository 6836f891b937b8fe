import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MODEL_TASKS } from './manifest.js';

/**
 * The one list of models (`training/models.json`): what `npm run models` builds, what `training/eval.py`
 * re-scores, which model each `eval:models` task scores, and the names the readiness check knows. The
 * manifest (`<modelsDir>/manifest.json`) says what is *built*; this catalog says what *exists*.
 */
const catalogEntrySchema = z
  .object({
    name: z.string().min(1),
    task: z.enum(MODEL_TASKS),
    script: z.string().min(1),
    evalModule: z.string().min(1),
    sources: z.array(z.string()),
    data: z.array(z.string()),
    extraRequirements: z.string().optional(),
    target: z.object({ metric: z.string().min(1), min: z.number() }),
  })
  .passthrough();

const catalogSchema = z.object({
  recipeVersion: z.number().int().positive(),
  profiles: z.record(z.string(), z.union([z.literal('*'), z.array(z.string())])),
  models: z.array(catalogEntrySchema).min(1),
});

export type CatalogEntry = z.infer<typeof catalogEntrySchema>;
export type ModelCatalog = z.infer<typeof catalogSchema>;

export const catalogPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'training', 'models.json');

let cached: ModelCatalog | undefined;

/** The parsed catalog; throws with the file's path and the first problems when it is malformed. */
export function modelCatalog(file = catalogPath): ModelCatalog {
  if (cached && file === catalogPath) return cached;
  const parsed = catalogSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const detail = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '<root>'}: ${i.message}`).join('; ');
    throw new Error(`${file}: ${detail}`);
  }
  const names = new Set<string>();
  for (const m of parsed.data.models) {
    if (names.has(m.name)) throw new Error(`${file}: model "${m.name}" listed twice`);
    names.add(m.name);
  }
  for (const [profile, list] of Object.entries(parsed.data.profiles)) {
    if (list === '*') continue;
    for (const n of list) if (!names.has(n)) throw new Error(`${file}: profile "${profile}" names unknown model "${n}"`);
  }
  if (file === catalogPath) cached = parsed.data;
  return parsed.data;
}

/** The catalog entry of `name`, or undefined when no recipe builds a model of that name. */
export function catalogEntry(name: string): CatalogEntry | undefined {
  return modelCatalog().models.find((m) => m.name === name);
}
