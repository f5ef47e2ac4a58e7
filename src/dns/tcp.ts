/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message behind a two-byte
 * length, several queries per connection answered in turn, partial reads
 * collected, and limits that keep one client from holding the listener:
 *
 * - an idle timeout counted from connect or from the last complete message,
 *   so bytes that trickle in without ever finishing a message buy no time;
 * - a cap on connections from one client address (RFC 7766 §6.2.2);
 * - a cap on connections in all: when it is reached, the connection idle
 *   longest is closed to make room for the new one (RFC 7766 §6.2.3);
 * - back pressure: a connection whose client does not read stops being
 *   read, and is closed when its unsent answers pass a cap.
 *
 * Trouble on one connection closes that connection only.
 */
import net from 'node:net';

import type { Logger } from '../log.js';
import type { Responder } from './udp.js';

/** Limits for the TCP side. */
export interface TcpOptions {
  /** Close a connection after this long without a complete message, counted from connect (milliseconds). */
  idleTimeoutMs: number;
  /** Connections open at once; a new one past this replaces the one idle longest. */
  maxConnections: number;
  /** Connections open at once from one client address (IPv6: the exact address); more are closed at once. */
  maxConnectionsPerAddress: number;
  /** Close a connection whose answers waiting to be sent pass this many bytes. */
  maxQueuedBytes: number;
}

/** The limits used when none are given. */
export const TCP_DEFAULTS: Readonly<TcpOptions> = Object.freeze({
  idleTimeoutMs: 10_000, // RFC 7766 §6.2.3 asks for seconds, not minutes
  maxConnections: 256,
  maxConnectionsPerAddress: 16, // far looser than one per client (RFC 7766 §6.2.2), for clients behind NAT
  maxQueuedBytes: 256 * 1024, // bytes: four full-size answers
});

/** A TCP listener with the connections it holds. */
export class TcpListener {
  readonly #server: net.Server;
  readonly #opts: TcpOptions;
  readonly #logger: Logger;
  /** Open connections and their client addresses, the one idle longest first. */
  readonly #open = new Map<net.Socket, string>();
  /** Open connections per client address. */
  readonly #perAddress = new Map<string, number>();

  constructor(respond: Responder, opts: TcpOptions, logger: Logger) {
    this.#opts = opts;
    this.#logger = logger;
    this.#server = net.createServer((socket) => {
      if (!this.#admit(socket)) return;

      serveConnection(socket, respond, opts, logger, () => this.#markActive(socket));
    });
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
    return this.#open.size;
  }

  /** The bound address, once listening. */
  address(): net.AddressInfo | undefined {
    return (this.#server.address() as net.AddressInfo | null) ?? undefined;
  }

  /** Stops accepting, closes every open connection, and resolves when done. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const socket of [...this.#open.keys()]) socket.destroy();
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
    });
  }

  /** Records a new connection, or closes it when its address already holds its share. */
  #admit(socket: net.Socket): boolean {
    const client = socket.remoteAddress;
    if (client === undefined || this.#countFrom(client) >= this.#opts.maxConnectionsPerAddress) {
      this.#logger.debug({ client }, 'dns: TCP connection refused, too many from one address');
      socket.destroy();
      return false;
    }

    if (this.#open.size >= this.#opts.maxConnections) this.#closeIdlest();
    this.#open.set(socket, client);
    this.#perAddress.set(client, this.#countFrom(client) + 1);
    socket.once('close', () => this.#forget(socket));
    return true;
  }

  /** Open connections from one client address. */
  #countFrom(client: string): number {
    return this.#perAddress.get(client) ?? 0;
  }

  /** Closes the connection that has gone longest without a complete message. */
  #closeIdlest(): void {
    const [socket, client] = this.#open.entries().next().value ?? [];
    if (!socket) return;

    this.#logger.debug({ client }, 'dns: TCP connection closed to make room');
    this.#forget(socket);
    socket.destroy();
  }

  /** Moves a connection that just completed a message to the back of the idle order. */
  #markActive(socket: net.Socket): void {
    const client = this.#open.get(socket);
    if (client === undefined) return;

    this.#open.delete(socket);
    this.#open.set(socket, client);
  }

  /** Drops a connection from the counts; safe to call more than once. */
  #forget(socket: net.Socket): void {
    const client = this.#open.get(socket);
    if (client === undefined) return;

    this.#open.delete(socket);
    const left = this.#countFrom(client) - 1;
    if (left > 0) this.#perAddress.set(client, left);
    else this.#perAddress.delete(client);
  }
}

/** Reads framed messages from one connection, writes the answers, and reports each complete message. */
function serveConnection(
  socket: net.Socket,
  respond: Responder,
  opts: TcpOptions,
  logger: Logger,
  onMessage: () => void,
): void {
  let pending: Buffer = Buffer.alloc(0);
  let blocked = false;
  const restartIdle = idleTimer(socket, opts.idleTimeoutMs);

  const answerPending = (): void => {
    while (!blocked && pending.length >= 2 && !socket.destroyed) {
      const end = 2 + pending.readUInt16BE(0);
      if (pending.length < end) return;

      const reply = respond(pending.subarray(2, end));
      pending = pending.subarray(end);
      // A message that gets no answer at all (too short, QR set) ends this connection.
      if (!reply) return void socket.destroy();

      restartIdle();
      onMessage();
      blocked = !socket.write(frame(reply));
      if (socket.writableLength > opts.maxQueuedBytes) return void socket.destroy();

      if (blocked) socket.pause();
    }
  };

  socket.setNoDelay(true);
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

/**
 * Closes the socket `ms` after it was opened or after the returned function
 * was last called. Unlike socket.setTimeout, bytes read or written do not
 * count: only a complete message does (RFC 7766 §6.2.3).
 */
function idleTimer(socket: net.Socket, ms: number): () => void {
  const timer = setTimeout(() => socket.destroy(), ms);
  socket.once('close', () => clearTimeout(timer));
  return () => void timer.refresh();
}

/** The message behind its two-byte length. */
function frame(reply: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(reply.length + 2);
  framed.writeUInt16BE(reply.length, 0);
  reply.copy(framed, 2);
  return framed;
}
