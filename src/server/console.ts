import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** dist/console, both from src/server (tsx, tests) and from dist/server (the built API). */
export const defaultConsoleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'console');

// Everything the console needs comes from this origin: its own bundles, the GraphQL endpoint and its socket.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

/**
 * The web console at /console (built by `npm run console:build` into dist/console; `npm start` builds it),
 * the embeddable chat's loader at /console/widget.js and the chat page it frames, /console/chat.html.
 * Hashed assets are cached for a year; the pages and widget.js (a stable URL other sites embed) are
 * revalidated. Without a build, /console says how to make one.
 */
export function consoleRouter(dir: string = defaultConsoleDir): Router {
  const router = express.Router();
  const built = () => existsSync(path.join(dir, 'index.html'));
  const notBuilt = (res: express.Response) => {
    res.status(503).type('text').send('The console is not built: run `npm run console:build` (npm start does it), then reload.\n');
  };
  router.use('/console', (req, res, next) => {
    if (!built()) return notBuilt(res);
    res.setHeader('x-content-type-options', 'nosniff');
    // chat.html is what widget.js frames on customers' sites, so any site may frame it; the console may not be framed.
    res.setHeader('content-security-policy', `${CSP}; frame-ancestors ${req.path === '/chat.html' ? '*' : "'self'"}`);
    next();
  });
  router.use('/console/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  router.get('/console/widget.js', (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(path.join(dir, 'widget.js'), { cacheControl: false });
  });
  router.use('/console', express.static(dir, { index: false, maxAge: 0, dotfiles: 'ignore' }));
  // Every other path under /console is the app (it routes on the hash; this keeps deep links working).
  router.get(['/console', '/console/{*rest}'], (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(path.join(dir, 'index.html'), { cacheControl: false });
  });
  return router;
}
