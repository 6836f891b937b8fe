/**
 * `npm run eval:models [-- --datasets DIR] [--limit N] [--tasks a,b] [--models-dir DIR] [--out FILE] [--merge]`
 *
 * Scores the built models on the dev splits of ../shared/datasets *through our TypeScript pipelines*
 * (tokenization, batching, pooling, offsets, aggregation, the intent classifier) — not through Python —
 * prints a table and writes bench-results/eval-models.json.
 *
 * Tasks: ner (CoNLL-2003 eng.testa, entity-level F1), ner-zh (CLUENER2020 dev, span F1, directly and
 * through `understand`'s gate), sentiment-en (GoEmotions dev → 3 classes),
 * sentiment-zh (zh_sentiment dev, binary), emotion-zh (SMP2020-EWECT dev, six emotions, each message embedded
 * alone by the served encoder and that embedding handed to the emotion model, as `understand` does), banking77, clinc150 (intents built from train), atec
 * (question matching by embedding cosine, threshold picked on train).
 * `--limit N` caps the dev rows of every task (and ATEC's train pairs at 4N) for quick runs; it also caps
 * the intent examples at 25 per intent unless `--train-per-intent M` says otherwise (building on all of
 * clinc150's 15,000 examples takes minutes on a small CPU).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InferenceService } from '../src/inference/inference.service.js';
import { catalogEntry } from '../src/inference/model-catalog.js';
import { IntentClassifier, type IntentExamples } from '../src/inference/intent-classifier.js';
import { dot } from '../src/inference/tensor-math.js';
import { toSentiment } from '../src/inference/understand.js';
import { worthTagging } from '../src/dialogue/understanding.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TASKS = ['ner', 'ner-zh', 'sentiment-en', 'sentiment-zh', 'emotion-zh', 'banking77', 'clinc150', 'atec'] as const;
type Task = (typeof TASKS)[number];

const { values: args } = parseArgs({
  options: {
    datasets: { type: 'string', default: '../shared/datasets' },
    'models-dir': { type: 'string' },
    limit: { type: 'string' },
    tasks: { type: 'string', default: TASKS.join(',') },
    out: { type: 'string', default: 'bench-results/eval-models.json' },
    threads: { type: 'string' },
    'embedding-model': { type: 'string', default: 'minilm-embed' },
    'train-per-intent': { type: 'string' },
    /** Keep the other tasks' results already in --out (rerun one task without redoing the rest). */
    merge: { type: 'boolean', default: false },
  },
});

const datasetsDir = path.resolve(ROOT, args.datasets);
const modelsDir = args['models-dir'] ?? process.env.ANSWERGRAPH_MODELS_DIR ?? path.join(os.homedir(), '.cache', 'answergraph', 'models');
const limit = args.limit ? Number(args.limit) : undefined;
const tasks = args.tasks.split(',').map((t) => t.trim()) as Task[];
for (const t of tasks) if (!TASKS.includes(t)) throw new Error(`Unknown task "${t}" (tasks: ${TASKS.join(', ')})`);
const cap = <T>(rows: T[], n = limit): T[] => (n === undefined ? rows : rows.slice(0, n));
const trainPerIntent = args['train-per-intent'] ? Number(args['train-per-intent']) : limit === undefined ? undefined : 25;

// ---------------------------------------------------------------------------------------------------
// Readers

