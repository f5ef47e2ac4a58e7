/**
 * Answers to requests Node refuses before our handler sees them: bytes
 * that are not HTTP, a request line or headers over Node's own limit, a
 * client too slow to send its request. They are written straight to the
 * socket, always with a Content-Length, and the connection is closed.
 */
import { STATUS_CODES } from 'node:http';

import type { Answer, Outcome } from './answers.js';

/** What Node's `clientError` event carries. */
export interface ClientError extends Error {
  code?: string;
  bytesParsed?: number;
  rawPacket?: Buffer;
}

/** The answer to a request Node refused, or undefined to just close. */
export function clientErrorOutcome(err: ClientError): Outcome | undefined {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return undefined;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { kind: 'request-timeout' };
  if (err.code !== 'HPE_HEADER_OVERFLOW') return { kind: 'bad-request', message: 'Malformed HTTP request.' };

  return inRequestLine(err) ? { kind: 'uri-too-long' } : { kind: 'headers-too-large' };
}

/**
 * Whether Node's header limit was crossed inside the request line: the
 * data it was parsing starts with a method and holds no line end before
 * the point of failure. A request line sent in many small pieces is not
 * recognised and gets 431, which refuses it just as well.
 */
function inRequestLine(err: ClientError): boolean {
  const packet = err.rawPacket;
  if (!packet) return false;

  const parsed = packet.subarray(0, err.bytesParsed ?? packet.length).toString('latin1');
  return /^[A-Z]+ /.test(parsed) && !parsed.includes('\n');
}

/** An answer as raw HTTP/1.1 bytes, ending the connection. */
export function rawResponse(answer: Answer): string {
  const length = String(Buffer.byteLength(answer.body));
  const headers = { ...answer.headers, 'Content-Length': length, Connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  const status = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`;
  return `${status}\r\n${lines.join('')}\r\n${answer.body}`;
}
