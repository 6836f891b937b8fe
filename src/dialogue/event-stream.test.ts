import { describe, expect, it } from 'vitest';
import { checkCursor, compareCursors } from './event-stream.js';
import { replyChunks } from './replies.js';

describe('event cursors and reply chunks', () => {
  it('orders-stream-ids-numerically', () => {
    expect(compareCursors('1700000000000-2', '1700000000000-10')).toBeLessThan(0);
    expect(compareCursors('1700000000001-0', '1700000000000-99')).toBeGreaterThan(0);
  });

  it('accepts-cursors-and-zero-and-rejects-anything-else', () => {
    expect(checkCursor(undefined)).toBeNull();
    expect(checkCursor('0')).toBe('0-0');
    expect(checkCursor('1700000000000-3')).toBe('1700000000000-3');
    expect(() => checkCursor('$')).toThrow(/cursor/);
  });

  it('splits-a-reply-into-sentence-chunks-that-join-back', () => {
    const text = 'First. Second! 第三。\nFourth';
    expect(replyChunks(text).join('')).toBe(text);
    expect(replyChunks(text)).toHaveLength(4);
  });
});
