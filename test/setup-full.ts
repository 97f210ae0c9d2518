/**
 * vitest setup: register what every entry point except puretls/web has by
 * default (src/io/full.ts: the server role, the 'webcrypto' provider name,
 * the extra groups), for tests that import modules below the entry points
 * (src/connection/connection.ts and the like) directly. What a bare
 * puretls/web lacks is tested on an esbuild bundle (test/bundle).
 */
import '../src/io/full.js';
