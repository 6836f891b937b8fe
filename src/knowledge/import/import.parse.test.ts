import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPORT_LIMITS, parseKnowledgeImport, type ImportParseResult } from './import.parse.js';
import type { KnowledgeRecord } from './records.schema.js';

/** The five records from API-CONTRACT.md, verbatim. */
const CONTRACT_JSONL = [
  '{"type":"fact","externalId":"faq-17","question":"How long does a refund take?","answer":"Refunds reach your card within 5 working days.","language":"en","visibility":"PUBLIC","entities":["Refund"]}',
  '{"type":"intent","externalId":"int-card-arrival","name":"card_arrival","examples":["When will my card arrive?","Is my card on its way?"],"language":"en"}',
  '{"type":"entity","externalId":"ent-refund","name":"Refund","entityType":"Policy","aliases":["money back"]}',
  '{"type":"rule","externalId":"rule-refund-window","name":"Refund window","when":{"all":[{"fact":"order.ageDays","op":"lte","value":30}]},"then":"Eligible for a full refund."}',
  '{"type":"process","externalId":"proc-reset-password","name":"Reset password","intent":"reset_password","steps":[{"id":"s1","prompt":"What is the email on your account?","slot":"email"},{"id":"s2","prompt":"We sent a reset link to {email}."}]}',
].join('\n');

const CONTRACT_RECORDS: KnowledgeRecord[] = [
  {
    type: 'fact',
    externalId: 'faq-17',
    language: 'en',
    visibility: 'PUBLIC',
    entities: ['Refund'],
    tags: [],
    question: 'How long does a refund take?',
    answer: 'Refunds reach your card within 5 working days.',
  },
  { type: 'intent', externalId: 'int-card-arrival', language: 'en', name: 'card_arrival', examples: ['When will my card arrive?', 'Is my card on its way?'], handlers: [] },
  { type: 'entity', externalId: 'ent-refund', language: 'en', name: 'Refund', entityType: 'Policy', aliases: ['money back'] },
  {
    type: 'rule',
    externalId: 'rule-refund-window',
    language: 'en',
    visibility: 'PUBLIC',
    entities: [],
    tags: [],
    name: 'Refund window',
    when: { all: [{ fact: 'order.ageDays', op: 'lte', value: 30 }] },
    then: 'Eligible for a full refund.',
  },
  {
    type: 'process',
    externalId: 'proc-reset-password',
    language: 'en',
    visibility: 'PUBLIC',
    entities: [],
    tags: [],
    name: 'Reset password',
    intent: 'reset_password',
    steps: [
      { id: 's1', prompt: 'What is the email on your account?', slot: 'email' },
      { id: 's2', prompt: 'We sent a reset link to {email}.' },
    ],
  },
];

const messages = (result: ImportParseResult) => result.errors.map((e) => e.message);
const lines = (result: ImportParseResult) => result.records.map((r) => r.line);

function jsonl(...records: unknown[]): string {
  return records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');
}

