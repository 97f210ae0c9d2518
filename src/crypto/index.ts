export type * from './provider.js';
export { pureProvider } from './pure/index.js';
export { secureRandomBytes } from './random.js';
