import { guessLanguage } from '../knowledge/knowledge.content.js';
import { kinds } from '../knowledge/kinds/index.js';
import { chunkOptionsFor, chunkSentences } from './chunk.js';
import { buildDrafts } from './drafts.js';
import type { Block, ChunkData, DraftData, EntityCandidate, IngestRequest, PlacedBlock, ValueMention } from './ingestion.types.js';
import { layoutBlocks, normaliseBlocks } from './normalise.js';
import { parseDocument, type ParsedDocument, type StructuredRecord } from './parse.js';
import { findProductCodes, findValues } from './patterns.js';
import { maskPii } from './pii.js';
import { documentSentences, type Sentence } from './sentences.js';
import { stage } from './stage.js';

/** The CPU stages that turn submitted content into text, chunks, drafts and pattern mentions. */

export interface PrepareLimits {
  /** Largest accepted document (decoded bytes). */
  maxBytes: number;
  /** Largest accepted normalised text (characters). */
  maxChars: number;
}

export const parseStage = (limits: PrepareLimits) =>
  stage('parse', async (req: IngestRequest): Promise<ParsedDocument> =>
    parseDocument({ mediaType: req.mediaType, content: req.content, language: req.language ?? 'en', visibility: req.visibility }, limits.maxBytes),
  );

export const normaliseStage = (limits: PrepareLimits) =>
  stage('normalise', (doc: ParsedDocument): { blocks: Block[]; records: StructuredRecord[] | null } => {
    const { blocks, indexOf } = normaliseBlocks(doc.blocks, limits.maxChars);
    // FAQ records point at blocks: renumber them, and drop a record whose text vanished.
    const records =
      doc.records
        ?.map((r): StructuredRecord => {
          const kept = indexOf.slice(r.blocks[0], r.blocks[1] + 1).filter((i) => i >= 0);
          return { ...r, blocks: [kept[0] ?? -1, kept.at(-1) ?? -1] };
        })
        .filter((r) => r.blocks[0] >= 0) ?? null;
    return { blocks, records };
  });

/** De-identifies every block before anything is laid out, chunked or stored. */
export const piiStage = stage('pii', (input: { blocks: Block[]; records: StructuredRecord[] | null }) => {
  let found = 0;
  const blocks = input.blocks.map((b) => {
    const masked = maskPii(b.text);
    found += masked.found.length;
    return masked.found.length ? { ...b, text: masked.text } : b;
  });
  const records = input.records?.map((r) => ({ ...r, content: maskContent(r.content) })) ?? null;
  return { blocks, records, piiFound: found };
});

/** Every free text of the content masked (`KindSpec.mapText`: which fields are text is the kind's to say). */
function maskContent<T extends StructuredRecord['content']>(c: T): T {
  return kinds[c.kind].mapText(c, (s) => maskPii(s).text) as T;
}

export interface LaidOut {
  text: string;
  blocks: PlacedBlock[];
  sentences: Sentence[];
  chunks: ChunkData[];
  language: string;
}

export const chunkStage = stage('chunk', (input: { blocks: Block[]; language: string | null }): LaidOut => {
  const { text, blocks } = layoutBlocks(input.blocks);
  const language = input.language ?? guessLanguage(text);
  const sentences = documentSentences(text, blocks);
  return { text, blocks, sentences, chunks: chunkSentences(text, blocks, sentences, chunkOptionsFor(language)), language };
});

export const draftStage = stage('drafts', (input: Parameters<typeof buildDrafts>[0]): DraftData[] => buildDrafts(input));

/** Pattern half of entity extraction (the NER model runs on the model queue). */
export const patternStage = stage('patterns', (text: string): { values: ValueMention[]; candidates: EntityCandidate[] } => ({
  values: findValues(text),
  candidates: findProductCodes(text),
}));