describe('parseKnowledgeImport JSONL', () => {
  it('accepts the API contract examples', () => {
    const result = parseKnowledgeImport(CONTRACT_JSONL, 'JSONL');
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => r.record)).toEqual(CONTRACT_RECORDS);
    expect(lines(result)).toEqual([1, 2, 3, 4, 5]);
    for (const r of result.records) expect(r.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, unknown, string[]]>([
    ['an unknown rule operator, with its JSON path', { type: 'rule', externalId: 'r', name: 'R', when: { all: [{ fact: 'a', op: 'lessThan', value: 1 }] }, then: 'x' }, ['line 1: rule "when.all[0].op": unknown operator "lessThan" (expected one of eq, ne, lt, lte, gt, gte, in, nin, contains, exists, notExists)']],
    ['a rule condition over the depth limit', { type: 'rule', externalId: 'r', name: 'R', when: JSON.parse(`${'{"not":'.repeat(10)}{"fact":"a","op":"exists"}${'}'.repeat(10)}`), then: 'x' }, [`line 1: rule "when${'.not'.repeat(10)}": conditions nest deeper than 10 levels`]],
    ['a process step with an unknown target', { type: 'process', externalId: 'p', name: 'P', steps: [{ id: 's1', prompt: 'a', slot: 'x', next: 's9' }] }, ['line 1: process "steps[0].next": unknown step "s9"']],
    ['a process prompt using an unfilled slot', { type: 'process', externalId: 'p', name: 'P', steps: [{ id: 's1', prompt: 'Hi {name}' }] }, ['line 1: process "steps[0].prompt": {name} names a slot no step fills']],
    ['a process with a bad validator regex', { type: 'process', externalId: 'p', name: 'P', steps: [{ id: 's1', prompt: 'a', slot: 'x', validate: { type: 'regex', pattern: '(' } }] }, ['line 1: process "steps[0].validate.pattern": invalid regular expression: Invalid regular expression: /^(?:()$/u: Unterminated group']],
    ['a fact with neither form', { type: 'fact', externalId: 'f' }, ['line 1: fact: a fact needs "question" and "answer", or "statement"']],
    ['a fact question without an answer', { type: 'fact', externalId: 'f', question: 'Why?' }, ['line 1: fact "answer": is required with "question"']],
    ['a fact answer without a question', { type: 'fact', externalId: 'f', answer: 'Because.' }, ['line 1: fact "question": is required with "answer"']],
    ['a fact with both forms', { type: 'fact', externalId: 'f', question: 'Q', answer: 'A', statement: 'S' }, ['line 1: fact "statement": a fact has "question" and "answer", or "statement", not both']],
    ['an empty answer', { type: 'fact', externalId: 'f', question: 'Q', answer: '   ' }, ['line 1: fact "answer": must not be empty']],
    ['a missing externalId', { type: 'fact', statement: 'S' }, ['line 1: fact "externalId": is required']],
    ['a multi-line externalId', { type: 'fact', externalId: 'a\nb', statement: 'S' }, ['line 1: fact "externalId": must be a single line']],
    ['an unsupported language', { type: 'fact', externalId: 'f', statement: 'S', language: 'fr' }, ['line 1: fact "language": language "fr" is not supported (expected en or zh)']],
    ['mul on a fact', { type: 'fact', externalId: 'f', statement: 'S', language: 'mul' }, ['line 1: fact "language": language "mul" is not supported (expected en or zh)']],
    ['an unsupported intent language', { type: 'intent', externalId: 'i', name: 'n', examples: ['x'], language: 'de' }, ['line 1: intent "language": language "de" is not supported (expected en, zh or mul)']],
    ['both handler forms', { type: 'intent', externalId: 'i', name: 'n', examples: ['x'], handler: { fact: 'a' }, handlers: [] }, ['line 1: intent "handler": use "handler" or "handlers", not both']],
    ['a handler naming two items', { type: 'intent', externalId: 'i', name: 'n', examples: ['x'], handlers: [{ fact: 'a', process: 'b' }] }, ['line 1: intent "handlers[0]": a handler names one item: "externalId", or one of "fact", "rule", "process"']],
    ['a handler kind with a shorthand', { type: 'intent', externalId: 'i', name: 'n', examples: ['x'], handler: { fact: 'a', kind: 'rule' } }, ['line 1: intent "handler.kind": "kind" goes with "externalId"']],
    ['an unknown handler kind', { type: 'intent', externalId: 'i', name: 'n', examples: ['x'], handlers: [{ externalId: 'a', kind: 'faq' }] }, ['line 1: intent "handlers[0].kind": must be one of fact, rule, process']],
    ['both otherwise and else', { type: 'rule', externalId: 'r', name: 'R', when: { fact: 'a', op: 'exists' }, then: 'T', otherwise: 'O', else: 'E' }, ['line 1: rule "else": use "otherwise" or "else", not both']],
    ['an unknown visibility', { type: 'fact', externalId: 'f', statement: 'S', visibility: 'SECRET' }, ['line 1: fact "visibility": visibility "SECRET" is not one of PUBLIC, INTERNAL, RESTRICTED']],
    ['entities that are not a list', { type: 'fact', externalId: 'f', statement: 'S', entities: 'Refund' }, ['line 1: fact "entities": expected an array, got a string']],
    ['an empty entity name', { type: 'fact', externalId: 'f', statement: 'S', entities: ['Refund', ''] }, ['line 1: fact "entities[1]": must not be empty']],
    ['a misspelt field', { type: 'fact', externalId: 'f', qestion: 'Q', answer: 'A' }, ['line 1: fact "qestion": unknown field', 'line 1: fact "question": is required with "answer"']],
    ['a field of another record type', { type: 'intent', externalId: 'i', name: 'n', examples: ['x'], answer: 'A' }, ['line 1: intent "answer": does not apply to intent records']],
    ['an intent without examples', { type: 'intent', externalId: 'i', name: 'n', examples: [] }, ['line 1: intent "examples": needs at least one example']],
    ['an entity without a type', { type: 'entity', externalId: 'e', name: 'Refund' }, ['line 1: entity "entityType": is required']],
    ['a rule without an outcome', { type: 'rule', externalId: 'r', name: 'R', when: { fact: 'a', op: 'exists' } }, ['line 1: rule "then": is required']],
    ['a document with a bad media type', { type: 'document', externalId: 'd', title: 'T', mediaType: 'markdown', content: 'x' }, ['line 1: document "mediaType": must be a media type such as "text/markdown"']],
    ['an unknown record type', { type: 'faq', externalId: 'x' }, ['line 1: "type": unknown record type "faq" (expected one of fact, intent, entity, rule, process, document)']],
    ['a missing record type', { externalId: 'x' }, ['line 1: "type": is required (one of fact, intent, entity, rule, process, document)']],
    ['a JSON array', '["fact"]', ['line 1: record: expected a JSON object']],
    ['broken JSON', '{"type":"fact",', [expect.stringMatching(/^line 1: invalid JSON: /) as unknown as string]],
  ])('rejects %s', (_name, record, expected) => {
    const result = parseKnowledgeImport(jsonl(record), 'JSONL');
    expect(messages(result)).toEqual(expected);
    expect(result.records).toEqual([]);
  });

  it('reports the path of a record problem separately', () => {
    const result = parseKnowledgeImport(jsonl({ type: 'rule', externalId: 'r', name: 'R', when: { any: [{ fact: 'a', op: 'in', value: 1 }] }, then: 'x' }), 'JSONL');
    expect(result.errors).toEqual([
      { line: 1, code: 'invalid-record', path: 'when.any[0].value', message: 'line 1: rule "when.any[0].value": "in" needs a non-empty array value' },
    ]);
  });

  it.each<[string, string, number[], number[]]>([
    ['LF', '\n', [1, 3], [2]],
    ['CRLF', '\r\n', [1, 3], [2]],
    ['CR', '\r', [1, 3], [2]],
  ])('counts physical lines with %s line ends', (_name, eol, goodLines, badLines) => {
    const data = [jsonl({ type: 'fact', externalId: 'a', statement: 'A' }), '{bad', jsonl({ type: 'fact', externalId: 'b', statement: 'B' })].join(eol);
    const result = parseKnowledgeImport(data, 'JSONL');
    expect(lines(result)).toEqual(goodLines);
    expect(result.errors.map((e) => e.line)).toEqual(badLines);
  });

  it('skips blank lines but counts them, after a BOM, with CRLF', () => {
    const data = `\uFEFF\r\n${jsonl({ type: 'fact', externalId: 'a', statement: 'A' })}\r\n   \r\n\t\r\n${jsonl({ type: 'fact', externalId: 'b' })}\r\n\r\n`;
    const result = parseKnowledgeImport(data, 'JSONL');
    expect(lines(result)).toEqual([2]);
    expect(messages(result)).toEqual(['line 5: fact: a fact needs "question" and "answer", or "statement"']);
  });

  it('reads a BOM-prefixed first line', () => {
    expect(lines(parseKnowledgeImport(`\uFEFF${jsonl({ type: 'fact', externalId: 'a', statement: 'A' })}`, 'JSONL'))).toEqual([1]);
  });

  it('reports every bad line and keeps the good ones', () => {
    const data = jsonl(
      { type: 'fact', externalId: 'a', statement: 'A' },
      'nope',
      { type: 'fact', externalId: 'b', statement: 'B' },
      { type: 'rule', externalId: 'r', name: 'R', when: { fact: 'x', op: 'between', value: 1 }, then: 'T' },
    );
    const result = parseKnowledgeImport(data, 'JSONL');
    expect(lines(result)).toEqual([1, 3]);
    expect(result.errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'invalid-json'],
      [4, 'invalid-record'],
    ]);
  });

  it.each<[string, unknown, unknown, boolean]>([
    ['two facts', { type: 'fact', externalId: 'x', statement: 'A' }, { type: 'fact', externalId: 'x', statement: 'B' }, true],
    ['a fact and a rule (one knowledge namespace)', { type: 'fact', externalId: 'x', statement: 'A' }, { type: 'rule', externalId: 'x', name: 'R', when: { fact: 'a', op: 'exists' }, then: 'T' }, true],
    ['a fact and an intent', { type: 'fact', externalId: 'x', statement: 'A' }, { type: 'intent', externalId: 'x', name: 'n', examples: ['e'] }, false],
  ])('duplicate externalIds: %s', (_name, first, second, duplicate) => {
    const result = parseKnowledgeImport(jsonl(first, {}, second).replace('{}', ''), 'JSONL');
    if (duplicate) {
      expect(result.errors).toEqual([
        expect.objectContaining({ line: 3, code: 'duplicate-external-id', message: expect.stringMatching(/^line 3: \w+ "externalId": duplicate externalId "x" \(first on line 1\)$/) }),
      ]);
    } else {
      expect(result.errors).toEqual([]);
    }
  });

  it('normalises text: trims, makes line breaks \\n, de-duplicates lists, upper-cases visibility', () => {
    const result = parseKnowledgeImport(
      jsonl({ type: 'fact', externalId: ' f1 ', question: '  Q?\r\n', answer: 'line one\r\nline two', visibility: 'internal', entities: ['Refund', ' Refund ', 'Card'], tags: ['a'] }),
      'JSONL',
    );
    expect(result.records[0]?.record).toEqual({
      type: 'fact',
      externalId: 'f1',
      language: 'en',
      visibility: 'INTERNAL',
      entities: ['Refund', 'Card'],
      tags: ['a'],
      question: 'Q?',
      answer: 'line one\nline two',
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['Chinese text → zh', { type: 'fact', externalId: 'f', question: '退款需要多久？', answer: '退款将在5个工作日内到账。' }, 'zh'],
    ['English text → en', { type: 'fact', externalId: 'f', statement: 'Refunds take five days.' }, 'en'],
    ['mostly English with a Chinese name → en', { type: 'fact', externalId: 'f', statement: 'Ask our agent 张伟 about refunds and returns.' }, 'en'],
    ['Chinese with a product name → zh', { type: 'fact', externalId: 'f', statement: '我的iPhone坏了怎么办' }, 'zh'],
    ['intent examples decide', { type: 'intent', externalId: 'i', name: 'card_arrival', examples: ['我的卡什么时候到？'] }, 'zh'],
    ['process prompts decide', { type: 'process', externalId: 'p', name: '重置密码', steps: [{ id: 's1', prompt: '请输入邮箱。', slot: 'email' }] }, 'zh'],
    ['an explicit language wins', { type: 'fact', externalId: 'f', statement: '退款', language: 'en' }, 'en'],
    ['a region subtag is dropped', { type: 'fact', externalId: 'f', statement: 'Refunds', language: 'zh-Hans-CN' }, 'zh'],
    ['case does not matter', { type: 'fact', externalId: 'f', statement: 'Refunds', language: 'EN-gb' }, 'en'],
    ['intent examples in both languages → mul', { type: 'intent', externalId: 'i', name: 'greeting', examples: ['Hello', '你好'] }, 'mul'],
    ['an explicit mul intent', { type: 'intent', externalId: 'i', name: 'greeting', examples: ['Hello'], language: 'mul' }, 'mul'],
    ['entity aliases in both languages → mul', { type: 'entity', externalId: 'e', name: 'Refund', entityType: 'Policy', aliases: ['money back', '退款'] }, 'mul'],
    ['entity names in one language', { type: 'entity', externalId: 'e', name: '退款', entityType: 'Policy', aliases: ['退钱'] }, 'zh'],
  ])('language: %s', (_name, record, language) => {
    const result = parseKnowledgeImport(jsonl(record), 'JSONL');
    expect(result.errors).toEqual([]);
    expect(result.records[0]?.record.language).toBe(language);
  });

  it.each<[string, Record<string, unknown>, unknown[]]>([
    ['none', {}, []],
    ['the shorthand, in the intent language', { language: 'en', handler: { fact: 'fact-en-048' } }, [{ externalId: 'fact-en-048', kind: 'fact', language: 'en' }]],
    [
      'a list of both forms, de-duplicated',
      { handlers: [{ process: 'proc-1' }, { externalId: 'fact-zh-1', language: 'zh-CN' }, { externalId: 'rule-1', kind: 'rule', language: 'mul' }, { process: 'proc-1' }] },
      [
        { externalId: 'proc-1', kind: 'process', language: 'mul' },
        { externalId: 'fact-zh-1', language: 'zh' },
        { externalId: 'rule-1', kind: 'rule', language: 'mul' },
      ],
    ],
  ])('intent handlers: %s', (_name, extra, handlers) => {
    const result = parseKnowledgeImport(jsonl({ type: 'intent', externalId: 'i', name: 'greeting', examples: ['Hello', '你好'], ...extra }), 'JSONL');
    expect(result.errors).toEqual([]);
    expect(result.records[0]?.record).toMatchObject({ type: 'intent', handlers });
  });

  it('accepts "else" as another name for a rule\'s "otherwise"', () => {
    const result = parseKnowledgeImport(jsonl({ type: 'rule', externalId: 'r', name: 'R', when: { fact: 'a', op: 'exists' }, then: 'T', else: 'E' }), 'JSONL');
    expect(result.records[0]?.record).toEqual({
      type: 'rule',
      externalId: 'r',
      language: 'en',
      visibility: 'PUBLIC',
      entities: [],
      tags: [],
      name: 'R',
      when: { fact: 'a', op: 'exists' },
      then: 'T',
      otherwise: 'E',
    });
  });

  it.each(['entities.jsonl', 'knowledge.en.jsonl', 'knowledge.zh.jsonl', 'intents.jsonl'])('accepts the demo seed %s', (file) => {
    const data = readFileSync(new URL(`../../../seeds/${file}`, import.meta.url), 'utf8');
    const result = parseKnowledgeImport(data, 'JSONL');
    expect(result.errors).toEqual([]);
    expect(result.records.length).toBeGreaterThan(0);
  });

  it('accepts documents and rules with an otherwise outcome', () => {
    const result = parseKnowledgeImport(
      jsonl(
        { type: 'document', externalId: 'd1', title: 'Refund policy', mediaType: 'text/markdown', content: '# Refunds\n\nWithin 30 days.', source: 'https://example.com/refunds' },
        { type: 'rule', externalId: 'r1', name: 'Gold', when: { fact: 'customer.tier', op: 'eq', value: 'gold' }, then: 'Free shipping.', otherwise: 'Shipping costs 5 EUR.', tags: ['shipping'] },
      ),
      'JSONL',
    );
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => r.record)).toMatchObject([
      { type: 'document', visibility: 'PUBLIC', language: 'en' },
      { type: 'rule', otherwise: 'Shipping costs 5 EUR.', tags: ['shipping'] },
    ]);
  });
});

