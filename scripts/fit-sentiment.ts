/**
 * `npm run fit:sentiment [-- --train 4000 --write]`
 *
 * Fits, per language, the bar a negative reading of the language's sentiment model must pass to count as
 * *strongly* negative — escalation to a person and NEGATIVE_EMOTION (InferenceService.strongNegativeAbove: the
 * higher of it and ESCALATE_NEGATIVE_SENTIMENT). Labels stay as the model gives them. It was written for the
 * two-class review model, which read 83 % of ATEC's plain questions as negative (40 % at ≥ 0.9); the
 * three-class sentiment-zh learns neutral from such questions, so its bar is expected at the default. Refit
 * whenever sentiment-zh is rebuilt: a bar belongs to the model it was fitted on. On train splits, reported on
 * dev splits, read in place from ../shared/datasets:
 *  - SMP2020-EWECT "usual" (Weibo posts): happy → positive; angry, sad, fear → negative; neutral → neutral
 *    (surprise has no polarity and is left out);
 *  - ATEC questions (customer questions to a payment service) → neutral: train.tsv sentence2s for fitting,
 *    dev.tsv sentence2s for the report.
 * The bar is the smallest (≥ 0.9) at which at most 5 % of the ATEC train questions would escalate. `--write`
 * stores it in src/inference/sentiment-thresholds.json, applied to that model only. Prints a table and writes
 * bench-results/fit-sentiment.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/app.js';
import { InferenceService, SENTIMENT_THRESHOLDS_FILE, loadSentimentThresholds } from '../src/inference/inference.service.js';
import { toSentiment, type SentimentLabel } from '../src/inference/understand.js';
import { mulberry32 } from '../src/inference/softmax-head.js';
import { report } from '../bench/harness.js';

const { values: args } = parseArgs({
  options: {
    train: { type: 'string', default: '4000' },
    write: { type: 'boolean', default: false },
    datasets: { type: 'string', default: path.resolve(projectRoot, '..', 'shared', 'datasets') },
  },
});
const MODEL = 'sentiment-zh';
const NEGATIVE_ESCALATES_ABOVE = 0.9; // ESCALATE_NEGATIVE_SENTIMENT's default
/** The share of plain customer questions (ATEC train) the fitted bar may still escalate. */
const MAX_NEUTRAL_ESCALATED = 0.05;

interface Example {
  text: string;
  gold: SentimentLabel;
  source: 'ewect' | 'atec';
}

const POLARITY: Record<string, SentimentLabel | undefined> = { happy: 'positive', angry: 'negative', sad: 'negative', fear: 'negative', neutral: 'neutral' };

