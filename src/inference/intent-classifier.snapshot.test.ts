import { describe, expect, it } from 'vitest';
import { IntentClassifier, IntentSnapshotError, type Embedder, type IntentClassifierOptions, type IntentExamples } from './intent-classifier.js';
import { mulberry32 } from './softmax-head.js';
import { l2Normalize } from './tensor-math.js';

const DIM = 384;

function hash(s: string): number {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619) >>> 0;
  return h;
}

/** Character trigrams hashed into a normalised 384-d vector: similar texts get similar vectors. */
const trigramEmbedder: Embedder = {
  async embed(texts) {
    return texts.map((text) => {
      const v = new Float32Array(DIM);
      const padded = `  ${text.toLowerCase()} `;
      for (let i = 0; i + 3 <= padded.length; i++) {
        const h = hash(padded.slice(i, i + 3));
        v[h % DIM] = (v[h % DIM] as number) + ((h >>> 16) & 1 ? 1 : -1);
      }
      return l2Normalize(v);
    });
  },
};

const TOPICS: Record<string, { words: string[]; objects: string[] }> = {
  balance: { words: ['balance', 'how much money', 'funds left', 'account total'], objects: ['checking', 'savings', 'main account'] },
  card: { words: ['card', 'lost my card', 'block card', 'new card'], objects: ['debit card', 'credit card', 'virtual card'] },
  refund: { words: ['refund', 'money back', 'return', 'reimburse'], objects: ['order', 'purchase', 'subscription'] },
  pin: { words: ['pin', 'reset pin', 'forgot pin', 'change pin'], objects: ['atm', 'card pin', 'app'] },
};

function definitions(topics: readonly string[], perTopic: number): IntentExamples[] {
  return topics.map((intent) => {
    const { words, objects } = TOPICS[intent] as { words: string[]; objects: string[] };
    const examples = Array.from({ length: perTopic }, (_, i) => `please ${words[i % words.length]} for my ${objects[(i >> 2) % objects.length]} ${i % 3 === 0 ? 'today' : 'now'}`);
    return { intent, examples };
  });
}

/** ~50 texts: paraphrases of every topic, mixes, and out-of-scope ones. */
function probeTexts(): string[] {
  const texts: string[] = [];
  for (const { words, objects } of Object.values(TOPICS)) {
    for (let i = 0; i < 10; i++) texts.push(`can you ${words[i % words.length]} ${objects[i % objects.length]} ${i}`);
  }
  texts.push('what is the weather tomorrow', 'tell me a joke', 'book a flight to paris', 'who won the match', 'play some music');
  texts.push('refund my card', 'pin balance', 'money back card', '', '??', '卡丢了', 'CARD!!! lost', 'balance balance balance');
  return texts;
}

async function expectSamePredictions(a: IntentClassifier, b: IntentClassifier): Promise<void> {
  const texts = probeTexts();
  const vectors = await trigramEmbedder.embed(texts, 'query');
  texts.forEach((t, i) => {
    const v = vectors[i] as Float32Array;
    expect(b.predictEmbedded(t, v), t).toStrictEqual(a.predictEmbedded(t, v));
  });
}

async function roundTrip(defs: IntentExamples[], options: IntentClassifierOptions): Promise<{ original: IntentClassifier; restored: IntentClassifier; bytes: Buffer }> {
  const original = await IntentClassifier.build(trigramEmbedder, defs, options);
  const bytes = original.serialize();
  const restored = IntentClassifier.deserialize(bytes, trigramEmbedder);
  expect(restored.intents).toEqual(original.intents);
  expect(Object.is(restored.threshold, original.threshold)).toBe(true);
  expect(restored.tuning).toStrictEqual(original.tuning);
  await expectSamePredictions(original, restored);
  // Nothing lost or rounded: the restored classifier writes the same bytes.
  expect(restored.serialize().equals(bytes)).toBe(true);
  return { original, restored, bytes };
}

