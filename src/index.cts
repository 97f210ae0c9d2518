/**
 * The CommonJS entry (`require('puretls')`): the same object as the ES
 * module's default export, so `require('puretls')` is shaped like
 * `require('node:tls')` and shares its state (DEFAULT_*) with `import`.
 * Node 20.19+ (the engines floor) loads the ES module synchronously here.
 */
import api = require('./index.js');
export = api.default;
