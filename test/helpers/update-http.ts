/**
 * A raw HTTP/1.x client for update tests: it sends exactly the request
 * line and headers given (no Host or User-Agent added), over IPv4 or IPv6,
 * and reads one response framed by Content-Length or by the close.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/** One request as a client sends it. */
export interface RawRequest {
  host: string;
  port: number;
  method?: string;
  /** Path and query, exactly as on the wire. */
  target: string;
  headers?: Record<string, string>;
  httpVersion?: '1.0' | '1.1';
  /** Extra bytes after the headers (a body). */
  body?: string;
  /** TLS options; absent means plain TCP. */
  tls?: ConnectionOptions;
  timeoutMs?: number;
}

/** One response as it came back. */
export interface RawResponse {
  status: number;
  httpVersion: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** The head of the response as received, for framing checks. */
  head: string;
}

/** Writes the request line and headers exactly as given. */
export function requestText(req: RawRequest): string {
  const lines = [`${req.method ?? 'GET'} ${req.target} HTTP/${req.httpVersion ?? '1.1'}`];
  for (const [name, value] of Object.entries(req.headers ?? {})) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n${req.body ?? ''}`;
}

/** Sends one request on a new connection and reads its response. */
export function rawRequest(req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket = req.tls
      ? tlsConnect({ host: req.host, port: req.port, servername: 'localhost', ...req.tls })
      : connect({ host: req.host, port: req.port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no complete response within ${req.timeoutMs ?? 5000} ms`)), req.timeoutMs ?? 5000);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) return reject(err);
      const parsed = parseResponse(Buffer.concat(chunks), req.method === 'HEAD');
      if (parsed) resolve(parsed);
      else reject(new Error(`incomplete response: ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 200))}`));
    };
    socket.once(req.tls ? 'secureConnect' : 'connect', () => socket.write(requestText(req)));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (parseResponse(Buffer.concat(chunks), req.method === 'HEAD')?.complete) finish();
    });
    socket.on('error', (err) => (chunks.length > 0 ? finish() : finish(err)));
    socket.on('end', () => finish());
  });
}

/** Parses a response; `complete` once its Content-Length is all there. */
export function parseResponse(data: Buffer, head: boolean): (RawResponse & { complete: boolean }) | undefined {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;

  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const m = /^HTTP\/(\d\.\d) (\d{3})/.exec(statusLine);
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const bodyBytes = data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const complete = head || (length !== undefined && bodyBytes.length >= length);
  const body = (head ? Buffer.alloc(0) : length === undefined ? bodyBytes : bodyBytes.subarray(0, length)).toString('utf8');
  return { status: Number(m[2]), httpVersion: m[1] as string, headers, body, head: text.slice(0, end), complete };
}
