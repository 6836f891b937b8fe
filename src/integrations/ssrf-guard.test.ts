import { describe, expect, it } from 'vitest';
import { checkUrl, guardedLookup, refuseAddress } from './ssrf-guard.js';

const prod = { production: true };
const dev = { production: false };

describe('egress guard', () => {
  it.each([
    ['http://example.com/hook', prod, 'https-required'],
    ['https://127.0.0.1/hook', prod, 'private-address'],
    ['https://localhost/hook', prod, 'private-address'],
    ['https://10.0.0.5/hook', dev, 'private-address'],
    ['https://[fd00::1]/hook', dev, 'private-address'],
    ['https://[::ffff:169.254.169.254]/', dev, 'private-address'],
    ['gopher://example.com', dev, 'invalid-url'],
  ] as const)('refuses %s', (url, policy, reason) => {
    expect(() => checkUrl(url, policy)).toThrow(expect.objectContaining({ reason }));
  });

  it('allows-loopback-only-outside-production-and-public-addresses-always', () => {
    expect(checkUrl('http://127.0.0.1:9/x', dev).host).toBe('127.0.0.1:9');
    expect(checkUrl('https://example.com/x', prod).hostname).toBe('example.com');
    expect(refuseAddress('::1', dev)).toBeNull();
    expect(refuseAddress('::1', prod)).toMatch(/loopback/);
    expect(refuseAddress('93.184.216.34', prod)).toBeNull();
    expect(refuseAddress('100.64.1.1', dev)).toMatch(/private/);
  });

  it('checks-what-a-name-resolves-to-when-connecting', async () => {
    const resolve = (policy: { production: boolean }) =>
      new Promise<unknown>((ok, fail) => guardedLookup(policy)('localhost', {}, (err, address) => (err ? fail(err) : ok(address))));
    await expect(resolve(prod)).rejects.toMatchObject({ reason: 'private-address' });
    await expect(resolve(dev)).resolves.toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