/** RFC 4180 CSV (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field.length === 0) quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

async function readCsvObjects(file: string): Promise<Record<string, string>[]> {
  const [header, ...rows] = parseCsv(await readFile(file, 'utf8'));
  if (!header) return [];
  return rows.filter((r) => r.length === header.length).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] as string])));
}

interface ConllSentence {
  tokens: string[];
  tags: string[];
}

async function readConll(file: string): Promise<ConllSentence[]> {
  const sentences: ConllSentence[] = [];
  let current: ConllSentence = { tokens: [], tags: [] };
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const parts = line.trim().split(/\s+/u);
    if (line.trim() === '' || parts[0] === '-DOCSTART-') {
      if (current.tokens.length > 0) sentences.push(current);
      current = { tokens: [], tags: [] };
      continue;
    }
    current.tokens.push(parts[0] as string);
    current.tags.push(parts[parts.length - 1] as string);
  }
  if (current.tokens.length > 0) sentences.push(current);
  return sentences;
}

/** Entity spans of an IOB1/IOB2 tag sequence, as `start:end:type` over token indices. */
function conllEntities(tags: readonly string[]): { start: number; end: number; type: string }[] {
  const out: { start: number; end: number; type: string }[] = [];
  let open: { start: number; end: number; type: string } | undefined;
  tags.forEach((tag, i) => {
    if (tag === 'O') {
      if (open) out.push(open);
      open = undefined;
      return;
    }
    const [prefix, type] = [tag.slice(0, 1), tag.slice(2)];
    if (prefix === 'I' && open && open.type === type) open.end = i + 1;
    else {
      if (open) out.push(open);
      open = { start: i, end: i + 1, type };
    }
  });
  if (open) out.push(open);
  return out;
}

/** GoEmotions TSV row: `text<TAB>ids<TAB>id`, the text possibly CSV-quoted. */
function parseGoEmotionsLine(line: string): { text: string; ids: number[] } | null {
  const parts = line.split('\t');
  if (parts.length < 3) return null;
  let text = parts.slice(0, parts.length - 2).join('\t');
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).replaceAll('""', '"');
  return { text, ids: (parts[parts.length - 2] as string).split(',').map(Number) };
}

// ---------------------------------------------------------------------------------------------------
// Metrics

function macroF1(gold: readonly string[], pred: readonly string[], labels: readonly string[]): { macroF1: number; perLabel: Record<string, number> } {
  const perLabel: Record<string, number> = {};
  for (const l of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      const p = pred[i];
      if (p === l && g === l) tp++;
      else if (p === l) fp++;
      else if (g === l) fn++;
    });
    perLabel[l] = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return { macroF1: labels.reduce((s, l) => s + (perLabel[l] as number), 0) / labels.length, perLabel };
}

const accuracy = (gold: readonly unknown[], pred: readonly unknown[]): number => gold.filter((g, i) => g === pred[i]).length / Math.max(1, gold.length);
const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

// ---------------------------------------------------------------------------------------------------
// Tasks

type Result = Record<string, unknown> & { headline: string; target?: string; meetsTarget?: boolean; seconds?: number };

/** Entity-level precision, recall, F1 and F1 per type of predicted spans against gold `start:end:type` keys. */
function spanF1(
  gold: readonly Set<string>[],
  predicted: readonly (readonly { start: number; end: number; type: string }[])[],
): { precision: number; recall: number; f1: number; perTypeF1: Record<string, number> } {
  let tp = 0;
  let nPred = 0;
  let nGold = 0;
  const byType: Record<string, { tp: number; gold: number; pred: number }> = {};
  const count = (type: string) => (byType[type] ??= { tp: 0, gold: 0, pred: 0 });
  gold.forEach((g, k) => {
    nGold += g.size;
    for (const key of g) count(key.split(':')[2] as string).gold++;
    for (const e of predicted[k] ?? []) {
      nPred++;
      count(e.type).pred++;
      if (g.has(`${e.start}:${e.end}:${e.type}`)) {
        tp++;
        count(e.type).tp++;
      }
    }
  });
  const precision = tp / Math.max(1, nPred);
  const recall = tp / Math.max(1, nGold);
  const perTypeF1 = Object.fromEntries(Object.entries(byType).map(([t, c]) => [t, round(c.tp === 0 ? 0 : (2 * c.tp) / (c.gold + c.pred))]));
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall), perTypeF1 };
}

/** Predicted spans whose text is not the slice of the input their offsets name (must be 0). */
function offsetViolations(texts: readonly string[], spans: readonly (readonly { start: number; end: number; text: string }[])[]): number {
  return spans.reduce((n, s, k) => n + s.filter((e) => texts[k]?.slice(e.start, e.end) !== e.text).length, 0);
}