function ewect(split: 'train' | 'dev'): Example[] {
  return readFileSync(path.join(args.datasets, 'smp2020-ewect-usual', `${split}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { text: string; label: string })
    .flatMap((r) => (POLARITY[r.label] ? [{ text: r.text, gold: POLARITY[r.label]!, source: 'ewect' as const }] : []));
}

function atec(split: 'train' | 'dev'): Example[] {
  const seen = new Set<string>();
  return readFileSync(path.join(args.datasets, 'atec', `${split}.tsv`), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split('\t')[2]?.trim() ?? '')
    .filter((t) => t && !seen.has(t) && seen.add(t))
    .map((text) => ({ text, gold: 'neutral' as const, source: 'atec' as const }));
}

function sample<T>(rows: T[], n: number, seed: number): T[] {
  const rand = mulberry32(seed);
  const copy = [...rows];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

interface Scored extends Example {
  scores: Record<string, number>;
}

/** Labels as served (the default 0.7 mapping); `bar`: the negative score from which a message escalates. */
function metrics(rows: Scored[], bar: number) {
  const predicted = rows.map((r) => toSentiment({ label: '', score: 0, scores: r.scores }));
  const escalates = (p: { label: SentimentLabel; score: number }) => p.label === 'negative' && p.score >= bar;
  const share = (source: (r: Scored) => boolean) => {
    const xs = rows.map((r, i) => [r, predicted[i]!] as const).filter(([r]) => source(r));
    return Math.round((xs.filter(([, p]) => escalates(p)).length / Math.max(1, xs.length)) * 1000) / 1000;
  };
  const negativeCorrect = rows.filter((r, i) => r.gold === 'negative' && predicted[i]!.label === 'negative').length / Math.max(1, rows.filter((r) => r.gold === 'negative').length);
  const atec = rows.filter((r) => r.source === 'atec').length;
  const atecNegative = rows.filter((r, i) => r.source === 'atec' && predicted[i]!.label === 'negative').length;
  return {
    atecQuestionsLabelledNegative: Math.round((atecNegative / Math.max(1, atec)) * 1000) / 1000,
    atecQuestionsEscalated: share((r) => r.source === 'atec'),
    negativePostsEscalated: share((r) => r.gold === 'negative'),
    angryOrNegativeLabelled: Math.round(negativeCorrect * 1000) / 1000,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const service = new InferenceService({ modelsDir: process.env.ANSWERGRAPH_MODELS_DIR ?? path.join(os.homedir(), '.cache', 'answergraph', 'models'), device: 'cpu', maxBatch: 32, maxWaitMs: 2, maxQueue: 100_000, cacheSize: 0 });
  const n = Number(args.train);
  const train = [...sample(ewect('train'), Math.round(n * 0.7), 1), ...sample(atec('train'), Math.round(n * 0.3), 2)];
  const dev = [...ewect('dev'), ...sample(atec('dev'), 800, 3)];
  const score = async (rows: Example[]): Promise<Scored[]> => Promise.all(rows.map(async (r) => ({ ...r, scores: (await service.classify(r.text, MODEL)).scores })));
  const [trainScored, devScored] = [await score(train), await score(dev)];

  const grid = Array.from({ length: 100 }, (_, i) => Math.round((0.9 + i * 0.001) * 1000) / 1000);
  // The smallest bar at which at most MAX_NEUTRAL_ESCALATED of the plain customer questions escalate.
  const fitted = grid.find((t) => metrics(trainScored, t).atecQuestionsEscalated <= MAX_NEUTRAL_ESCALATED) ?? grid[grid.length - 1]!;
  const row = (split: string, rows: Scored[], bar: number) => {
    const m = metrics(rows, bar);
    return { split, bar, n: rows.length, 'ATEC questions labelled negative': m.atecQuestionsLabelledNegative, 'ATEC questions escalated': m.atecQuestionsEscalated, 'negative posts escalated': m.negativePostsEscalated, 'negative posts labelled negative': m.angryOrNegativeLabelled };
  };
  const rows = [
    ...[0.9, 0.95, 0.97, 0.98, 0.99].map((t) => row('train', trainScored, t)),
    row('train (fitted)', trainScored, fitted),
    row('dev', devScored, NEGATIVE_ESCALATES_ABOVE),
    row('dev (fitted)', devScored, fitted),
  ];
  console.log(`${MODEL}: strongly negative from ${fitted} (fitted on ${trainScored.length} train examples; ESCALATE_NEGATIVE_SENTIMENT default ${NEGATIVE_ESCALATES_ABOVE})`);
  report('fit-sentiment', rows, { model: MODEL, fitted, default: NEGATIVE_ESCALATES_ABOVE, seconds: Math.round((Date.now() - started) / 1000) });
  if (args.write) {
    const file = loadSentimentThresholds();
    file.languages.zh = {
      model: MODEL,
      strongNegativeAbove: fitted,
      fitted: {
        by: 'npm run fit:sentiment -- --write',
        on: `SMP2020-EWECT usual train (happy/angry+sad+fear/neutral) and ATEC train questions as neutral, ${trainScored.length} examples`,
        objective: `the smallest bar at which at most ${MAX_NEUTRAL_ESCALATED * 100} % of ATEC train questions escalate`,
        dev: metrics(devScored, fitted),
        devAtDefault: metrics(devScored, NEGATIVE_ESCALATES_ABOVE),
        at: new Date().toISOString().slice(0, 10),
      },
    };
    writeFileSync(SENTIMENT_THRESHOLDS_FILE, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`written to ${path.relative(projectRoot, SENTIMENT_THRESHOLDS_FILE)}`);
  }
  await service.close();
}

await main();
