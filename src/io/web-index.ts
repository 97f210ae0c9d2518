/**
 * puretls/web: TLS over Web Streams (`secureWebStream`) and over a WebSocket
 * relay (`connectWebSocket`). No node: imports.
 */
export { secureWebStream } from './web.js';
export type { WebSecureOptions, SecureWebStream, ByteStreamPair } from './web.js';
export { connectWebSocket, webSocketStreams, WebSocketTransportError } from './websocket.js';
export type { WebSocketSecureOptions } from './websocket.js';
