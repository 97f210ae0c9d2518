/**
 * Chromium's NetLog (`--log-net-log=FILE`, JSON: constants + events), read
 * for what the browser saw of its TLS connections: which socket carried a
 * URL request, and that socket's SSL_CONNECT result (`is_resumed`,
 * `version`, `cipher_suite`, …).
 */
import { readFileSync } from 'node:fs';

interface NetLogEvent {
  type: number;
  phase?: number;
  source: { id: number; type: number };
  params?: Record<string, unknown>;
}

interface NetLogFile {
  constants: { logEventTypes: Record<string, number>; logEventPhase: Record<string, number> };
  events: NetLogEvent[];
}

/** What SSL_CONNECT's end event says about one socket. */
export type SslConnect = Record<string, unknown> & { is_resumed?: boolean; version?: string };

export interface NetLog {
  /** The SSL_CONNECT result of the socket that carried the request for `url` (the first such request). */
  sslConnectFor(url: string): SslConnect | undefined;
}

/** Parse a NetLog written by a Chromium that has exited (the file is complete then). */
export function readNetLog(file: string): NetLog {
  const log = JSON.parse(readFileSync(file, 'utf8')) as NetLogFile;
  const type = (name: string): number => {
    const t = log.constants.logEventTypes[name];
    if (t === undefined) throw new Error(`NetLog has no event type ${name}`);
    return t;
  };
  const END = log.constants.logEventPhase['PHASE_END'];
  const START_JOB = type('URL_REQUEST_START_JOB');
  const TO_JOB = type('HTTP_STREAM_REQUEST_BOUND_TO_JOB');
  const TO_SOCKET = type('SOCKET_POOL_BOUND_TO_SOCKET');
  const SSL_CONNECT = type('SSL_CONNECT');
  const dependency = (e: NetLogEvent): number | undefined => (e.params?.['source_dependency'] as { id?: number } | undefined)?.id;
  return {
    sslConnectFor(url) {
      const request = log.events.find((e) => e.type === START_JOB && e.params?.['url'] === url)?.source.id;
      if (request === undefined) return undefined;
      const job = log.events.find((e) => e.type === TO_JOB && e.source.id === request);
      const jobId = job && dependency(job);
      const bound = log.events.find((e) => e.type === TO_SOCKET && e.source.id === jobId);
      const socket = bound && dependency(bound);
      return log.events.find((e) => e.type === SSL_CONNECT && e.phase === END && e.source.id === socket)?.params as SslConnect | undefined;
    },
  };
}
