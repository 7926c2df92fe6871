import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { policyValidator } from './build/policy-validator.js';

export default defineConfig({
  plugins: [react(), policyValidator()],
  build: {
    target: 'es2022',
    // The polyfill would be the one inline script; every browser the UI supports has modulepreload.
    modulePreload: { polyfill: false },
    sourcemap: false,
    // Raw kB; the budget that matters, 300 KB gzipped, is checked by test/browser/bundle-size.test.ts.
    chunkSizeWarningLimit: 600,
  },
});
