import { createHash } from 'node:crypto';
import { invalidDocument } from './ingestion.errors.js';

/** The formats ingestion reads, keyed by what the caller sends as `mediaType`. */
export type DocumentFormat = 'text' | 'markdown' | 'html' | 'pdf' | 'docx' | 'faq-csv' | 'faq-jsonl';

const MEDIA_TYPES: Record<string, DocumentFormat> = {
  'text/plain': 'text',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'text/csv': 'faq-csv',
  'application/jsonl': 'faq-jsonl',
  'application/x-ndjson': 'faq-jsonl',
  'application/x-jsonlines': 'faq-jsonl',
};

export const supportedMediaTypes = Object.keys(MEDIA_TYPES);

/** By file extension, for the CLI. */
export const MEDIA_TYPE_BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xhtml': 'application/xhtml+xml',
  '.pdf': 'application/pdf',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.csv': 'text/csv',
  '.jsonl': 'application/jsonl',
  '.ndjson': 'application/x-ndjson',
};

export const isBinaryFormat = (f: DocumentFormat) => f === 'pdf' || f === 'docx';

/** `text/markdown; charset=utf-8` → `markdown`; unknown types fail permanently, naming the supported ones. */
export function formatOf(mediaType: string): DocumentFormat {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  const format = MEDIA_TYPES[base];
  if (!format) throw invalidDocument('unsupported-media-type', `Unsupported media type "${mediaType}"; supported: ${supportedMediaTypes.join(', ')}.`);
  return format;
}

export type DecodedContent = { kind: 'text'; text: string; bytes: number } | { kind: 'binary'; data: Uint8Array; bytes: number };

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/**
 * Turns the submitted `content` into text or bytes and applies the first checks: size, base64,
 * magic numbers of binary formats, and "is this text really text". Every failure is permanent.
 */
export function decodeContent(format: DocumentFormat, content: string, maxBytes: number): DecodedContent {
  if (isBinaryFormat(format)) {
    if (content.length > Math.ceil((maxBytes * 4) / 3) + 4) throw tooLarge(Math.floor((content.length * 3) / 4), maxBytes);
    if (!BASE64.test(content)) throw invalidDocument('invalid-base64', `A ${format.toUpperCase()} document must be sent base64-encoded in "content"; this is not base64.`);
    const data = new Uint8Array(Buffer.from(content, 'base64'));
    if (data.length === 0) throw invalidDocument('empty', 'The document is empty.');
    if (data.length > maxBytes) throw tooLarge(data.length, maxBytes);
    const magic = Buffer.from(data.subarray(0, 5)).toString('latin1');
    if (format === 'pdf' && !magic.startsWith('%PDF-')) throw invalidDocument('corrupt', 'The PDF could not be read: it does not start with a PDF header (%PDF-).');
    if (format === 'docx' && !magic.startsWith('PK\u0003\u0004')) throw invalidDocument('corrupt', 'The DOCX file could not be read: it is not a ZIP (Office Open XML) archive.');
    return { kind: 'binary', data, bytes: data.length };
  }
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > maxBytes) throw tooLarge(bytes, maxBytes);
  if (content.trim().length === 0) throw invalidDocument('empty', 'The document is empty.');
  if (looksBinary(content)) {
    throw invalidDocument('binary', `The content is binary data, not ${format === 'html' ? 'HTML' : 'text'}; send PDF and DOCX as base64 with their media type.`);
  }
  return { kind: 'text', text: content.replace(/^\uFEFF/, ''), bytes };
}

/** NUL bytes, or more than 2 % control/replacement characters in the first 64 KB. */
export function looksBinary(text: string): boolean {
  const sample = text.slice(0, 65_536);
  if (sample.includes('\u0000')) return true;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
  const bad = sample.match(/[\u0001-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0;
  return bad / Math.max(1, sample.length) > 0.02;
}

function tooLarge(bytes: number, max: number) {
  return invalidDocument('too-large', `The document is ${formatBytes(bytes)}; the limit is ${formatBytes(max)} (INGEST_MAX_BYTES).`);
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** sha256 of the submitted content (decoded bytes for binary formats): what makes re-ingestion a no-op. */
export function contentHashOf(format: DocumentFormat, content: string): string {
  const h = createHash('sha256');
  if (isBinaryFormat(format) && BASE64.test(content)) h.update(Buffer.from(content, 'base64'));
  else h.update(content, 'utf8');
  return h.digest('hex');
}

/** Ids derived from content: the job id (also the BullMQ job id) and the document (version) id. */
export function ingestionIds(source: string, hash: string): { jobId: string; documentId: string } {
  const versionKey = createHash('sha256').update(`${source}\u0000${hash}`).digest('hex');
  return { jobId: `ing-${versionKey.slice(0, 32)}`, documentId: `doc-${versionKey.slice(0, 32)}` };
}
