/** Registers the resumed-handshake benchmarks (bench/resumed.ts) with bench/main.ts. */
export { groups } from '../resumed.js';
