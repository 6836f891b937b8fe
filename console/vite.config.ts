import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The console app: served by the API process at /console from dist/console (no CDN, works offline).
 * JSX is compiled by Vite's esbuild (no React plugin needed: nothing here uses fast refresh). The graph
 * and chart libraries are loaded on demand by their screens, so the first page stays small.
 */
export default defineConfig({
  root,
  base: '/console/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
    rollupOptions: { input: { index: `${root}index.html`, chat: `${root}chat.html`, embed: `${root}embed.html` } },
  },
});
