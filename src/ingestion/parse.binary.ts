import mammoth from 'mammoth';
import { invalidDocument } from './ingestion.errors.js';
import type { Block } from './ingestion.types.js';
import { htmlToBlocks } from './parse.html.js';
import { textToBlocks } from './parse.text.js';

/** Text items of pdf.js `getTextContent()` (marked-content items have no `str`). */
interface PdfTextItem {
  str?: string;
  hasEOL?: boolean;
  transform?: number[];
  height?: number;
}

/**
 * PDF text layer → lines → blocks (pdfjs-dist, the Mozilla parser). A vertical gap larger than one
 * and a half line heights is a paragraph break; wrapped lines are joined by the text parser.
 * Scanned PDFs have no text layer and fail as `empty` (no OCR here).
 */
export async function pdfToBlocks(bytes: Uint8Array): Promise<{ blocks: Block[]; pages: number }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let doc: Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>;
  try {
    doc = await pdfjs.getDocument({ data: bytes, disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: true }).promise;
  } catch (err) {
    throw invalidDocument('corrupt', `The PDF could not be read: ${(err as Error).message}.`, err);
  }
  try {
    let text = '';
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      let lastY: number | null = null;
      let lineHeight = 0;
      for (const item of content.items as PdfTextItem[]) {
        if (typeof item.str !== 'string') continue;
        const y = item.transform?.[5] ?? null;
        if (y !== null && lastY !== null && Math.abs(lastY - y) > 0.5) {
          if (!text.endsWith('\n')) text += '\n';
          if (lineHeight > 0 && Math.abs(lastY - y) > 1.5 * lineHeight) text += '\n';
        }
        text += item.str;
        if (item.hasEOL) text += '\n';
        if (y !== null) lastY = y;
        if (item.height) lineHeight = item.height;
      }
      text += '\n\n';
      page.cleanup();
    }
    return { blocks: textToBlocks(text), pages: doc.numPages };
  } catch (err) {
    if ((err as { name?: string }).name === 'AppError' || (err as { name?: string }).name === 'InvalidDocumentError') throw err;
    throw invalidDocument('corrupt', `The PDF could not be read: ${(err as Error).message}.`, err);
  } finally {
    await doc.destroy();
  }
}

/** DOCX → HTML (mammoth keeps headings, lists and tables) → blocks. */
export async function docxToBlocks(bytes: Uint8Array): Promise<Block[]> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes) })).value;
  } catch (err) {
    throw invalidDocument('corrupt', `The DOCX file could not be read: ${(err as Error).message}.`, err);
  }
  return htmlToBlocks(html);
}
