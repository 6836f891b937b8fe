import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The embeddable chat's loader: one small self-contained script (no framework) so a page needs a single
 * <script src=".../console/widget.js" data-api-key="..."> tag. The chat itself is console/chat.html, framed.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: false,
    target: 'es2020',
    lib: { entry: fileURLToPath(new URL('src/widget.ts', import.meta.url)), name: 'AnswergraphWidget', formats: ['iife'], fileName: () => 'widget.js' },
  },
});
