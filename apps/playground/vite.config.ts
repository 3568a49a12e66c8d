import { defaultClientConditions, defineConfig } from 'vite';
import { mnistDigits } from './mnist-digits.js';

export default defineConfig({
  // Relative asset URLs: the built folder works from any path it is served under.
  base: './',
  // The workspace packages' "source" condition points at their TypeScript: no package build needed first.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  plugins: [mnistDigits({ train: 6000, test: 1000 })],
  build: { target: 'es2022', chunkSizeWarningLimit: 2500 },
});
