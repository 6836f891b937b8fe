import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { changedFields, contentHash, semanticFields, toProps } from '../knowledge.content.js';
import { knowledgeKinds, type KnowledgeRow } from '../knowledge.repository.js';
import { contentFields, fromRow, kindList, kinds, mergeContent, StoredContentError, type KnowledgeContent } from './index.js';

// One sample of each kind (a fact in both forms), with every optional field in use.
const samples = {
  fact: { kind: 'fact', externalId: 'faq-refund', language: 'en', visibility: 'PUBLIC', entities: ['Premium', 'Refund'], tags: ['billing', 'faq'], question: 'How long do refunds take?', answer: 'Refunds reach your card within 5 working days.', statement: null },
  factStatement: { kind: 'fact', externalId: null, language: 'zh', visibility: 'INTERNAL', entities: [], tags: [], question: null, answer: null, statement: '高级版每月收费 20 元。' },
  rule: {
    kind: 'rule',
    externalId: 'rule-late-fee',
    language: 'en',
    visibility: 'INTERNAL',
    entities: ['Late fee'],
    tags: ['needs-condition', 'billing'],
    name: 'Late fee waiver',
    when: { all: [{ fact: 'customer.tier', op: 'eq', value: 'gold' }, { fact: 'invoice.daysLate', op: 'lte', value: 7 }] },
    then: 'The late fee is waived.',
    otherwise: 'The late fee applies.',
  },
  process: {
    kind: 'process',
    externalId: 'proc-return',
    language: 'en',
    visibility: 'PUBLIC',
    entities: ['Return'],
    tags: ['returns'],
    name: 'Start a return',
    intent: 'start_return',
    steps: [
      { id: 'order', prompt: 'What is your order number?', slot: 'orderId', next: 'reason' },
      { id: 'reason', prompt: 'Why are you returning it?', slot: 'reason' },
    ],
  },
} as const satisfies Record<string, KnowledgeContent>;
type SampleName = keyof typeof samples;
const sample = (name: SampleName): KnowledgeContent => structuredClone(samples[name]) as unknown as KnowledgeContent;
const names = Object.keys(samples) as SampleName[];

/** A row as `knowledge/*` queries return it: Neo4j leaves null properties out. */
function stored(c: KnowledgeContent, id = 'k-1'): KnowledgeRow {
  const props = Object.fromEntries(Object.entries(toProps(c)).filter(([, v]) => v !== null));
  return { id, externalId: c.externalId ?? null, kind: c.kind, status: 'DRAFT', version: 1, contentHash: contentHash(c), qualityScore: null, createdAt: '', createdBy: null, updatedAt: '', updatedBy: null, ...props } as unknown as KnowledgeRow;
}

