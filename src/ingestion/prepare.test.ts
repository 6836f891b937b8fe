import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeDocx, makePdf } from '../../test/ingestion-fixtures.js';
import { validateProcess } from '../knowledge/process/index.js';
import { parseCondition } from '../knowledge/rules/index.js';
import { chunkOptionsFor, chunkSentences } from './chunk.js';
import { conditionFrom } from './conditions.js';
import { buildDrafts, splitChineseConditional, splitEnglishConditional } from './drafts.js';
import { InvalidDocumentError } from './ingestion.errors.js';
import { layoutBlocks, normaliseBlocks } from './normalise.js';
import { parseDocument } from './parse.js';
import { findProductCodes, findValues } from './patterns.js';
import { documentSentences, splitSentences } from './sentences.js';

const seeds = JSON.parse(readFileSync(new URL('../../seeds/manifest.json', import.meta.url), 'utf8')) as {
  documents: Array<{ path: string; mediaType: string; language: string; title: string }>;
};

async function prepare(mediaType: string, content: string, language: string) {
  const parsed = await parseDocument({ mediaType, content, language, visibility: 'PUBLIC' }, 10_000_000);
  const { blocks } = normaliseBlocks(parsed.blocks, 2_000_000);
  const laid = layoutBlocks(blocks);
  const sentences = documentSentences(laid.text, laid.blocks);
  const chunks = chunkSentences(laid.text, laid.blocks, sentences, chunkOptionsFor(language));
  const drafts = buildDrafts({ text: laid.text, blocks: laid.blocks, sentences, language, visibility: 'PUBLIC', records: parsed.records });
  return { ...laid, sentences, chunks, drafts, parsed };
}

describe('sentences', () => {
  it.each([
    ['English with abbreviations and decimals', 'Northwind Mobile Pte. Ltd. sells phones. A case costs S$1.50, e.g. the X5 case. Really? Yes!', ['Northwind Mobile Pte. Ltd. sells phones.', 'A case costs S$1.50, e.g. the X5 case.', 'Really?', 'Yes!']],
    ['Chinese punctuation', '标准配送要多久？市区 2–4 个工作日送达。订单满 50 新元免运费；否则运费为 5 新元！', ['标准配送要多久？', '市区 2–4 个工作日送达。', '订单满 50 新元免运费；', '否则运费为 5 新元！']],
    ['line breaks', 'First line\nSecond line.', ['First line', 'Second line.']],
  ])('splits %s', (_what, text, expected) => {
    expect(splitSentences(text).map((s) => text.slice(s.start, s.end))).toEqual(expected);
  });
});

describe.each(seeds.documents)('the seed document $path', (doc) => {
  const content = readFileSync(new URL(`../../seeds/${doc.path}`, import.meta.url), 'utf8');

  it('chunks whole sentences with exact offsets, within the size limit', async () => {
    const { text, sentences, chunks } = await prepare(doc.mediaType, content, doc.language);
    const max = chunkOptionsFor(doc.language).maxChars;
    expect(chunks.length).toBeGreaterThan(1);
    for (const [i, c] of chunks.entries()) {
      expect(c.index).toBe(i);
      expect(text.slice(c.start, c.end)).toBe(c.text);
      expect(c.end - c.start).toBeLessThanOrEqual(max * 1.5);
      if (i > 0) expect(c.start).toBeGreaterThanOrEqual(chunks[i - 1]!.end);
    }
    // no sentence crosses a chunk boundary
    for (const s of sentences) expect(chunks.some((c) => c.start <= s.start && s.end <= c.end)).toBe(true);
  });

  it('drafts only valid knowledge, each quoting its own passage', async () => {
    const { text, drafts } = await prepare(doc.mediaType, content, doc.language);
    expect(drafts.length).toBeGreaterThan(2);
    for (const d of drafts) {
      expect(d.end).toBeGreaterThan(d.start);
      expect(text.slice(d.start, d.end).trim()).toBe(text.slice(d.start, d.end));
      if (d.content.kind === 'rule') expect(parseCondition(d.content.when).ok).toBe(true);
      if (d.content.kind === 'process') expect(validateProcess(d.content.steps).ok).toBe(true);
    }
  });
});