describe('IntentClassifier snapshots', () => {
  it('round-trips-a-head-with-ngram-features', async () => {
    const { original } = await roundTrip(definitions(['balance', 'card', 'refund', 'pin'], 12), {
      outOfScopeExamples: ['what is the weather', 'tell me a story', 'book a table for two', 'who is the president'],
      head: { epochs: 8 },
    });
    expect(original.tuning.method).toBe('expected-accuracy');
  });

  it('round-trips-a-head-without-lexical-features-and-a-fixed-threshold', async () => {
    // A fixed threshold leaves NaN in the tuning, which JSON cannot hold.
    const { original } = await roundTrip(definitions(['balance', 'card', 'refund'], 10), { lexical: false, threshold: 0.3, head: { epochs: 8 } });
    expect(original.tuning.inScopeAccuracy).toBeNaN();
  });

  it('round-trips-a-single-intent-nearest-example-scorer', async () => {
    const { original } = await roundTrip(definitions(['card'], 9), {});
    expect(original.intents).toEqual(['card']);
  });

  it('reads-a-snapshot-at-an-unaligned-offset', async () => {
    const original = await IntentClassifier.build(trigramEmbedder, definitions(['balance', 'card'], 6), { threshold: 0.2, head: { epochs: 2 } });
    const bytes = original.serialize();
    const unaligned = Buffer.concat([Buffer.from([0]), bytes]).subarray(1);
    expect(unaligned.byteOffset % 4).not.toBe(0);
    await expectSamePredictions(original, IntentClassifier.deserialize(unaligned, trigramEmbedder));
  });

  describe('rejects-damaged-snapshots', () => {
    const built = IntentClassifier.build(trigramEmbedder, definitions(['balance', 'card', 'refund'], 8), { threshold: 0.25, head: { epochs: 2 } });
    const damaged = async (damage: (bytes: Buffer) => Buffer, message: RegExp): Promise<void> => {
      const bytes = (await built).serialize();
      const act = (): IntentClassifier => IntentClassifier.deserialize(damage(Buffer.from(bytes)), trigramEmbedder);
      expect(act).toThrow(IntentSnapshotError);
      expect(act).toThrow(message);
    };

    it('wrong-magic', async () => {
      await damaged((b) => b.fill(0x41, 0, 8), /does not start with "AGINTENT"/);
      await damaged(() => Buffer.from('{"intents":["a"]}'), /does not start with/);
    });

    it('wrong-version', async () => {
      await damaged((b) => {
        b.writeUInt32LE(2, 8);
        return b;
      }, /format version 2, this build reads version 1/);
    });

    it('truncated', async () => {
      await damaged(() => Buffer.alloc(0), /truncated: 0 bytes/);
      await damaged((b) => b.subarray(0, 5), /truncated/);
      await damaged((b) => b.subarray(0, 23), /truncated/);
      await damaged((b) => b.subarray(0, 200), /truncated: 200 of \d+ bytes/);
      await damaged((b) => b.subarray(0, Math.floor(b.length / 2)), /truncated/);
      await damaged((b) => b.subarray(0, b.length - 1), /truncated/);
    });

    it('trailing-bytes', async () => {
      await damaged((b) => Buffer.concat([b, Buffer.from([1, 2, 3])]), /3 unexpected bytes/);
    });

    it('corrupted', async () => {
      const flip = (at: (b: Buffer) => number) => (b: Buffer) => {
        const i = at(b);
        b[i] = (b[i] as number) ^ 0x10;
        return b;
      };
      await damaged(flip(() => 30), /checksum mismatch/); // the JSON header
      await damaged(flip((b) => b.length - 3), /checksum mismatch/); // a weight
      await damaged(flip((b) => Math.floor(b.length / 2)), /checksum mismatch/);
      await damaged(flip(() => 13), /checksum mismatch/); // the checksum itself
    });
  });

  it('measures-150-intents-x-120-examples', async () => {
    const intents = 150;
    const perIntent = 120;
    const vocabulary = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    const defs: IntentExamples[] = Array.from({ length: intents }, (_, k) => {
      const random = mulberry32(k + 1);
      const pick = (): string => vocabulary[Math.floor(random() * vocabulary.length)] as string;
      return { intent: `intent_${k}`, examples: Array.from({ length: perIntent }, (_, i) => `topic${k} ${pick()} ${pick()} ${pick()} ${i}`) };
    });
    // Random unit vectors: only the size and speed of the snapshot matter here.
    const fakeVectors: Embedder = {
      async embed(texts) {
        return texts.map((t) => {
          const random = mulberry32(hash(t));
          return l2Normalize(Float32Array.from({ length: DIM }, () => random() - 0.5));
        });
      },
    };
    // No training epochs and a fixed threshold: the snapshot has the full shape at a fraction of the build time.
    const classifier = await IntentClassifier.build(fakeVectors, defs, { threshold: 0.5, head: { epochs: 0 } });
    let t0 = performance.now();
    const bytes = classifier.serialize();
    const serializeMs = performance.now() - t0;
    t0 = performance.now();
    const restored = IntentClassifier.deserialize(bytes, fakeVectors);
    const deserializeMs = performance.now() - t0;
    const headerBytes = bytes.readUInt32LE(20);
    const vectorBytes = intents * perIntent * DIM * 4;
    const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
    console.log(
      `intent snapshot, ${intents} intents × ${perIntent} examples × ${DIM} floats: ${mb(bytes.length)} ` +
        `(example vectors ${mb(vectorBytes)}, JSON header ${mb(headerBytes)}, labels + head + n-gram weights ${mb(bytes.length - vectorBytes - headerBytes)}); ` +
        `serialize ${serializeMs.toFixed(1)} ms, deserialize ${deserializeMs.toFixed(1)} ms`,
    );
    expect(restored.intents).toHaveLength(intents);
    const [probe] = await fakeVectors.embed(['topic3 w1 w2 w3 0'], 'query');
    expect(restored.predictEmbedded('topic3 w1 w2 w3 0', probe as Float32Array)).toStrictEqual(classifier.predictEmbedded('topic3 w1 w2 w3 0', probe as Float32Array));
  }, 60_000);
});
