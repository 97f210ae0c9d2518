/**
 * Deno (the `deno` npm package, pinned): puretls/web over Deno.connect and
 * Deno.listen, against openssl s_server/s_client and curl, each provider.
 */
import { runtimeSuite } from './suite.js';

// --no-lock: read node_modules as installed, write no deno.lock into the repository.
runtimeSuite('deno', (script, args) => ['run', '--no-lock', '--allow-net=127.0.0.1', '--allow-read', script, ...args]);