async function evalNer(service: InferenceService): Promise<Result> {
  const sentences = cap(await readConll(path.join(datasetsDir, 'conll2003', 'eng.testa')));
  // Sentences are given as tokens; we feed the tokens joined by spaces (what a user would type, minus
  // the tokenization) and map predicted character spans back to token indices.
  const texts: string[] = [];
  const tokenStarts: number[][] = [];
  const tokenEnds: number[][] = [];
  for (const s of sentences) {
    let text = '';
    const starts: number[] = [];
    const ends: number[] = [];
    s.tokens.forEach((t, i) => {
      if (i > 0) text += ' ';
      starts.push(text.length);
      text += t;
      ends.push(text.length);
    });
    texts.push(text);
    tokenStarts.push(starts);
    tokenEnds.push(ends);
  }
  const spans = await service.tokenClassification().tokenClassifyBatch(texts);
  // Through `understand`: the tagger runs only on a message its gate lets through (no linked names here).
  const gated = texts.map((t, k) => (worthTagging(t, []) ? (spans[k] ?? []) : []));
  const gold = sentences.map((s, k) => new Set(conllEntities(s.tags).map((e) => `${(tokenStarts[k] as number[])[e.start]}:${(tokenEnds[k] as number[])[e.end - 1]}:${e.type}`)));
  const understandF1 = spanF1(gold, gated);
  const { precision, recall, f1, perTypeF1 } = spanF1(gold, spans);
  return {
    headline: `entity F1 ${round(f1, 3)} (P ${round(precision, 3)} / R ${round(recall, 3)}); through understand's gate ${round(understandF1.f1, 3)} (R ${round(understandF1.recall, 3)})`,
    split: 'conll2003 eng.testa',
    sentences: sentences.length,
    entityF1: round(f1),
    precision: round(precision),
    recall: round(recall),
    perTypeF1,
    offsetViolations: offsetViolations(texts, spans),
    understand: {
      note: "what `understand` returns: the tagger's spans only for messages its gate (worthTagging) lets through; target within 2 points of the tagger's own F1",
      entityF1: round(understandF1.f1),
      precision: round(understandF1.precision),
      recall: round(understandF1.recall),
      taggedShare: round(gated.filter((_, k) => worthTagging(texts[k] as string, [])).length / Math.max(1, texts.length)),
    },
  };
}

interface ClueRow {
  text: string;
  entities: { start: number; end: number; type: string; text: string }[];
}

/** CLUENER's offsets count code points; the platform's count UTF-16 units (the same for all but astral characters). */
function utf16Offset(text: string, codePoint: number): number {
  return [...text].slice(0, codePoint).join('').length;
}

