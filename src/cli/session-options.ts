/**
 * Resumption, 0-RTT and external-PSK options of `connect` and `serve`
 * (RFC 8446 §2.2, §2.3), as openssl s_client/s_server name them:
 * --sess-out/--sess-in (the session as the opaque bytes the core gives and
 * accepts), --resume, --early-data FILE, --tickets N, --psk-identity/--psk.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ExternalPsk } from '../handshake/types.js';
import { TICKET_KEYS_LENGTH, TicketKeys } from '../handshake/resumption/ticket-keys.js';
import { intOption, UsageError, type OptionSpec, type ParsedArgs } from './args.js';

/** Our external PSK rows (both roles). */
export const PSK_OPTIONS: readonly OptionSpec[] = [
  { name: 'psk-identity', value: 'ID', help: 'external PSK identity (RFC 8446 §2.2), with --psk' },
  { name: 'psk', value: 'HEX', help: 'external PSK key, hex, at least 16 bytes (SHA-256: TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256); no certificates when it is used' },
];

export const CLIENT_SESSION_OPTIONS: readonly OptionSpec[] = [
  { name: 'sess-out', value: 'FILE', help: 'write the session (the latest ticket the server sent, opaque bytes) to FILE, mode 0600' },
  { name: 'sess-in', value: 'FILE', help: 'resume the session in FILE (written by --sess-out)' },
  { name: 'resume', help: 'full handshake, wait for a ticket, close, then connect again with it; prints whether it resumed' },
  { name: 'early-data', value: 'FILE', help: 'send FILE as 0-RTT early data on the resumed connection (replayable: RFC 8446 §8); says whether the server accepted it' },
  ...PSK_OPTIONS,
];

/** --max-early-data's default, as OpenSSL's s_server. */
const DEFAULT_MAX_EARLY_DATA = 16384;

export const SERVER_SESSION_OPTIONS: readonly OptionSpec[] = [
  { name: 'tickets', value: 'N', help: 'NewSessionTickets sent after each handshake (0: no resumption)', default: '2' },
  { name: 'ticket-keys', value: 'FILE', help: 'the 48-byte ticket key (Node\'s ticketKeys) in FILE, so several servers resume each other\'s tickets', default: 'random, rotated every 12 hours' },
  { name: 'early-data', help: 'accept 0-RTT early data on resumed connections (the page and the log say whether it was); early data can be replayed (RFC 8446 §8)' },
  { name: 'max-early-data', value: 'BYTES', help: 'with --early-data: max_early_data_size advertised in the tickets', default: String(DEFAULT_MAX_EARLY_DATA) },
  ...PSK_OPTIONS,
];


/** --psk-identity ID --psk HEX as the core's ExternalPsk (both or neither). */
export function externalPsk(args: ParsedArgs): ExternalPsk | undefined {
  const id = args.values.get('psk-identity');
  const hex = args.values.get('psk');
  if ((id === undefined) !== (hex === undefined)) throw new UsageError('--psk-identity and --psk go together');
  if (id === undefined || hex === undefined) return undefined;
  if (id.length === 0 || Buffer.byteLength(id) > 65535) throw new UsageError('--psk-identity: 1 to 65535 bytes');
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new UsageError('--psk: an even number of hex digits');
  const key = new Uint8Array(Buffer.from(hex, 'hex'));
  if (key.length < 16) throw new UsageError(`--psk: at least 16 bytes (got ${key.length})`);
  return { identity: id, key };
}

/** Client: the session to offer (--sess-in) and the other resumption settings. */
export interface ClientSessionArgs {
  session?: Uint8Array;
  sessOut?: string;
  resume: boolean;
  earlyData?: Uint8Array;
  psk?: ExternalPsk;
}

export function clientSessionArgs(args: ParsedArgs): ClientSessionArgs {
  const v = args.values;
  const r: ClientSessionArgs = { resume: args.flags.has('resume') };
  if (v.has('sess-in')) {
    if (r.resume) throw new UsageError('--sess-in and --resume are exclusive (--resume makes its own session)');
    r.session = readBytes(v.get('sess-in')!, '--sess-in');
  }
  if (v.has('sess-out')) {
    r.sessOut = v.get('sess-out')!;
    // Fail now, not after the handshake.
    try {
      writeFileSync(r.sessOut, '', { mode: 0o600, flag: 'a' });
    } catch (e) {
      throw new UsageError(`--sess-out: cannot write ${r.sessOut}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (v.has('early-data')) {
    if (!r.session && !r.resume) throw new UsageError('--early-data needs a session to resume (--sess-in or --resume): 0-RTT only exists on a resumed connection');
    r.earlyData = readBytes(v.get('early-data')!, '--early-data');
  }
  const psk = externalPsk(args);
  if (psk) r.psk = psk;
  return r;
}

/** Server: --early-data [--max-early-data BYTES] as maxEarlyData (0: no 0-RTT). */
export function serverMaxEarlyData(args: ParsedArgs): number {
  if (!args.flags.has('early-data')) {
    if (args.values.has('max-early-data')) throw new UsageError('--max-early-data needs --early-data');
    return 0;
  }
  return intOption(args, 'max-early-data', 1, 16 * 1024 * 1024, DEFAULT_MAX_EARLY_DATA);
}

/** Server: --ticket-keys FILE (48 bytes) as TicketKeys; fresh random keys without it. */
export function serverTicketKeys(args: ParsedArgs): TicketKeys {
  const file = args.values.get('ticket-keys');
  if (file === undefined) return new TicketKeys();
  const keys = readBytes(file, '--ticket-keys');
  if (keys.length !== TICKET_KEYS_LENGTH) throw new UsageError(`--ticket-keys: ${file} must hold ${TICKET_KEYS_LENGTH} bytes (it holds ${keys.length})`);
  return new TicketKeys({ keys });
}

/** Server: --tickets N. */
export function serverTickets(args: ParsedArgs): number {
  return intOption(args, 'tickets', 0, 16, 2);
}

function readBytes(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Keep the newest session in FILE (each ticket replaces the previous one). */
export function sessionWriter(path: string): (session: Uint8Array) => void {
  return (session) => writeFileSync(path, session, { mode: 0o600 });
}
