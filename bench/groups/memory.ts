/** Registers the idle-connection memory benchmark (bench/memory.ts) with bench/main.ts. */
export { groups } from '../memory.js';