async function evalNerZh(service: InferenceService): Promise<Result> {
  const rows = cap(
    (await readFile(path.join(datasetsDir, 'cluener2020', 'dev.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as ClueRow),
  );
  const texts = rows.map((r) => r.text);
  const gold = rows.map((r) => new Set(r.entities.map((e) => `${utf16Offset(r.text, e.start)}:${utf16Offset(r.text, e.end)}:${e.type}`)));
  const spans = await service.tokenClassification(service.nerModel('zh')).tokenClassifyBatch(texts);
  const direct = spanF1(gold, spans);
  // Through `understand`: the Chinese gate (two ideographs outside linked names; none are linked here).
  const gate = texts.map((t) => worthTagging(t, [], 'zh'));
  const gated = spans.map((s, k) => (gate[k] ? s : []));
  const understandF1 = spanF1(gold, gated);
  return {
    headline: `span F1 ${round(direct.f1, 3)} (P ${round(direct.precision, 3)} / R ${round(direct.recall, 3)}); through understand's gate ${round(understandF1.f1, 3)}`,
    split: 'cluener2020 dev (a tenth of the official train, lines i % 10 == 9)',
    sentences: rows.length,
    spanF1: round(direct.f1),
    precision: round(direct.precision),
    recall: round(direct.recall),
    perTypeF1: direct.perTypeF1,
    offsetViolations: offsetViolations(texts, spans),
    understand: {
      note: "what `understand` returns for Chinese: the tagger's spans for messages with two or more ideographs outside linked names",
      spanF1: round(understandF1.f1),
      taggedShare: round(gate.filter(Boolean).length / Math.max(1, texts.length)),
    },
    target: 'span F1 >= 0.75',
    meetsTarget: direct.f1 >= 0.75,
  };
}

async function evalSentimentEn(service: InferenceService): Promise<Result> {
  const dir = path.join(datasetsDir, 'goemotions');
  const emotions = (await readFile(path.join(dir, 'emotions.txt'), 'utf8')).split(/\s+/u).filter(Boolean);
  const groups = JSON.parse(await readFile(path.join(dir, 'sentiment_dict.json'), 'utf8')) as Record<string, string[]>;
  const groupOf = new Map<string, string>([['neutral', 'neutral']]);
  for (const [group, members] of Object.entries(groups)) for (const m of members) groupOf.set(m, group);
  const rows: { text: string; gold: string }[] = [];
  for (const line of (await readFile(path.join(dir, 'dev.tsv'), 'utf8')).split('\n')) {
    const r = parseGoEmotionsLine(line);
    if (!r) continue;
    const gold = goEmotionsToSentiment(r.ids, emotions, groupOf);
    if (gold) rows.push({ text: r.text, gold });
  }
  // The 3-class metric covers comments labelled negative / neutral / positive (not `ambiguous`).
  const dev = cap(rows.filter((r) => r.gold !== 'ambiguous'));
  const pipeline = service.textClassification(service.models.sentimentEn);
  const predictions = await pipeline.classifyBatch(dev.map((r) => r.text));
  const labels = ['negative', 'neutral', 'positive'];
  // As the trainer scores it: the best of the three classes (the model also has `ambiguous`).
  const pred3 = predictions.map((c) => labels.reduce((a, b) => ((c.scores[b] ?? 0) > (c.scores[a] ?? 0) ? b : a)));
  // What `understand` reports: ambiguous folded into neutral.
  const predUnderstand = predictions.map((c) => toSentiment(c).label);
  const gold = dev.map((r) => r.gold);
  const f1 = macroF1(gold, pred3, labels);
  const f1Understand = macroF1(gold, predUnderstand, labels);
  return {
    headline: `3-class macro-F1 ${round(f1.macroF1, 3)}, accuracy ${round(accuracy(gold, pred3), 3)}`,
    split: 'goemotions dev',
    rule: SENTIMENT_EN_RULE,
    examples: dev.length,
    macroF1: round(f1.macroF1),
    accuracy: round(accuracy(gold, pred3)),
    perLabelF1: Object.fromEntries(Object.entries(f1.perLabel).map(([k, v]) => [k, round(v)])),
    understandMapping: { macroF1: round(f1Understand.macroF1), accuracy: round(accuracy(gold, predUnderstand)) },
  };
}

const SENTIMENT_EN_RULE =
  'As training/train_sentiment_en.py: emotions → groups via sentiment_dict.json (+ neutral); the one polar group if exactly one, else the single group; mixed comments dropped; 3-class metrics over negative/neutral/positive comments, prediction = best of those three classes. `understandMapping`: ambiguous folded into neutral, as `understand` reports.';

function goEmotionsToSentiment(ids: readonly number[], emotions: readonly string[], groupOf: ReadonlyMap<string, string>): string | null {
  const groups = new Set(ids.map((id) => groupOf.get(emotions[id] ?? '') ?? 'neutral'));
  const polar = [...groups].filter((g) => g === 'positive' || g === 'negative');
  if (polar.length === 1) return polar[0] as string;
  if (polar.length === 0 && groups.size === 1) return [...groups][0] as string;
  return null;
}

async function evalSentimentZh(service: InferenceService): Promise<Result> {
  const rows: { text: string; gold: string; source: string }[] = [];
  for (const source of ['online_shopping_10_cats', 'waimai_10k', 'chnsenticorp_htl_all']) {
    for (const r of await readCsvObjects(path.join(datasetsDir, 'zh_sentiment', source, 'dev.csv'))) {
      // As the trainer does (training/train_sentiment_zh.py): strip, skip empty reviews.
      const text = (r.review ?? '').trim();
      if (text) rows.push({ text, gold: r.label === '1' ? 'positive' : 'negative', source });
    }
  }
  // With --limit take an even spread over the three sources rather than only the first one.
  const dev = limit === undefined ? rows : rows.filter((_, i) => i % Math.max(1, Math.floor(rows.length / limit)) === 0).slice(0, limit);
  const pipeline = service.textClassification(service.models.sentimentZh);
  const predictions = await pipeline.classifyBatch(dev.map((r) => r.text));
  const pred = predictions.map((c) => c.label);
  const gold = dev.map((r) => r.gold);
  const bySource: Record<string, number> = {};
  for (const s of new Set(dev.map((r) => r.source))) {
    const idx = dev.map((r, i) => (r.source === s ? i : -1)).filter((i) => i >= 0);
    bySource[s] = round(accuracy(idx.map((i) => gold[i]), idx.map((i) => pred[i])));
  }
  // Under `understand`, a two-class prediction below 0.7 becomes "neutral"; report how often.
  const neutralShare = predictions.filter((c) => toSentiment(c).label === 'neutral').length / Math.max(1, predictions.length);
  return {
    headline: `accuracy ${round(accuracy(gold, pred), 3)}`,
    split: 'zh_sentiment dev (row % 10 == 5), all three sources',
    examples: dev.length,
    accuracy: round(accuracy(gold, pred)),
    macroF1: round(macroF1(gold, pred, ['positive', 'negative']).macroF1),
    accuracyBySource: bySource,
    understandNeutralShare: round(neutralShare),
  };
}

async function evalEmotionZh(service: InferenceService): Promise<Result> {
  const labels = ['neutral', 'happy', 'angry', 'sad', 'fear', 'surprise'];
  const read = async (sub: string, split: string) =>
    (await readFile(path.join(datasetsDir, `smp2020-ewect-${sub}`, `${split}.jsonl`), 'utf8'))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { text: string; label: string })
      .map((r) => ({ text: (r.text ?? '').trim().slice(0, 2000), label: r.label }))
      .filter((r) => r.text && labels.includes(r.label));
  const model = service.emotionModel('zh');
  // The encoder whose query embedding the model reads (the retrieval encoder `understand` runs anyway).
  const encoder = (await service.registry.spec(model)).embeddingInput?.model ?? service.models.embedding;
  const bySubset: Record<string, unknown> = {};
  for (const sub of ['usual', 'virus']) {
    // As training/train_emotion.py scores it: dev texts that are not also train texts.
    const train = new Set([...(await read('usual', 'train')), ...(await read('virus', 'train'))].map((r) => r.text));
    const dev = cap((await read(sub, 'dev')).filter((r) => !train.has(r.text)));
    const pred: string[] = [];
    // One message at a time, as the dialogue serves one: embedded by the served encoder, that vector reused.
    for (const r of dev) {
      const [vector] = await service.embed([r.text], 'query', encoder);
      pred.push((await service.classify(r.text, model, { model: encoder, vector: vector as Float32Array })).label);
    }
    const m = macroF1(
      dev.map((r) => r.label),
      pred,
      labels,
    );
    bySubset[sub] = { examples: dev.length, macroF1: round(m.macroF1), accuracy: round(accuracy(dev.map((r) => r.label), pred)), perLabelF1: m.perLabel };
  }
  const usual = (bySubset.usual as { macroF1: number }).macroF1;
  const virus = (bySubset.virus as { macroF1: number }).macroF1;
  return {
    headline: `macro-F1 usual ${usual} / virus ${virus} (encoder ${encoder})`,
    split: 'smp2020-ewect usual and virus dev, texts not in their train',
    encoder,
    ...bySubset,
    macroF1: usual,
    target: 'macro-F1 usual >= 0.70, virus >= 0.62',
    meetsTarget: usual >= 0.7 && virus >= 0.62,
  };
}

async function evalBanking77(service: InferenceService): Promise<Result> {
  const dir = path.join(datasetsDir, 'banking77');
  const train = await readCsvObjects(path.join(dir, 'train.csv'));
  const dev = cap(await readCsvObjects(path.join(dir, 'dev.csv')));
  const started = performance.now();
  const intents = groupIntents(train.map((r) => [r.text as string, r.category as string]));
  const classifier = await IntentClassifier.build(service.embedding(), intents);
  const buildSeconds = (performance.now() - started) / 1000;
  const predictions = await classifier.predictBatch(dev.map((r) => r.text as string));
  const gold = dev.map((r) => r.category);
  const top1 = accuracy(gold, predictions.map((p) => p.name));
  const withRejection = predictions.filter((p, i) => !p.outOfScope && p.name === gold[i]).length / Math.max(1, dev.length);
  return {
    headline: `accuracy ${round(top1, 3)} (${round(withRejection, 3)} counting OOS rejections as errors)`,
    target: 'accuracy ≥ 0.90',
    meetsTarget: top1 >= 0.9,
    split: trainPerIntent === undefined ? 'banking77 dev; classifier built from train' : `banking77 dev; classifier built from ≤${trainPerIntent} train examples per intent`,
    examples: dev.length,
    trainExamples: exampleCount(intents),
    accuracy: round(top1),
    accuracyWithOosRejection: round(withRejection),
    rejectedAsOutOfScope: round(predictions.filter((p) => p.outOfScope).length / Math.max(1, dev.length)),
    threshold: classifier.tuning,
    buildSeconds: round(buildSeconds, 1),
  };
}

async function evalClinc150(service: InferenceService): Promise<Result> {
  const data = JSON.parse(await readFile(path.join(datasetsDir, 'clinc150', 'data_full.train_val.json'), 'utf8')) as Record<
    'train' | 'val' | 'oos_train' | 'oos_val',
    [string, string][]
  >;
  const started = performance.now();
  const intents = groupIntents(data.train.map(([t, i]) => [t, i]));
  const classifier = await IntentClassifier.build(service.embedding(), intents, {
    outOfScopeExamples: data.oos_train.map(([t]) => t),
  });
  const buildSeconds = (performance.now() - started) / 1000;
  // --limit keeps the in-scope : oos mix of the val split.
  const val = limit === undefined ? data.val : data.val.filter((_, i) => i % Math.max(1, Math.floor(data.val.length / limit)) === 0).slice(0, limit);
  const oosVal = limit === undefined ? data.oos_val : data.oos_val.slice(0, Math.max(10, Math.round((limit * data.oos_val.length) / data.val.length)));
  const inPred = await classifier.predictBatch(val.map(([t]) => t));
  const oosPred = await classifier.predictBatch(oosVal.map(([t]) => t));
  const inScopeAccuracy = inPred.filter((p, i) => !p.outOfScope && p.name === val[i]?.[1]).length / Math.max(1, val.length);
  const top1 = accuracy(val.map(([, i]) => i), inPred.map((p) => p.name));
  const oosRecall = oosPred.filter((p) => p.outOfScope).length / Math.max(1, oosVal.length);
  return {
    headline: `in-scope accuracy ${round(inScopeAccuracy, 3)}, OOS recall ${round(oosRecall, 3)}`,
    target: 'in-scope accuracy ≥ 0.93 and OOS recall ≥ 0.60',
    meetsTarget: inScopeAccuracy >= 0.93 && oosRecall >= 0.6,
    split: `clinc150 data_full val + oos_val; classifier built from ${trainPerIntent === undefined ? 'train' : `≤${trainPerIntent} train examples per intent`}, threshold tuned with oos_train`,
    trainExamples: exampleCount(intents),
    inScopeExamples: val.length,
    oosExamples: oosVal.length,
    inScopeAccuracy: round(inScopeAccuracy),
    inScopeTop1IgnoringThreshold: round(top1),
    oosRecall: round(oosRecall),
    threshold: classifier.tuning,
    buildSeconds: round(buildSeconds, 1),
  };
}

function groupIntents(rows: readonly [string, string][]): IntentExamples[] {
  const byIntent = new Map<string, string[]>();
  for (const [text, intent] of rows) {
    const list = byIntent.get(intent) ?? [];
    if (trainPerIntent === undefined || list.length < trainPerIntent) list.push(text);
    byIntent.set(intent, list);
  }
  return [...byIntent].map(([intent, examples]) => ({ intent, examples }));
}

const exampleCount = (intents: readonly IntentExamples[]): number => intents.reduce((n, i) => n + i.examples.length, 0);

async function evalAtec(service: InferenceService): Promise<Result> {
  const read = async (split: string): Promise<{ a: string; b: string; label: number }[]> =>
    (await readFile(path.join(datasetsDir, 'atec', `${split}.tsv`), 'utf8'))
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'))
      .filter((p) => p.length >= 4)
      .map((p) => ({ a: p[1] as string, b: p[2] as string, label: Number(p[3]) }));
  // Threshold from a deterministic sample of train (every k-th pair): embedding all 31k pairs would
  // dominate the run on a small CPU, and 4,000 pairs pin a 1-D threshold well.
  const trainAll = await read('train');
  const trainN = limit === undefined ? 4000 : Math.min(4000, limit * 4);
  const step = Math.max(1, Math.floor(trainAll.length / trainN));
  const train = trainAll.filter((_, i) => i % step === 0).slice(0, trainN);
  const dev = cap(await read('dev'));
  const embedder = service.embedding();
  const similarities = async (pairs: { a: string; b: string }[]): Promise<number[]> => {
    const [va, vb] = await Promise.all([embedder.embed(pairs.map((p) => p.a), 'query'), embedder.embed(pairs.map((p) => p.b), 'query')]);
    return pairs.map((_, i) => dot(va[i] as Float32Array, vb[i] as Float32Array));
  };
  const trainSim = await similarities(train);
  const devSim = await similarities(dev);
  const pickThreshold = (score: (tp: number, fp: number, fn: number, tn: number) => number): number => {
    let best = 0;
    let bestValue = -Infinity;
    for (const t of [...new Set(trainSim)].sort((a, b) => a - b)) {
      const c = confusion(trainSim, train.map((p) => p.label), t);
      const v = score(c.tp, c.fp, c.fn, c.tn);
      if (v > bestValue) {
        bestValue = v;
        best = t;
      }
    }
    return best;
  };
  const accOf = (tp: number, fp: number, fn: number, tn: number): number => (tp + tn) / (tp + fp + fn + tn);
  const f1Of = (tp: number, fp: number, fn: number): number => (tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
  const tAcc = pickThreshold(accOf);
  const tF1 = pickThreshold((tp, fp, fn) => f1Of(tp, fp, fn));
  const devLabels = dev.map((p) => p.label);
  const cAcc = confusion(devSim, devLabels, tAcc);
  const cF1 = confusion(devSim, devLabels, tF1);
  const positives = devLabels.filter((l) => l === 1).length / Math.max(1, dev.length);
  return {
    headline: `accuracy ${round(accOf(cAcc.tp, cAcc.fp, cAcc.fn, cAcc.tn), 3)} (majority ${round(1 - positives, 3)}), positive F1 ${round(f1Of(cF1.tp, cF1.fp, cF1.fn), 3)}`,
    split: 'atec dev; cosine threshold picked on a train sample',
    model: service.models.embedding,
    pairs: dev.length,
    trainPairsForThreshold: train.length,
    accuracy: round(accOf(cAcc.tp, cAcc.fp, cAcc.fn, cAcc.tn)),
    majorityBaselineAccuracy: round(1 - positives),
    thresholdForAccuracy: round(tAcc),
    positiveF1: round(f1Of(cF1.tp, cF1.fp, cF1.fn)),
    thresholdForF1: round(tF1),
    meanCosinePositive: round(mean(devSim.filter((_, i) => devLabels[i] === 1))),
    meanCosineNegative: round(mean(devSim.filter((_, i) => devLabels[i] === 0))),
  };
}

function confusion(sim: readonly number[], labels: readonly number[], t: number): { tp: number; fp: number; fn: number; tn: number } {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  sim.forEach((s, i) => {
    const p = s >= t;
    const g = labels[i] === 1;
    if (p && g) c.tp++;
    else if (p) c.fp++;
    else if (g) c.fn++;
    else c.tn++;
  });
  return c;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const service = new InferenceService({
    modelsDir,
    device: 'cpu',
    intraOpThreads: args.threads ? Number(args.threads) : undefined,
    maxBatch: 32,
    maxWaitMs: 2,
    maxQueue: 100_000,
    cacheSize: 0,
    models: { embedding: args['embedding-model'] },
  });
  // The models each task scores, by their names in the one list of models (training/models.json).
  const modelOf: Record<Task, string> = {
    ner: service.models.ner,
    'ner-zh': service.nerModel('zh'),
    'sentiment-en': service.models.sentimentEn,
    'sentiment-zh': service.models.sentimentZh,
    'emotion-zh': service.emotionModel('zh'),
    banking77: service.models.embedding,
    clinc150: service.models.embedding,
    atec: service.models.embedding,
  };
  for (const task of tasks) {
    if (!catalogEntry(modelOf[task])) throw new Error(`${task}: model "${modelOf[task]}" is not in training/models.json`);
  }
  const runners: Record<Task, (s: InferenceService) => Promise<Result>> = {
    ner: evalNer,
    'ner-zh': evalNerZh,
    'sentiment-en': evalSentimentEn,
    'sentiment-zh': evalSentimentZh,
    'emotion-zh': evalEmotionZh,
    banking77: evalBanking77,
    clinc150: evalClinc150,
    atec: evalAtec,
  };
  const results: Partial<Record<Task, Result | { error: string }>> = {};
  const started = Date.now();
  const outFile = path.resolve(ROOT, args.out);
  await mkdir(path.dirname(outFile), { recursive: true });
  const previous = args.merge
    ? ((JSON.parse(await readFile(outFile, 'utf8').catch(() => '{}')) as { results?: typeof results; generatedAt?: string }) ?? {})
    : {};
  const writeReport = async (): Promise<void> => {
    const report = {
      generatedAt: new Date().toISOString(),
      command: `npm run eval:models -- ${process.argv.slice(2).join(' ')}`.trim(),
      modelsDir,
      datasetsDir,
      limit: limit ?? null,
      trainPerIntent: trainPerIntent ?? null,
      node: process.version,
      cpus: os.availableParallelism(),
      seconds: round((Date.now() - started) / 1000, 1),
      complete: tasks.every((t) => t in results),
      ...(args.merge ? { mergedWithRunOf: previous.generatedAt ?? null } : {}),
      results: { ...previous.results, ...results },
    };
    await writeFile(outFile, `${JSON.stringify(report, null, 2)}\n`);
  };
  try {
    for (const task of tasks) {
      const t0 = performance.now();
      process.stderr.write(`eval: ${task}…\n`);
      try {
        const r = await runners[task](service);
        r.seconds = round((performance.now() - t0) / 1000, 1);
        r.model = modelOf[task];
        results[task] = r;
        process.stderr.write(`eval: ${task}: ${r.headline} (${r.seconds}s)\n`);
      } catch (error) {
        results[task] = { error: (error as Error).message };
        process.stderr.write(`eval: ${task} failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
      // Written after every task, so a long run that dies still leaves what it measured.
      await writeReport();
    }
  } finally {
    await service.close();
  }

  const rows = tasks.map((t) => {
    const r = results[t] as (Result & { error?: string }) | undefined;
    if (!r) return [t, '—', '', ''];
    if ('error' in r && r.error) return [t, `ERROR: ${r.error}`, '', ''];
    // Targets are for full runs; a --limit run caps the training data too.
    const target = r.target ? (limit === undefined && trainPerIntent === undefined ? `${r.target} → ${r.meetsTarget ? 'met' : 'MISSED'}` : `${r.target} (not judged: limited run)`) : '';
    return [t, r.headline, target, `${r.seconds ?? ''}s`];
  });
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] as string).length), ['task', 'result', 'target', 'time'][c]?.length ?? 0));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ');
  console.log(line(['task', 'result', 'target', 'time']));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r as string[]));

  console.log(`\nwrote ${path.relative(ROOT, outFile)}`);
}

await main();
