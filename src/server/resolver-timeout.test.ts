import { afterEach, describe, expect, it, vi } from 'vitest';
import { withTimeout } from './resolver-timeout.js';

describe('withTimeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes synchronous results and throws through without arming a timer', () => {
    vi.useFakeTimers();
    expect(withTimeout(() => 42, [], 'answer', 1000)).toBe(42);
    expect(() =>
      withTimeout(
        () => {
          throw new Error('not allowed');
        },
        [],
        'viewer',
        1000,
      ),
    ).toThrow('not allowed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves and rejects with the resolver, clearing the timer', async () => {
    vi.useFakeTimers();
    await expect(withTimeout(async () => 'ok', [], 'answer', 1000)).resolves.toBe('ok');
    await expect(withTimeout(async () => Promise.reject(new Error('boom')), [], 'answer', 1000)).rejects.toThrow('boom');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with TIMEOUT past the deadline', async () => {
    vi.useFakeTimers();
    const pending = withTimeout(() => new Promise(() => undefined), [], 'answer', 1000) as Promise<unknown>;
    const settled = expect(pending).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(1001);
    await settled;
  });
});
