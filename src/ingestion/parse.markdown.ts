import { Lexer, type Token, type Tokens } from 'marked';
import type { Block } from './ingestion.types.js';
import { groupLists, joinLines, textToBlocks } from './parse.text.js';

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** HTML character references left in Markdown text (`&gt;`, `&#8212;`). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/** Inline tokens to plain text (emphasis dropped, link text kept, images by their alt text). */
function inline(tokens: Token[] | undefined, fallback = ''): string {
  if (!tokens) return decodeEntities(fallback);
  let out = '';
  for (const t of tokens) {
    switch (t.type) {
      case 'br':
        out += '\n';
        break;
      case 'image':
        out += (t as Tokens.Image).text;
        break;
      case 'html':
        out += (t as Tokens.HTML).text.replace(/<[^>]*>/g, '');
        break;
      case 'codespan':
        out += decodeEntities((t as Tokens.Codespan).text);
        break;
      default: {
        const withChildren = t as { tokens?: Token[]; text?: string };
        out += withChildren.tokens ? inline(withChildren.tokens) : decodeEntities(withChildren.text ?? '');
      }
    }
  }
  return out;
}

const oneLine = (s: string) => joinLines(s.split('\n').map((l) => l.trim()).filter(Boolean));

/** Markdown to blocks through `marked`'s lexer: headings, paragraphs, (nested) lists, tables, code. */
export function markdownToBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let group = 0;

  const list = (token: Tokens.List) => {
    const g = ++group;
    const start = typeof token.start === 'number' ? token.start : 1;
    token.items.forEach((item, i) => {
      const own = item.tokens.filter((t) => t.type !== 'list');
      const text = oneLine(own.map((t) => inline((t as { tokens?: Token[] }).tokens, (t as { text?: string }).text ?? '')).join('\n'));
      const marker = token.ordered ? `${start + i}. ` : '- ';
      if (text) blocks.push({ kind: 'list-item', ordered: token.ordered, index: token.ordered ? start + i : undefined, group: g, text: marker + text });
      for (const nested of item.tokens) if (nested.type === 'list') list(nested as Tokens.List);
    });
  };

  const walk = (tokens: Token[]) => {
    for (const token of tokens) {
      switch (token.type) {
        case 'heading': {
          const text = oneLine(inline((token as Tokens.Heading).tokens));
          if (text) blocks.push({ kind: 'heading', level: (token as Tokens.Heading).depth, text });
          break;
        }
        case 'paragraph':
        case 'text': {
          // A paragraph may hold `问：…` / `Q: …` lines; the text parser recognises them.
          const text = inline((token as Tokens.Paragraph).tokens, (token as Tokens.Paragraph).text);
          blocks.push(...textToBlocks(text).map((b) => (b.kind === 'heading' ? { kind: 'paragraph' as const, text: b.text } : b)));
          break;
        }
        case 'list':
          list(token as Tokens.List);
          break;
        case 'table': {
          const table = token as Tokens.Table;
          const g = ++group;
          const row = (cells: Tokens.TableCell[]) => cells.map((c) => oneLine(inline(c.tokens, c.text))).join(' | ');
          blocks.push({ kind: 'table-row', group: g, text: row(table.header) });
          for (const r of table.rows) blocks.push({ kind: 'table-row', group: g, text: row(r) });
          break;
        }
        case 'blockquote':
          walk((token as Tokens.Blockquote).tokens);
          break;
        case 'code': {
          const text = (token as Tokens.Code).text.trim();
          if (text) blocks.push({ kind: 'paragraph', text });
          break;
        }
        case 'html': {
          const text = oneLine((token as Tokens.HTML).text.replace(/<[^>]*>/g, ' '));
          if (text) blocks.push({ kind: 'paragraph', text: decodeEntities(text) });
          break;
        }
        default:
          break; // space, hr, def: no text
      }
    }
  };

  walk(new Lexer({ gfm: true }).lex(markdown));
  return groupLists(blocks.filter((b) => b.text.trim().length > 0));
}
