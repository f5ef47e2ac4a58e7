/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message behind a two-byte
 * length, several queries per connection answered in turn, partial reads
 * collected, an idle timeout, a cap on connections, and back pressure: a
 * connection whose client does not read stops being read, and is closed
 * when its unsent answers pass a cap. Trouble on one connection closes that
 * connection only.
 */
import net from 'node:net';

import type { Logger } from '../log.js';
import type { Responder } from './udp.js';

/** Limits for the TCP side. */
export interface TcpOptions {
  /** Close a connection after this long without traffic (milliseconds). */
  idleTimeoutMs: number;
  /** Connections open at once; more are closed as they arrive. */
  maxConnections: number;
  /** Close a connection whose answers waiting to be sent pass this many bytes. */
  maxQueuedBytes: number;
}

/** The limits used when none are given. */
export const TCP_DEFAULTS: Readonly<TcpOptions> = Object.freeze({
  idleTimeoutMs: 10_000, // RFC 7766 §6.2.3 asks for seconds, not minutes
  maxConnections: 256,
  maxQueuedBytes: 256 * 1024, // bytes: four full-size answers
});

/** A TCP listener with the connections it holds. */
export class TcpListener {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  constructor(respond: Responder, opts: TcpOptions, logger: Logger) {
    this.#server = net.createServer((socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      serveConnection(socket, respond, opts, logger);
    });
    this.#server.maxConnections = opts.maxConnections;
    this.#server.on('error', (err) => logger.warn({ err }, 'dns: TCP listener error'));
  }

  /** Starts listening on host:port; rejects when the address cannot be bound. */
  listen(host: string, port: number): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen({ host, port, exclusive: true, ipv6Only: net.isIPv6(host) }, () => {
        this.#server.off('error', onError);
        resolve(this.#server.address() as net.AddressInfo);
      });
    });
  }

  /** Number of open connections. */
  get connections(): number {
    return this.#sockets.size;
  }

  /** The bound address, once listening. */
  address(): net.AddressInfo | undefined {
    return (this.#server.address() as net.AddressInfo | null) ?? undefined;
  }

  /** Stops accepting, closes every open connection, and resolves when done. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const socket of this.#sockets) socket.destroy();
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
    });
  }
}

/** Reads framed messages from one connection and writes the answers. */
function serveConnection(socket: net.Socket, respond: Responder, opts: TcpOptions, logger: Logger): void {
  let pending: Buffer = Buffer.alloc(0);
  let blocked = false;

  const answerPending = (): void => {
    while (!blocked && pending.length >= 2 && !socket.destroyed) {
      const end = 2 + pending.readUInt16BE(0);
      if (pending.length < end) return;

      const reply = respond(pending.subarray(2, end));
      pending = pending.subarray(end);
      // A message that gets no answer at all (too short, QR set) ends this connection.
      if (!reply) return void socket.destroy();

      blocked = !socket.write(frame(reply));
      if (socket.writableLength > opts.maxQueuedBytes) return void socket.destroy();

      if (blocked) socket.pause();
    }
  };

  socket.setNoDelay(true);
  socket.setTimeout(opts.idleTimeoutMs, () => socket.destroy());
  socket.on('error', (err) => logger.debug({ err }, 'dns: TCP connection error'));
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    answerPending();
  });
  socket.on('drain', () => {
    blocked = false;
    socket.resume();
    answerPending();
  });
}

/** The message behind its two-byte length. */
function frame(reply: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(reply.length + 2);
  framed.writeUInt16BE(reply.length, 0);
  reply.copy(framed, 2);
  return framed;
}
