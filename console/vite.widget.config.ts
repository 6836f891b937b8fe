import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The embeddable chat widget: one self-contained script (React included, styles inlined into a shadow
 * root) so a page needs a single <script src=".../console/widget.js" data-api-key="..."> tag.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  // Library builds leave process.env.NODE_ENV to the consumer; a script tag has no bundler behind it.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: false,
    target: 'es2020',
    lib: { entry: fileURLToPath(new URL('src/widget.tsx', import.meta.url)), name: 'AnswergraphWidget', formats: ['iife'], fileName: () => 'widget.js' },
  },
});