describe('parseKnowledgeImport CSV', () => {
  const header = 'type,externalId,question,answer,statement,language,visibility,entities';

  it('reads facts with the documented columns', () => {
    const data = [header, 'fact,faq-1,How long does a refund take?,Five working days.,,en,PUBLIC,Refund;Card', 'fact,faq-2,,,退款五个工作日内到账。,,internal,退款'].join('\n');
    const result = parseKnowledgeImport(data, 'CSV');
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => [r.line, r.record])).toEqual([
      [2, { type: 'fact', externalId: 'faq-1', language: 'en', visibility: 'PUBLIC', entities: ['Refund', 'Card'], tags: [], question: 'How long does a refund take?', answer: 'Five working days.' }],
      [3, { type: 'fact', externalId: 'faq-2', language: 'zh', visibility: 'INTERNAL', entities: ['退款'], tags: [], statement: '退款五个工作日内到账。' }],
    ]);
  });

  it('reads intents with |-separated examples, headers in any order and case', () => {
    const data = ['Name,TYPE,examples,externalid', 'card_arrival,intent,When will my card arrive? | Is my card on its way?|,int-1'].join('\n');
    const result = parseKnowledgeImport(data, 'CSV');
    expect(result.errors).toEqual([]);
    expect(result.records[0]?.record).toEqual({
      type: 'intent',
      externalId: 'int-1',
      language: 'en',
      name: 'card_arrival',
      examples: ['When will my card arrive?', 'Is my card on its way?'],
      handlers: [],
    });
  });

  it('reads escaped separators inside list items', () => {
    const data = ['type,externalId,name,examples,language', 'intent,i,n,Is it A|B?  \\| or C|back\\\\slash,en'].join('\n');
    expect(parseKnowledgeImport(data, 'CSV').records[0]?.record).toMatchObject({ examples: ['Is it A', 'B?  | or C', 'back\\slash'] });
  });

  it('reads rules and processes from JSON cells', () => {
    const data = [
      'type,externalId,name,when,then,steps',
      `rule,r1,Window,"{""fact"":""order.ageDays"",""op"":""lte"",""value"":30}",Eligible.,`,
      `process,p1,Reset,,,"[{""id"":""s1"",""prompt"":""Email?"",""slot"":""email""},{""id"":""s2"",""prompt"":""Sent to {email}.""}]"`,
    ].join('\n');
    const result = parseKnowledgeImport(data, 'CSV');
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => r.record.type)).toEqual(['rule', 'process']);
  });

  it('gives the start line of records after multi-line quoted fields, with CRLF, BOM and blank lines', () => {
    const data = [
      `\uFEFF${header}`,
      'fact,f1,"How do I',
      'return an item?","Print the label,',
      '',
      'then drop it off.",,en,,',
      '',
      '   ',
      'fact,f2,,,,en,,',
      'fact,f3,"Q ""quoted""?","A",,en,SECRET,',
      '"fact","f4",,,"多行',
      '陈述",zh,,',
      'fact,f5,,,S,en',
    ].join('\r\n');
    const result = parseKnowledgeImport(data, 'CSV');
    expect(result.records.map((r) => [r.line, r.record.externalId])).toEqual([
      [2, 'f1'],
      [10, 'f4'],
    ]);
    expect(result.records[0]?.record).toMatchObject({ question: 'How do I\nreturn an item?', answer: 'Print the label,\n\nthen drop it off.' });
    expect(result.records[1]?.record).toMatchObject({ statement: '多行\n陈述', language: 'zh' });
    expect(messages(result)).toEqual([
      'line 8: fact: a fact needs "question" and "answer", or "statement"',
      'line 9: fact "visibility": visibility "SECRET" is not one of PUBLIC, INTERNAL, RESTRICTED',
      'line 12: expected 8 fields as in the header, found 6',
    ]);
  });

  it.each<[string, string, string[]]>([
    ['an unknown column', 'type,externalId,qestion\nfact,f,Q', ['line 1: unknown column "qestion" (expected columns from: type, externalId, name, question, answer, statement, questions, language, visibility, entities, tags, intentName, examples, handlers, entityType, aliases, description, intent, when, then, otherwise, steps, title, mediaType, content, source)']],
    ['a repeated column', 'type,externalId,answer,Answer\nfact,f,A,B', ['line 1: column "answer" appears twice']],
    ['a missing externalId column', 'type,statement\nfact,S', ['line 1: missing column "externalId"']],
    ['no header at all', '\n\n', ['line 1: the CSV has no header row']],
    ['a quote never closed, at the record start', `${header}\nfact,f1,,,S,en,,\n\nfact,f2,"open,,,,,\nfact,f3,,,S,en,,\n`, ['line 4: invalid CSV: a quoted field is never closed']],
    ['a stray quote after a closing quote', `${header}\nfact,f1,"Q"x,A,,en,,`, ['line 2: invalid CSV: unexpected character after a closing quote (write "" for a quote inside a quoted field)']],
    ['a field not applying to the record type', 'type,externalId,name,examples,answer\nintent,i,n,e,A', ['line 2: intent "answer": does not apply to intent records']],
    ['invalid JSON in a rule cell', 'type,externalId,name,when,then\nrule,r,R,{fact:1},T', [expect.stringMatching(/^line 2: rule "when": invalid JSON: /) as unknown as string]],
    ['a bad operator in a rule cell', `type,externalId,name,when,then\nrule,r,R,"{""all"":[{""fact"":""a"",""op"":""lessThan"",""value"":1}]}",T`, [expect.stringMatching(/^line 2: rule "when\.all\[0\]\.op": unknown operator "lessThan"/) as unknown as string]],
  ])('rejects %s', (_name, data, expected) => {
    expect(messages(parseKnowledgeImport(data, 'CSV'))).toEqual(expected);
  });

  it('reads intent handlers from a JSON cell and "else" as a header for "otherwise"', () => {
    const data = [
      'type,externalId,name,examples,handlers,when,then,else',
      `intent,i1,greeting,Hello|你好,"[{""fact"":""fact-en-048""},{""externalId"":""fact-zh-050"",""language"":""zh""}]",,,`,
      `rule,r1,Gold,,,"{""fact"":""customer.tier"",""op"":""eq"",""value"":""gold""}",Free shipping.,Shipping is 5 EUR.`,
    ].join('\n');
    const result = parseKnowledgeImport(data, 'CSV');
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => r.record)).toMatchObject([
      { type: 'intent', language: 'mul', handlers: [{ externalId: 'fact-en-048', kind: 'fact', language: 'mul' }, { externalId: 'fact-zh-050', language: 'zh' }] },
      { type: 'rule', otherwise: 'Shipping is 5 EUR.' },
    ]);
  });

  it('keeps records parsed before a fatal CSV error', () => {
    const result = parseKnowledgeImport(`${header}\nfact,f1,,,S,en,,\nfact,f2,"open\n`, 'CSV');
    expect(result.records.map((r) => r.record.externalId)).toEqual(['f1']);
    expect(result.errors.map((e) => [e.line, e.code])).toEqual([[3, 'invalid-csv']]);
  });

  it('reports duplicate externalIds with both lines', () => {
    const result = parseKnowledgeImport(`${header}\nfact,f1,,,A,en,,\nfact,f1,,,B,en,,`, 'CSV');
    expect(messages(result)).toEqual(['line 3: fact "externalId": duplicate externalId "f1" (first on line 2)']);
  });
});

