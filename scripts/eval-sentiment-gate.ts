/**
 * `npm run eval:sentiment-gate`
 *
 * Stateless answers read a message's sentiment only to escalate a strongly negative one (negative ≥
 * ESCALATE_NEGATIVE_SENTIMENT, 0.9). English sentiment is a transformer pass; the emotion model is a TF-IDF
 * pass of a millisecond. The gate (dialogue/understanding.ts `NEGATIVE_EMOTION_GATE`) skips the transformer
 * when the emotion model gives angry + sad + fear less than γ. This measures, per γ, how often the
 * transformer still runs and how many of the messages it calls strongly negative the gate keeps: γ is chosen
 * on GoEmotions dev (Reddit comments, many emotional) and reported on banking77 dev (customer questions).
 * Reads ../shared/datasets in place; prints a table and writes bench-results/eval-sentiment-gate.json.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { projectRoot } from '../src/app.js';
import { InferenceService } from '../src/inference/inference.service.js';
import { report } from '../bench/harness.js';
import { NEGATIVE_EMOTION_GATE } from '../src/dialogue/understanding.js';

const datasets = process.env.ANSWERGRAPH_DATASETS_DIR ?? path.resolve(projectRoot, '..', 'shared', 'datasets');
const modelsDir = process.env.ANSWERGRAPH_MODELS_DIR ?? path.join(process.env.HOME ?? '', '.cache', 'answergraph', 'models');

async function main(): Promise<void> {
  const svc = new InferenceService({ modelsDir });
  const goemotions = readFileSync(path.join(datasets, 'goemotions', 'dev.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[0] as string);
  const banking = (parseCsv(readFileSync(path.join(datasets, 'banking77', 'dev.csv'), 'utf8'), { columns: true }) as Array<{ text: string }>).map((r) => r.text);
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const [name, texts] of [['goemotions dev (γ chosen here)', goemotions], ['banking77 dev', banking]] as const) {
      const sentiment = await svc.textClassification(await svc.sentimentModel('en')).classifyBatch(texts);
      const emotion = await svc.textClassification(svc.emotionModel('en')).classifyBatch(texts);
      const strong = sentiment.map((c) => {
        const s = svc.sentimentOf(c);
        return s.label === 'negative' && s.score >= 0.9;
      });
      const negative = emotion.map((c) => (c.scores.angry ?? 0) + (c.scores.sad ?? 0) + (c.scores.fear ?? 0));
      const nStrong = strong.filter(Boolean).length;
      for (const gamma of [0.02, 0.05, 0.1, 0.2]) {
        const runs = negative.map((x) => x >= gamma);
        const kept = strong.filter((s, i) => s && runs[i]).length;
        rows.push({
          set: name,
          n: texts.length,
          'γ': gamma + (gamma === NEGATIVE_EMOTION_GATE ? ' (shipped)' : ''),
          'transformer runs': `${((100 * runs.filter(Boolean).length) / texts.length).toFixed(1)} %`,
          'strongly negative kept': `${kept} / ${nStrong}`,
        });
      }
    }
  } finally {
    await svc.close();
  }
  report('eval-sentiment-gate', rows, { shipped: NEGATIVE_EMOTION_GATE });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
