/** Registers the bulk-transfer benchmarks (bench/bulk.ts) with bench/main.ts. */
export { groups } from '../bulk.js';