describe('the knowledge-kind registry', () => {
  it('has a spec for every kind, and every kind field once with one type', () => {
    expect(Object.keys(kinds).sort()).toEqual([...knowledgeKinds].sort());
    for (const k of knowledgeKinds) expect(kinds[k].kind).toBe(k);
    expect(contentFields).toEqual({ question: 'string', answer: 'string', statement: 'string', name: 'string', when: 'json', then: 'string', otherwise: 'string', intent: 'string', steps: 'json' });
    expect(kindList()).toBe('fact, rule or process');
    expect(kindList(['entity'])).toBe('fact, rule, process or entity');
  });

  // Computed with the code before the registry (switches in knowledge.content.ts): existing graphs keep their hashes.
  it.each([
    ['fact', 'cb2e54a73d9fc43214875d8a7a0ce79e14a9365aaf56cd1a874c8dfa3fcf92cd'],
    ['factStatement', '01cf8f2bdd6414be33fca310a440af640d415019f86bfc90cb93811d04f04ad7'],
    ['rule', '61264f45be0e491888f6659350c8664c8fd4bec91789e8a4759123526eb3d1ce'],
    ['process', 'cac816e98b55dede16b9b7b72c73f007cbc955ef91717851372affba44247efe'],
  ] as Array<[SampleName, string]>)('keeps the content hash of a %s', (name, hash) => {
    expect(contentHash(sample(name))).toBe(hash);
  });

  it('lists the same semantic (diff) fields, in the same order, as before', () => {
    expect(Object.keys(semanticFields(sample('fact')))).toEqual(['kind', 'language', 'visibility', 'entities', 'tags', 'question', 'answer', 'statement']);
    expect(Object.keys(semanticFields(sample('rule')))).toEqual(['kind', 'language', 'visibility', 'entities', 'tags', 'name', 'when', 'then', 'otherwise']);
    expect(Object.keys(semanticFields(sample('process')))).toEqual(['kind', 'language', 'visibility', 'entities', 'tags', 'name', 'intent', 'steps']);
    expect(changedFields(sample('rule'), { ...(sample('rule') as Extract<KnowledgeContent, { kind: 'rule' }>), then: 'No fee.' })).toEqual(['then']);
  });

  it.each(names)('round-trips a %s: content → graph properties → row → content', (name) => {
    const c = sample(name);
    const props = toProps(c);
    // Every kind writes every kind field (others null), so a stored item never keeps another kind's fields.
    for (const f of Object.keys(contentFields)) expect(props).toHaveProperty(f);
    const back = fromRow(stored(c), [...c.entities]);
    // A null optional field is no graph property, so it reads back absent (as before the registry);
    // every write path merges it back to null, so an empty update of a stored item is `unchanged`.
    const present = Object.fromEntries(Object.entries(c).filter(([k, v]) => v !== null || k === 'externalId'));
    expect(JSON.parse(JSON.stringify(back))).toEqual(present);
    expect(contentHash(mergeContent(c.kind, {}, back))).toBe(contentHash(c));
  });

  it('writes searchText for rules and processes only', () => {
    expect(toProps(sample('fact')).searchText).toBeNull();
    expect(toProps(sample('rule')).searchText).toBe('Late fee waiver The late fee is waived.');
    expect(toProps(sample('process')).searchText).toBe('Start a return What is your order number? Why are you returning it?');
  });

  it.each(names)('round-trips a %s: content → import record → content', (name) => {
    const c = sample(name);
    const common = { externalId: c.externalId ?? 'x', language: c.language, visibility: c.visibility, entities: c.entities, tags: c.tags };
    const record = { type: c.kind, ...common, ...kinds[c.kind].toRecord(c) };
    // Absent optional fields are left out of the record (the export format), and read back as null.
    expect(Object.values(record)).not.toContain(null);
    const back = kinds[c.kind].toContent(record as never, common);
    expect(contentHash(back)).toBe(contentHash({ ...c, externalId: common.externalId }));
  });

  it.each([
    ['rule', 'when'],
    ['process', 'steps'],
  ] as const)('a %s whose stored %s is not JSON is a typed error, never a silent null', (kind, field) => {
    const row = { ...stored(sample(kind), 'k-damaged'), [field]: '{"all": [' } as KnowledgeRow;
    let caught: unknown;
    try {
      fromRow(row, []);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoredContentError);
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ code: 'INTERNAL', itemId: 'k-damaged', kind, field, details: { itemId: 'k-damaged', kind, field } });
    expect((caught as Error).cause).toBeInstanceOf(SyntaxError);
    // Absent is not damaged: it reads as the empty condition / no steps, as before.
    expect(() => fromRow({ ...row, [field]: undefined } as KnowledgeRow, [])).not.toThrow();
  });

  it('embeds every kind by the recipe retrieval and ingestion share', () => {
    expect(kinds.fact.embeddingText(sample('fact'))).toBe('How long do refunds take? Refunds reach your card within 5 working days.');
    expect(kinds.fact.embeddingText(sample('factStatement'))).toBe('高级版每月收费 20 元。');
    expect(kinds.rule.embeddingText(sample('rule'))).toBe('Late fee waiver. The late fee is waived.');
    expect(kinds.process.embeddingText(sample('process'))).toBe('Start a return. start return. What is your order number?');
  });

  it('masks every free text of a kind and nothing else', () => {
    const mask = (s: string) => s.replace(/[a-z]/g, '*');
    const process = kinds.process.mapText(sample('process'), mask) as Extract<KnowledgeContent, { kind: 'process' }>;
    expect(process.name).toBe('S**** * ******');
    expect(process.intent).toBe('start_return');
    expect((process.steps[0] as { prompt: string; slot: string }).slot).toBe('orderId');
    const rule = kinds.rule.mapText(sample('rule'), mask) as Extract<KnowledgeContent, { kind: 'rule' }>;
    expect(rule.when).toEqual(samples.rule.when);
    expect(rule.otherwise).toBe('T** **** *** *******.');
  });
});

describe('mergeContent (createKnowledge, updateKnowledge and review edits)', () => {
  it('builds a new item: defaults, trimmed entity names, language guessed from the kind’s text', () => {
    const c = mergeContent('fact', { question: '退款要多久？', answer: '五个工作日。', entities: [' 退款 ', ''] });
    expect(c).toEqual({ externalId: null, language: 'zh', visibility: 'PUBLIC', entities: ['退款'], tags: [], kind: 'fact', question: '退款要多久？', answer: '五个工作日。', statement: null });
  });

  it('keeps what the patch leaves out or sets to null', () => {
    const base = sample('rule');
    expect(mergeContent('rule', { then: null, tags: undefined }, base)).toEqual(base);
    expect(mergeContent('process', { name: 'Return an order', visibility: 'INTERNAL' }, sample('process'))).toMatchObject({ name: 'Return an order', visibility: 'INTERNAL', steps: samples.process.steps });
  });

  it('drops a rule’s needs-condition tag once an edit writes its condition', () => {
    const when = { fact: 'customer.tier', op: 'eq', value: 'gold' };
    expect(mergeContent('rule', { when }, sample('rule')).tags).toEqual(['billing']);
    expect(mergeContent('rule', { then: 'Waived.' }, sample('rule')).tags).toEqual(['needs-condition', 'billing']);
    // Creating a rule is no edit of a placeholder.
    expect(mergeContent('rule', { name: 'n', then: 't', when, tags: ['needs-condition'] }).tags).toEqual(['needs-condition']);
  });

  it('reads process steps that are not a list as none (validation then names the problem)', () => {
    const c = mergeContent('process', { name: 'p', steps: { id: 'x' } });
    expect(c).toMatchObject({ steps: [] });
    expect(kinds.process.problems(c).length).toBeGreaterThan(0);
  });

  it('refuses text over the limit', () => {
    expect(() => mergeContent('fact', { statement: 'x'.repeat(20_001) })).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
