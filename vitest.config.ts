import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources, so a change is tested without a build; processes that
    // tests spawn (the broker for kill -9 tests) run the built dist/.
    alias: {
      '@warren/core/internal': fileURLToPath(new URL('./packages/core/src/internal.ts', import.meta.url)),
      '@warren/client/internal': fileURLToPath(new URL('./packages/client/src/internal.ts', import.meta.url)),
      '@warren/server/internal': fileURLToPath(new URL('./packages/server/src/internal.ts', import.meta.url)),
      '@warren/server/launch': fileURLToPath(new URL('./packages/server/src/launch/broker-process.ts', import.meta.url)),
      '@warren/protocol/wire': fileURLToPath(new URL('./packages/protocol/src/wire.ts', import.meta.url)),
      '@warren/protocol/http': fileURLToPath(new URL('./packages/protocol/src/http/index.ts', import.meta.url)),
      '@warren/protocol/validation': fileURLToPath(new URL('./packages/protocol/src/validation.ts', import.meta.url)),
      '@warren/protocol': src('protocol'),
      '@warren/core': src('core'),
      '@warren/store': src('store'),
      '@warren/server': src('server'),
      '@warren/client': src('client'),
      '@warren/cli': src('cli'),
      '@warren/cluster': src('cluster'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