describe('drafts', () => {
  it('reads the Q/A pairs, the conditional and the numbered steps of a Chinese FAQ', async () => {
    const text = ['配送常见问题', '', '问：标准配送要多久？', '答：市区 2–4 个工作日送达。', '', '如果订单不满 50 新元，运费为 5 新元。', '', '修改地址步骤：', '1. 打开北风移动 App。', '2. 进入“我的订单”。', '3. 点击“修改地址”。'].join('\n');
    const { drafts, text: normalised } = await prepare('text/plain', text, 'zh');
    const byKind = (k: string) => drafts.filter((d) => d.content.kind === k);
    expect(byKind('fact').map((d) => d.content)).toMatchObject([{ question: '标准配送要多久？', answer: '市区 2–4 个工作日送达。' }]);
    expect(byKind('rule').map((d) => d.content)).toMatchObject([{ when: { fact: 'order.total', op: 'lt', value: 50 }, then: '运费为 5 新元。' }]);
    expect(normalised.slice(byKind('rule')[0]!.start, byKind('rule')[0]!.end)).toBe('如果订单不满 50 新元，运费为 5 新元。');
    expect(byKind('process').map((d) => d.content)).toMatchObject([{ name: '修改地址步骤', steps: [{ id: 's1', prompt: '打开北风移动 App。' }, { id: 's2' }, { id: 's3' }] }]);
  });

  it.each([
    ['If you have opened an item and it is not faulty, you can return it within 14 days.', ['you have opened an item and it is not faulty', 'you can return it within 14 days.']],
    ['If you are returning a phone, tablet or watch: back up your data.', ['you are returning a phone, tablet or watch', 'back up your data.']],
    ['If an item fails inspection (for example, it is damaged), we will contact you.', ['an item fails inspection (for example, it is damaged)', 'we will contact you.']],
    ['If the order is late then we refund the fee.', ['the order is late', 'we refund the fee.']],
  ])('splits the English conditional "%s"', (sentence, parts) => {
    expect(splitEnglishConditional(sentence)).toEqual(parts);
  });

  it.each([
    ['如果您购买了北风无忧保，或是白金会员，维修期间可以借用备用机。', ['您购买了北风无忧保，或是白金会员', '维修期间可以借用备用机。']],
    ['如果订单已经发货，就请联系客服。', ['订单已经发货', '请联系客服。']],
  ])('splits the Chinese conditional "%s"', (sentence, parts) => {
    expect(splitChineseConditional(sentence)).toEqual(parts);
  });

  it.each([
    ['an item is unopened', 'en', { fact: 'item.opened', op: 'eq', value: false }],
    ['a fault appears more than 30 days after delivery', 'en', { all: [{ fact: 'order.ageDays', op: 'gt', value: 30 }, { fact: 'item.faulty', op: 'eq', value: true }] }],
    ['订单不满 50 新元', 'zh', { fact: 'order.total', op: 'lt', value: 50 }],
    ['7 天内未取件', 'zh', { fact: 'order.ageDays', op: 'gt', value: 7 }],
    ['a device arrives locked', 'en', { fact: 'condition.device_arrives_locked', op: 'exists' }],
  ])('reads the condition "%s"', (clause, language, when) => {
    const c = conditionFrom(clause, language);
    expect(c.when).toEqual(when);
    expect(parseCondition(c.when).ok).toBe(true);
  });
});

