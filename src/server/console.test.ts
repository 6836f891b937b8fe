import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRouter } from './console.js';

/** The /console routes over a stand-in build directory (the browser tests cover the real build). */
describe('consoleRouter', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'console-build-'));
  const missing = path.join(dir, 'not-built');
  let server: Server;
  let url: string;

  beforeAll(async () => {
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(path.join(dir, 'chat.html'), '<!doctype html><title>chat</title>');
    writeFileSync(path.join(dir, 'widget.js'), 'void 0;');
    writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'void 0;');
    const app = express();
    app.use('/built', consoleRouter(dir));
    app.use('/unbuilt', consoleRouter(missing));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves-the-app-with-its-csp-and-deep-links-fall-back-to-it', async () => {
    for (const p of ['/built/console', '/built/console/', '/built/console/review/42']) {
      const r = await fetch(url + p);
      expect(r.status, p).toBe(200);
      expect(await r.text()).toContain('<title>console</title>');
      expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'self'/);
      expect(r.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('lets-any-site-frame-the-chat-page-but-not-the-console', async () => {
    const r = await fetch(`${url}/built/console/chat.html`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain('frame-ancestors *');
  });

  it('caches-hashed-assets-for-a-year-and-revalidates-the-widget', async () => {
    const asset = await fetch(`${url}/built/console/assets/index-abc123.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${url}/built/console/assets/nope.js`)).status).toBe(404);
    const widget = await fetch(`${url}/built/console/widget.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('cache-control')).toBe('no-cache');
  });

  it('says-how-to-build-when-there-is-no-build', async () => {
    const r = await fetch(`${url}/unbuilt/console/`);
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('npm run console:build');
  });
});
