import { defineConfig } from 'vite';

// The page is built into the app's dist/web and served by the server itself: no dev server in
// production, no CDN (every asset is bundled).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/api': 'http://127.0.0.1:4318' } },
});
