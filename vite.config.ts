import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer only. Relative base so the same build works under app://wardline/ and the web host.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome140',
    // Module preload polyfill injects an inline script, which the CSP forbids.
    modulePreload: { polyfill: false },
  },
});
