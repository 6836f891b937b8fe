import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from './content-hash.js';
import { joinList, splitList } from './csv.columns.js';
import { exportRecords } from './import.export.js';
import { parseKnowledgeImport, type ImportFormat } from './import.parse.js';
import type { KnowledgeRecord } from './records.schema.js';

/** Records chosen to stress both formats: quotes, commas, line breaks, separators, Chinese. */
const SAMPLE = [
  '{"type":"fact","externalId":"faq-17","question":"How long does a refund take?","answer":"Refunds reach your card within 5 working days.","language":"en","visibility":"PUBLIC","entities":["Refund"]}',
  '{"type":"fact","externalId":"faq-18","question":"Can I say \\"hi\\", then leave?","answer":"Yes,\\nyou can;\\n\\n\\"really\\".","visibility":"RESTRICTED","entities":["A;B","back\\\\slash","C|D"],"tags":["t1","t 2"],"intentName":"greet"}',
  '{"type":"fact","externalId":"事实-1","statement":"退款将在 5 个工作日内到账，请耐心等待。","entities":["退款"]}',
  '{"type":"intent","externalId":"int-card-arrival","name":"card_arrival","examples":["When will my card arrive?","Is it A|B?","我的卡什么时候到？"],"language":"en"}',
  '{"type":"intent","externalId":"int-greeting","name":"greeting","examples":["Hi","你好"],"handlers":[{"fact":"faq-17"},{"externalId":"事实-1","language":"zh"}]}',
  '{"type":"entity","externalId":"ent-refund","name":"Refund","entityType":"Policy","aliases":["money back","退款"],"description":"Returning money, to the card used."}',
  '{"type":"rule","externalId":"rule-refund-window","name":"Refund window","when":{"all":[{"fact":"order.ageDays","op":"lte","value":30},{"not":{"fact":"order.tags","op":"contains","value":"final, sale"}}]},"then":"Eligible for a full refund.","otherwise":"Store credit only."}',
  '{"type":"process","externalId":"proc-reset-password","name":"Reset password","intent":"reset_password","steps":[{"id":"s1","prompt":"What is the email on your account?","slot":"email","validate":{"type":"email"}},{"id":"s2","prompt":"Sent to {email}, \\"check\\" spam.","branches":[{"when":{"fact":"slots.email","op":"contains","value":"@corp"},"next":"s3"}]},{"id":"s3","prompt":"Done."}]}',
  '{"type":"document","externalId":"doc-1","title":"Refund policy","mediaType":"text/markdown","content":"# Refunds\\n\\n- within 30 days, \\"unused\\"\\n","source":"https://example.com/refunds","visibility":"INTERNAL"}',
].join('\n');

function sample(): KnowledgeRecord[] {
  const result = parseKnowledgeImport(SAMPLE, 'JSONL');
  expect(result.errors).toEqual([]);
  return result.records.map((r) => r.record);
}

describe('exportRecords', () => {
  it.each<ImportFormat>(['JSONL', 'CSV'])('%s output parses back to equal records with equal hashes', (format) => {
    const records = sample();
    const text = exportRecords(records, format);
    const again = parseKnowledgeImport(text, format);
    expect(again.errors).toEqual([]);
    expect(again.records.map((r) => r.record)).toEqual(records);
    expect(again.records.map((r) => r.contentHash)).toEqual(records.map(contentHash));
  });

  it.each<ImportFormat>(['JSONL', 'CSV'])('%s export is stable: export, parse, export gives the same text', (format) => {
    const text = exportRecords(sample(), format);
    const again = parseKnowledgeImport(text, format).records.map((r) => r.record);
    expect(exportRecords(again, format)).toBe(text);
  });

  it('CSV round trip also holds for facts only, the partner-facing case', () => {
    const facts = sample().filter((r) => r.type === 'fact');
    const text = exportRecords(facts, 'CSV');
    expect(text.split('\r\n')[0]).toBe('type,externalId,question,answer,statement,language,visibility,entities,tags,intentName');
    expect(parseKnowledgeImport(text, 'CSV').records.map((r) => r.record)).toEqual(facts);
  });

  it('writes one compact JSON object a line in field order, without empty lists', () => {
    const [first] = sample();
    expect(exportRecords(first ? [first] : [], 'JSONL')).toBe(
      '{"type":"fact","externalId":"faq-17","language":"en","visibility":"PUBLIC","entities":["Refund"],"question":"How long does a refund take?","answer":"Refunds reach your card within 5 working days."}\n',
    );
  });

  it('quotes CSV fields with commas, quotes and line breaks, and escapes list separators', () => {
    const record = sample()[1];
    const csv = exportRecords(record ? [record] : [], 'CSV');
    expect(csv).toContain('"Can I say ""hi"", then leave?"');
    expect(csv).toContain('"Yes,\nyou can;\n\n""really""."');
    expect(csv).toContain('A\\;B;back\\\\slash;C|D');
  });

  it('exports nothing as an empty JSONL and a header-only CSV', () => {
    expect(exportRecords([], 'JSONL')).toBe('');
    expect(exportRecords([], 'CSV')).toBe('type,externalId\r\n');
  });
});