describe('patterns', () => {
  it('finds amounts, dates, durations and percentages in both languages', () => {
    const values = findValues('From 1 March 2025 a case costs S$1,299.50 and ships in 2–4 working days; 10% off. 2025年3月1日起满 50 新元包邮，7 天内发货。');
    expect(values.map((v) => [v.type, v.value])).toEqual([
      ['Date', { date: '2025-03-01' }],
      ['Amount', { amount: 1299.5, currency: 'SGD' }],
      ['Duration', { value: 2, max: 4, unit: 'working day', days: 2 }],
      ['Percentage', { percent: 10 }],
      ['Date', { date: '2025-03-01' }],
      ['Amount', { amount: 50, currency: 'SGD' }],
      ['Duration', { value: 7, unit: '天', days: 7 }],
    ]);
  });

  it('finds product codes but not order numbers or standards', () => {
    expect(findProductCodes('The NW-X5 and NW-C65 charger (not USB-C) for order NW-204518.').map((c) => c.text)).toEqual(['NW-X5', 'NW-C65']);
  });
});

describe('parsing formats', () => {
  it('reads a PDF text layer into paragraphs', async () => {
    const pdf = makePdf(['Warranty Guide', '', 'If your Northwind X5 stops charging, bring it to any store.', 'The warranty lasts 12 months and covers', 'manufacturing defects.']);
    const { parsed } = await prepare('application/pdf', pdf.toString('base64'), 'en');
    expect(parsed.blocks.map((b) => b.text)).toEqual(['Warranty Guide', 'If your Northwind X5 stops charging, bring it to any store.', 'The warranty lasts 12 months and covers manufacturing defects.']);
  });

  it('reads DOCX headings and paragraphs', async () => {
    const docx = await makeDocx(['# Returns', 'If an item is unopened, you can return it within 30 days.']);
    const { parsed, drafts } = await prepare('application/vnd.openxmlformats-officedocument.wordprocessingml.document', docx.toString('base64'), 'en');
    expect(parsed.blocks).toEqual([{ kind: 'heading', level: 1, text: 'Returns' }, { kind: 'paragraph', text: 'If an item is unopened, you can return it within 30 days.' }]);
    expect(drafts.map((d) => d.content.kind)).toEqual(['rule']);
  });

  it('turns FAQ CSV rows into fact drafts citing their text', async () => {
    const csv = 'question,answer\n"How long do refunds take?","Up to 5 working days."\n"Do you ship abroad?","No, only within Singapore."\n';
    const { drafts, text } = await prepare('text/csv', csv, 'en');
    expect(drafts.map((d) => d.content)).toMatchObject([
      { kind: 'fact', question: 'How long do refunds take?', answer: 'Up to 5 working days.' },
      { kind: 'fact', question: 'Do you ship abroad?' },
    ]);
    expect(text.slice(drafts[0]!.start, drafts[0]!.end)).toBe('Q: How long do refunds take?\nA: Up to 5 working days.');
  });

  it.each([
    ['an unsupported media type', 'image/png', 'abc', 'unsupported-media-type'],
    ['an empty text', 'text/plain', '   \n ', 'empty'],
    ['binary bytes sent as text', 'text/plain', 'PK\u0003\u0004\u0000\u0000\u0001binary', 'binary'],
    ['a PDF that is not base64', 'application/pdf', '%PDF-1.4 raw', 'invalid-base64'],
    ['a corrupt PDF', 'application/pdf', Buffer.from('%PDF-1.4\n1 0 obj garbage').toString('base64'), 'corrupt'],
    ['a DOCX that is not a ZIP', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', Buffer.from('hello').toString('base64'), 'corrupt'],
    ['a FAQ line that is not JSON', 'application/jsonl', '{"question": "a", "answer": "b"}\nnot json', 'invalid-faq'],
  ])('refuses %s with a clear reason', async (_what, mediaType, content, reason) => {
    const err = await prepare(mediaType, content, 'en').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidDocumentError);
    expect((err as InvalidDocumentError).reason).toBe(reason);
    expect((err as Error).message.length).toBeGreaterThan(20);
  });

  it('refuses a document over the size limit', async () => {
    const err = await parseDocument({ mediaType: 'text/plain', content: 'x'.repeat(2000), language: 'en', visibility: 'PUBLIC' }, 1000).catch((e: unknown) => e);
    expect((err as InvalidDocumentError).reason).toBe('too-large');
    expect((err as Error).message).toMatch(/limit is 1000 bytes/);
  });
});
