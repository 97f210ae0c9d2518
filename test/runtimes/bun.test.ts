/**
 * Bun (the `bun` npm package, pinned): puretls/bun (Bun.connect and
 * Bun.listen as Web Streams) under puretls/web, against openssl
 * s_server/s_client and curl, each provider.
 */
import { runtimeSuite } from './suite.js';

runtimeSuite('bun', (script, args) => ['run', script, ...args]);