describe('contentHash', () => {
  const base = { type: 'fact', externalId: 'f1', question: 'Q?', answer: 'A.', entities: ['Refund', 'Card'], tags: ['x', 'y'] };
  const hashOf = (record: Record<string, unknown>): string => {
    const result = parseKnowledgeImport(JSON.stringify(record), 'JSONL');
    expect(result.errors).toEqual([]);
    return result.records[0]?.contentHash ?? '';
  };

  it.each<[string, Record<string, unknown>]>([
    ['key order', { answer: 'A.', question: 'Q?', tags: ['x', 'y'], entities: ['Refund', 'Card'], externalId: 'f1', type: 'fact' }],
    ['surrounding whitespace and CRLF', { ...base, question: '  Q?\r\n' }],
    ['list order', { ...base, entities: ['Card', 'Refund'], tags: ['y', 'x'] }],
    ['a repeated list item', { ...base, entities: ['Refund', 'Card', 'Refund'] }],
    ['a defaulted visibility spelt out', { ...base, visibility: 'public' }],
    ['a detected language spelt out', { ...base, language: 'en-US' }],
    ['the type spelt in capitals', { ...base, type: 'FACT' }],
  ])('ignores %s', (_name, variant) => {
    expect(hashOf(variant)).toBe(hashOf(base));
  });

  it.each<[string, Record<string, unknown>]>([
    ['the answer', { ...base, answer: 'B.' }],
    ['the visibility', { ...base, visibility: 'INTERNAL' }],
    ['the language', { ...base, language: 'zh' }],
    ['an entity', { ...base, entities: ['Refund'] }],
    ['a tag', { ...base, tags: ['x'] }],
    ['the intent it answers', { ...base, intentName: 'refund_time' }],
  ])('changes with %s', (_name, variant) => {
    expect(hashOf(variant)).not.toBe(hashOf(base));
  });

  it('does not depend on the externalId, which is identity rather than content', () => {
    expect(hashOf({ ...base, externalId: 'other' })).toBe(hashOf(base));
  });

  it('changes when process steps are reordered, because step order is meaning', () => {
    const steps = [
      { id: 'a', prompt: 'A' },
      { id: 'b', prompt: 'B' },
    ];
    const process = { type: 'process', externalId: 'p', name: 'P', steps };
    expect(hashOf({ ...process, steps: [...steps].reverse() })).not.toBe(hashOf(process));
  });

  it('is sha256 of the canonical JSON, pinned so stored hashes stay valid', () => {
    const record: KnowledgeRecord = { type: 'intent', externalId: 'i', language: 'en', name: 'n', examples: ['b', 'a'], handlers: [] };
    expect(canonicalJson({ b: 1, a: [2, { d: undefined, c: null }] })).toBe('{"a":[2,{"c":null}],"b":1}');
    // sha256 of {"examples":["a","b"],"handlers":[],"language":"en","name":"n","type":"intent"}
    expect(contentHash(record)).toBe('a034662811c50595dff0dd00a7d1d06afb13bb331d3a711fbad2e4c2cc3f46e9');
  });
});

describe('list cells', () => {
  it.each<[string, string, string[]]>([
    ['a;b; c ;;', ';', ['a', 'b', 'c']],
    ['a\\;b;c', ';', ['a;b', 'c']],
    ['a\\\\;b', ';', ['a\\', 'b']],
    ['C:\\dir|x', '|', ['C:\\dir', 'x']],
    ['', ';', []],
  ])('splitList(%j, %j)', (cell, separator, items) => {
    expect(splitList(cell, separator)).toEqual(items);
  });

  it.each<[string[], string]>([
    [['a;b', 'c'], ';'],
    [['back\\slash', 'x\\', '\\;'], ';'],
    [['A|B', 'C'], '|'],
  ])('joinList then splitList gives back %j', (items, separator) => {
    expect(splitList(joinList(items, separator), separator)).toEqual(items);
  });
});
