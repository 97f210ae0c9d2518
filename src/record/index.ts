/**
 * puretls record layer (RFC 8446 §5). Portable: no node:* imports.
 *
 * Receiving
 * ---------
 *   const rx = new MessageReader({ maxHandshakeMessageSize: 64 * 1024 });
 *   rx.push(bytesFromSocket);                 // any chunking; chunks are referenced, not copied
 *   for (;;) {
 *     let m = rx.next();                      // MaybePromise: a value for sync AEADs,
 *     if (isPromise(m)) m = await m;          //   a Promise for async ones (WebCrypto)
 *     if (!m) break;                          // need more bytes
 *     // m.kind: 'handshake' {type, body, raw, protected} | 'alert' {level, description}
 *     //       | 'application_data' {data}
 *   }
 *   rx.setProtection(await createRecordProtection(provider, suite, serverHandshakeTrafficSecret));
 *   rx.allowChangeCipherSpec = true;          // RFC 8446 §5: between the first ClientHello and
 *                                             //   the peer's Finished; false afterwards
 *   rx.skipEarlyData(maxEarlyDataSize);       // server rejecting 0-RTT (§4.2.10)
 *
 * Every violation throws/rejects a TlsError carrying the alert to send:
 * record_overflow (ciphertext > 2^14+256, plaintext > 2^14, inner plaintext
 * > 2^14+1), bad_record_mac (AEAD failure), unexpected_message (unknown or
 * misplaced content type, zero-length handshake/alert, CCS outside its
 * window or not 0x01, interleaved or key-change-spanning handshake data, no
 * inner content type), decode_error (not TLS: bad record version major;
 * alert record not 2 bytes; handshake message > max size). The reader then
 * stays failed. `RecordReader` alone gives records without reassembly.
 *
 * Sending
 * -------
 *   const tx = new RecordWriter({ emit: (chunks) => socket.write(concatBytes(...chunks)) });
 *   tx.recordVersion = 0x0301;                 // only for the initial ClientHello
 *   tx.write(ContentType.handshake, clientHello);
 *   tx.recordVersion = 0x0303;
 *   tx.setProtection(await createRecordProtection(provider, suite, clientHandshakeTrafficSecret));
 *   tx.write(ContentType.handshake, [certificate, certificateVerify, finished]); // coalesced
 *   await tx.write(ContentType.application_data, bigBuffer);  // fragmented to 2^14; returns a
 *                                                              // Promise only for async AEADs
 *   tx.recordsSealed >= tx.currentProtection!.recordLimit    → send KeyUpdate (RFC 8446 §5.5)
 *
 * `emit` receives records strictly in write order as `[header, body, …]`.
 * Sequence numbers never wrap: beyond 2^64-1 records, sealing/opening
 * throws internal_error (code `sequence_exhausted`).
 */
export * from './constants.js';
export { RecordDeframer, checkRecordHeader, type RawRecord } from './deframer.js';
export {
  RecordProtection,
  createRecordProtection,
  parseInnerPlaintext,
  recordHeader,
  aeadRecordLimit,
  trafficKeys,
  type InnerPlaintext,
  type TrafficKeys,
} from './protection.js';
export { RecordReader, type InboundRecord, type RecordReaderOptions } from './reader.js';
export { RecordWriter, type RecordWriterOptions } from './writer.js';
export { HandshakeReassembler, type HandshakeMessage } from './handshake-reassembler.js';
export { MessageReader, type InboundMessage, type MessageReaderOptions } from './message-reader.js';
