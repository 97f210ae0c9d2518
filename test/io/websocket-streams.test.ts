/**
 * connectWebSocket's transport (webSocketStreams) with a scripted WebSocket:
 * writes wait while bufferedAmount is above maxBufferedAmount; unread input
 * beyond maxReceiveBuffer fails the stream instead of growing without bound;
 * a text message is refused; a refusal close code becomes an error naming the
 * relay's reason; closing the writable keeps the WebSocket open (no
 * half-close in WebSocket: the peer's close_notify must still arrive).
 */
import { describe, expect, it } from 'vitest';
import { webSocketStreams, WebSocketTransportError } from '../../src/io/websocket.js';

type Listener = (ev: { data?: unknown; code?: number; reason?: string }) => void;

class ScriptedWebSocket {
  static last: ScriptedWebSocket;
  binaryType = 'blob';
  readyState = 0;
  bufferedAmount = 0;
  sent: Uint8Array[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;
  private listeners = new Map<string, Listener[]>();
  constructor(readonly url: string, readonly protocols?: string | string[]) { ScriptedWebSocket.last = this; }
  addEventListener(type: string, l: Listener): void { this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]); }
  emit(type: string, ev: Parameters<Listener>[0] = {}): void { for (const l of this.listeners.get(type) ?? []) l(ev); }
  send(d: Uint8Array): void { this.sent.push(d); this.bufferedAmount += d.length; }
  close(code?: number, reason?: string): void { this.closedWith = [code, reason]; this.readyState = 2; }
  open(): void { this.readyState = 1; this.emit('open'); }
}
const WS = ScriptedWebSocket as unknown as NonNullable<Parameters<typeof webSocketStreams>[1]>['WebSocket'];
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('webSocketStreams', () => {
  it("offers websockify's 'binary' subprotocol and reads ArrayBuffers", () => {
    webSocketStreams('ws://relay/', { WebSocket: WS });
    expect(ScriptedWebSocket.last.protocols).toEqual(['binary']);
    expect(ScriptedWebSocket.last.binaryType).toBe('arraybuffer');
  });

  it('a write waits until bufferedAmount is back under maxBufferedAmount', async () => {
    const pair = webSocketStreams('ws://relay/', { WebSocket: WS, maxBufferedAmount: 10 });
    const ws = ScriptedWebSocket.last;
    const w = pair.writable.getWriter();
    let done = false;
    const p = w.write(new Uint8Array(8)).then(() => { done = true; });
    await tick(10);
    expect(ws.sent.length, 'nothing is sent before open').toBe(0);
    ws.open();
    await w.ready;
    await p;
    expect(ws.sent.length).toBe(1);
    done = false;
    const q = w.write(new Uint8Array(8)).then(() => { done = true; });
    await tick(30);
    expect(done, 'bufferedAmount 16 > 10: still waiting').toBe(false);
    ws.bufferedAmount = 4;
    await tick(30);
    expect(done).toBe(true);
    await q;
  });

  it('more than maxReceiveBuffer unread fails the readable and closes the WebSocket', async () => {
    const pair = webSocketStreams('ws://relay/', { WebSocket: WS, maxReceiveBuffer: 100 });
    const ws = ScriptedWebSocket.last;
    ws.open();
    for (let i = 0; i < 5; i++) ws.emit('message', { data: new ArrayBuffer(40) });
    expect(ws.closedWith?.[0]).toBe(1008);
    const r = pair.readable.getReader();
    await expect((async () => { for (;;) if ((await r.read()).done) return; })()).rejects.toThrow(/maxReceiveBuffer/);
  });

  it('a text message is refused (binary protocol only)', async () => {
    const pair = webSocketStreams('ws://relay/', { WebSocket: WS });
    const ws = ScriptedWebSocket.last;
    ws.open();
    ws.emit('message', { data: 'hello' });
    expect(ws.closedWith?.[0]).toBe(1003);
    await expect(pair.readable.getReader().read()).rejects.toThrow(/text message/);
  });

  it("a refusal close code reaches the reader and writer with the relay's reason", async () => {
    const pair = webSocketStreams('ws://relay/', { WebSocket: WS });
    const ws = ScriptedWebSocket.last;
    ws.open();
    ws.readyState = 3;
    ws.emit('close', { code: 4403, reason: 'target not allowed: 10.0.0.1:22' });
    const e = await pair.readable.getReader().read().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WebSocketTransportError);
    expect((e as WebSocketTransportError).message).toMatch(/refused the target \(close code 4403: target not allowed: 10\.0\.0\.1:22\)/);
    await expect(pair.writable.getWriter().write(new Uint8Array(1))).rejects.toThrow(/refused the target/);
  });

  it('closing the writable keeps the WebSocket open until the readable is done', async () => {
    const pair = webSocketStreams('ws://relay/', { WebSocket: WS });
    const ws = ScriptedWebSocket.last;
    ws.open();
    await pair.writable.getWriter().close();
    expect(ws.closedWith).toBeUndefined();
    ws.emit('message', { data: new Uint8Array([1, 2]).buffer });
    const r = pair.readable.getReader();
    expect((await r.read()).value).toEqual(new Uint8Array([1, 2]));
    ws.readyState = 3;
    ws.emit('close', { code: 1000, reason: 'target closed' });
    expect((await r.read()).done).toBe(true);
  });
});