describe('parseKnowledgeImport limits', () => {
  const fact = (i: number) => JSON.stringify({ type: 'fact', externalId: `f${i}`, statement: `S${i}` });

  it('documents its defaults', () => {
    expect(IMPORT_LIMITS).toEqual({ maxRecords: 50_000, maxLineLength: 1_048_576, maxErrors: 1_000 });
  });

  it.each(['JSONL', 'CSV'] as const)('stops at the record limit with a typed error (%s)', (format) => {
    const rows = Array.from({ length: 4 }, (_, i) => (format === 'JSONL' ? fact(i) : `fact,f${i},S${i}`));
    const data = format === 'JSONL' ? rows.join('\n') : ['type,externalId,statement', ...rows].join('\n');
    const result = parseKnowledgeImport(data, format, { maxRecords: 3 });
    expect(result.records).toHaveLength(3);
    expect(result.errors).toEqual([
      { line: format === 'JSONL' ? 4 : 5, code: 'too-many-records', message: `line ${format === 'JSONL' ? 4 : 5}: more than 3 records in one import; split the file` },
    ]);
  });

  it('accepts 50,000 records by default', () => {
    const data = Array.from({ length: 50_000 }, (_, i) => fact(i)).join('\n');
    const result = parseKnowledgeImport(data, 'JSONL');
    expect(result.errors).toEqual([]);
    expect(result.records).toHaveLength(50_000);
  }, 30_000);

  it('rejects an over-long JSONL line and goes on', () => {
    const long = JSON.stringify({ type: 'fact', externalId: 'big', statement: 'x'.repeat(200) });
    const result = parseKnowledgeImport([fact(1), long, fact(3)].join('\n'), 'JSONL', { maxLineLength: 100 });
    expect(lines(result)).toEqual([1, 3]);
    expect(result.errors).toEqual([{ line: 2, code: 'line-too-long', message: `line 2: line is ${long.length} characters long (at most 100)` }]);
  });

  it('rejects an over-long CSV record at its start line', () => {
    const data = `type,externalId,statement\nfact,f1,ok\nfact,f2,"${'x\n'.repeat(60)}"\n`;
    const result = parseKnowledgeImport(data, 'CSV', { maxLineLength: 100 });
    expect(lines(result)).toEqual([2]);
    expect(result.errors).toEqual([{ line: 3, code: 'line-too-long', message: 'line 3: record is longer than 100 characters' }]);
  });

  it('stops after the error limit', () => {
    const result = parseKnowledgeImport(['x', 'y', 'z', 'w'].join('\n'), 'JSONL', { maxErrors: 2 });
    expect(result.errors.map((e) => [e.line, e.code])).toEqual([
      [1, 'invalid-json'],
      [2, 'invalid-json'],
      [3, 'too-many-errors'],
    ]);
  });
});
