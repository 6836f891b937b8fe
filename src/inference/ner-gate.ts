/**
 * When a name-finding (NER) pass is worth its cost. The tagger is an English CoNLL-style model: what it
 * finds starts with a capital letter. A sentence whose capitalised words are all explained — the first
 * word, "I", or inside something already recognised (a known entity's name or alias, a value, a product
 * code) — holds nothing new for it. Ingestion tags only the sentences this returns; the dialogue tags a
 * message only when it returns any.
 */
export interface TextSpan {
  start: number;
  end: number;
}

const CAPITALISED = /(?<![\p{L}\p{N}])\p{Lu}[\p{L}\p{N}'’&+-]*/gu;

/** The sentences worth a NER pass, as spans with their text (like chunks). */
export function nerTargets(text: string, sentences: readonly TextSpan[], known: readonly TextSpan[]): Array<TextSpan & { index: number; text: string }> {
  const sorted = [...known].sort((a, b) => a.start - b.start);
  const out: Array<TextSpan & { index: number; text: string }> = [];
  for (const s of sentences) {
    const body = text.slice(s.start, s.end);
    const first = /[\p{L}\p{N}]/u.exec(body)?.index ?? 0;
    let unknown = false;
    for (const m of body.matchAll(CAPITALISED)) {
      if (m.index === first || m[0] === 'I') continue;
      const at = s.start + m.index;
      if (!sorted.some((k) => at >= k.start && at < k.end)) {
        unknown = true;
        break;
      }
    }
    if (unknown) out.push({ index: out.length, start: s.start, end: s.end, text: body });
  }
  return out;
}
