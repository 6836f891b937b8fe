/**
 * When a name-finding (NER) pass is worth its cost. The tagger is an English CoNLL-style model: what it
 * finds starts with a capital letter. A sentence whose capitalised words are all explained — "I", or
 * inside something already recognised (a known entity's name or alias, a value, a product code), or the
 * sentence's first word — holds nothing new for it. Ingestion tags only the sentences this returns; the
 * dialogue tags a message only when it returns any.
 *
 * The first word is capitalised by position, not because it is a name, so how it counts is a choice:
 * `sentenceStart: 'explained'` (ingestion, where a gazetteer of known names explains most names and the
 * throughput target leaves little room) treats it as explained; `'common-words'` (the dialogue, where a
 * message that opens with a name — "Paris office hours?", "LONDON 1996-08-30" — must still be tagged)
 * treats it as explained only when it is a word sentences commonly start with ({@link COMMON_STARTERS}).
 */
export interface TextSpan {
  start: number;
  end: number;
}

export interface NerGateOptions {
  /** How a sentence's first word counts (see above). Default `explained`. */
  sentenceStart?: 'explained' | 'common-words';
  /**
   * The text's language. Chinese has no capitals to go by: a Chinese sentence is worth the Chinese
   * tagger when two or more of its ideographs are outside everything already recognised.
   */
  language?: string;
}

const IDEOGRAPH = /\p{Script=Han}/gu;

function unexplainedHan(body: string, offset: number, known: readonly TextSpan[]): boolean {
  let n = 0;
  for (const m of body.matchAll(IDEOGRAPH)) {
    const at = offset + m.index;
    if (!known.some((k) => at >= k.start && at < k.end) && ++n >= 2) return true;
  }
  return false;
}

const CAPITALISED = /(?<![\p{L}\p{N}])\p{Lu}[\p{L}\p{N}'’&+-]*/gu;

/**
 * English words that open sentences and messages without being names: articles, pronouns and their
 * contractions, question words, auxiliaries, prepositions and conjunctions, greetings, and the
 * imperatives, openers and nouns customers start messages with most ("Ticket 100123.", "Quick question:").
 * Lower-cased; a first word not here is tagged.
 */
export const COMMON_STARTERS: ReadonlySet<string> = new Set(
  (
    'a an the this that these those there here it its it\'s i i\'m i\'ve i\'d i\'ll me my mine we our us you your yours he his him she her they their them ' +
    'what what\'s when where where\'s why how how\'s who who\'s which whose whom whatever whenever ' +
    'is are was were be been am do does did done have has had can could would should will shall may might must ' +
    'isn\'t aren\'t wasn\'t weren\'t don\'t doesn\'t didn\'t haven\'t hasn\'t can\'t couldn\'t won\'t wouldn\'t shouldn\'t there\'s that\'s let\'s ' +
    'if in on at for from to with without after before since until during about above below under over into onto through by of off as ' +
    'and but or so nor yet also then now just still again already only even however therefore otherwise instead meanwhile besides ' +
    'any some all each every both either neither no not none one two three first second last next another other such many much more most few several ' +
    'yes ok okay hi hello hey dear thanks thank please sorry unfortunately great good fine sure well oh yesterday today tomorrow tonight ' +
    'need want help tell show give send check cancel change reset update find get make let keep try ask call open close stop start pay see look ' +
    'quick question questions ticket order orders card cards account accounts payment payments refund refunds delivery transfer problem issue ' +
    'urgent regarding re btw fyi note info information'
  )
    .split(/\s+/u)
    .filter(Boolean),
);

/** The sentences worth a NER pass, as spans with their text (like chunks). */
export function nerTargets(text: string, sentences: readonly TextSpan[], known: readonly TextSpan[], options: NerGateOptions = {}): Array<TextSpan & { index: number; text: string }> {
  const sorted = [...known].sort((a, b) => a.start - b.start);
  const commonOnly = options.sentenceStart === 'common-words';
  const chinese = options.language?.split('-')[0] === 'zh';
  const out: Array<TextSpan & { index: number; text: string }> = [];
  for (const s of sentences) {
    const body = text.slice(s.start, s.end);
    if (chinese) {
      if (unexplainedHan(body, s.start, sorted)) out.push({ index: out.length, start: s.start, end: s.end, text: body });
      continue;
    }
    const first = /[\p{L}\p{N}]/u.exec(body)?.index ?? 0;
    let unknown = false;
    for (const m of body.matchAll(CAPITALISED)) {
      if (m[0] === 'I') continue;
      if (m.index === first && (!commonOnly || COMMON_STARTERS.has(m[0].toLowerCase()))) continue;
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
