import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests that import src/connection or src/handshake directly get what every entry
    // point but a bare puretls/web registers (server role, 'webcrypto', all groups).
    setupFiles: ['test/setup-full.ts'],
  },
});
