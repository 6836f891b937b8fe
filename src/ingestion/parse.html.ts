import { load } from 'cheerio';
import type { Block } from './ingestion.types.js';
import { groupLists, joinLines, textToBlocks } from './parse.text.js';

/** The slice of the DOM (domhandler) the walker reads. */
interface DomNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
}

const SKIP = new Set(['script', 'style', 'noscript', 'template', 'head', 'svg', 'canvas', 'iframe', 'object', 'button', 'select', 'nav', 'form']);
const HEADINGS: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };
const BLOCK_TEXT = new Set(['p', 'pre', 'figcaption', 'address', 'caption', 'summary', 'blockquote']);
const CONTAINERS = new Set(['html', 'body', 'main', 'article', 'section', 'div', 'header', 'footer', 'aside', 'details', 'figure', 'center', 'fieldset']);

/** Collapses whitespace; `<br>` becomes a newline. */
function inlineText(node: DomNode): string {
  if (node.type === 'text') return (node.data ?? '').replace(/\s+/g, ' ');
  if (node.type !== 'tag' && node.type !== 'root') return '';
  if (node.name && SKIP.has(node.name)) return '';
  if (node.name === 'br') return '\n';
  if (node.name === 'img') return node.attribs?.alt ?? '';
  return (node.children ?? []).map(inlineText).join('');
}

const clean = (s: string) => joinLines(s.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean));

/**
 * HTML (and DOCX, which mammoth turns into HTML) to blocks with cheerio: headings, paragraphs,
 * ordered and bulleted lists (nested lists become their own items), table rows (`cell | cell`),
 * definition lists as question/answer pairs. Scripts, styles, navigation and forms are dropped.
 */
export function htmlToBlocks(html: string): Block[] {
  const $ = load(html);
  const blocks: Block[] = [];
  let group = 0;
  let inline: string[] = [];

  const flushInline = () => {
    const text = inline.join('');
    inline = [];
    if (text.trim()) blocks.push(...textToBlocks(text).map((b) => (b.kind === 'heading' ? { kind: 'paragraph' as const, text: b.text } : b)));
  };

  const list = (node: DomNode) => {
    const ordered = node.name === 'ol';
    const g = ++group;
    let n = Number(node.attribs?.start ?? 1) || 1;
    for (const li of node.children ?? []) {
      if (li.type !== 'tag' || li.name !== 'li') continue;
      const own = (li.children ?? []).filter((c) => !(c.type === 'tag' && (c.name === 'ul' || c.name === 'ol')));
      const text = clean(own.map(inlineText).join(''));
      if (text) blocks.push({ kind: 'list-item', ordered, index: ordered ? n : undefined, group: g, text: ordered ? `${n}. ${text}` : `- ${text}` });
      n++;
      for (const c of li.children ?? []) if (c.type === 'tag' && (c.name === 'ul' || c.name === 'ol')) list(c);
    }
  };

  const table = (node: DomNode) => {
    const g = ++group;
    const rows: DomNode[] = [];
    const findRows = (n: DomNode) => {
      for (const c of n.children ?? []) {
        if (c.type !== 'tag') continue;
        if (c.name === 'tr') rows.push(c);
        else if (c.name === 'thead' || c.name === 'tbody' || c.name === 'tfoot') findRows(c);
      }
    };
    findRows(node);
    for (const tr of rows) {
      const cells = (tr.children ?? []).filter((c) => c.type === 'tag' && (c.name === 'td' || c.name === 'th')).map((c) => clean(inlineText(c)));
      if (cells.some(Boolean)) blocks.push({ kind: 'table-row', group: g, text: cells.join(' | ') });
    }
  };

  const walk = (node: DomNode) => {
    for (const child of node.children ?? []) {
      if (child.type === 'text') {
        inline.push(inlineText(child));
        continue;
      }
      if (child.type !== 'tag' || !child.name || SKIP.has(child.name)) continue;
      const name = child.name;
      if (HEADINGS[name]) {
        flushInline();
        const text = clean(inlineText(child));
        if (text) blocks.push({ kind: 'heading', level: HEADINGS[name], text });
      } else if (BLOCK_TEXT.has(name)) {
        flushInline();
        inline.push(inlineText(child));
        flushInline();
      } else if (name === 'ul' || name === 'ol') {
        flushInline();
        list(child);
      } else if (name === 'table') {
        flushInline();
        table(child);
      } else if (name === 'dl') {
        flushInline();
        for (const d of child.children ?? []) {
          if (d.type !== 'tag') continue;
          const text = clean(inlineText(d));
          if (!text) continue;
          if (d.name === 'dt') blocks.push({ kind: 'question', text });
          else if (d.name === 'dd') blocks.push({ kind: 'answer', text });
        }
      } else if (CONTAINERS.has(name) || name === 'li') {
        flushInline();
        walk(child);
        flushInline();
      } else if (name === 'hr') {
        flushInline();
      } else {
        inline.push(inlineText(child));
      }
    }
  };

  walk($.root()[0] as unknown as DomNode);
  flushInline();
  return groupLists(blocks.filter((b) => b.text.trim().length > 0));
}

/** The `<title>` of an HTML document, if any. */
export function htmlTitle(html: string): string | null {
  return load(html)('title').first().text().trim() || null;
}
