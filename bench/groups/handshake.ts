/** Registers the handshake benchmarks (bench/handshake.ts) with bench/main.ts. */
export { groups } from '../handshake.js';
