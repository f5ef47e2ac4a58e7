/**
 * The DNS server: UDP and TCP on every listen address, both answering from
 * the live zones through one handler. With port 0 the UDP socket picks a
 * free port and TCP binds the same number, so one address serves both.
 */
import type dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

import type { Logger } from '../log.js';
import type { ZoneSet } from '../zone/zones.js';
import { createStats, handleMessage, type DnsStats, type HandlerContext } from './handler.js';
import { TCP_DEFAULTS, TcpListener, type TcpOptions } from './tcp.js';
import { bindUdp, closeUdp } from './udp.js';

/** How often to try again when the port UDP picked is taken for TCP. */
const PORT_ATTEMPTS = 5;

/** What a DnsServer needs. */
export interface DnsServerOptions {
  zones: ZoneSet;
  listen: readonly { host: string; port: number }[];
  logger: Logger;
  tcp?: Partial<TcpOptions>;
}

/** Bound sockets of one listen address. */
interface Binding {
  udp: dgram.Socket;
  tcp: TcpListener;
}

/** An authoritative DNS server over UDP and TCP. */
export class DnsServer {
  readonly #opts: DnsServerOptions;
  readonly #tcp: TcpOptions;
  readonly #ctx: HandlerContext;
  #bindings: Binding[] = [];

  constructor(opts: DnsServerOptions) {
    this.#opts = opts;
    this.#tcp = { ...TCP_DEFAULTS, ...opts.tcp };
    this.#ctx = { zones: opts.zones, logger: opts.logger, stats: createStats() };
  }

  /** Binds every listen address; on failure closes what was bound and rejects. */
  async start(): Promise<void> {
    try {
      for (const { host, port } of this.#opts.listen) this.#bindings.push(await this.#bind(host, port));
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** The bound addresses, with the real port numbers. */
  addresses(): { udp: AddressInfo[]; tcp: AddressInfo[] } {
    return {
      udp: this.#bindings.map((b) => b.udp.address()),
      tcp: this.#bindings.flatMap((b) => b.tcp.address() ?? []),
    };
  }

  /** Counts of messages answered, dropped and refused as malformed, and open TCP connections. */
  stats(): Readonly<DnsStats & { tcpConnections: number }> {
    const tcpConnections = this.#bindings.reduce((sum, b) => sum + b.tcp.connections, 0);
    return { ...this.#ctx.stats, tcpConnections };
  }

  /** Stops listening and closes every socket and connection. */
  async close(): Promise<void> {
    const bindings = this.#bindings;
    this.#bindings = [];
    await Promise.all(bindings.flatMap((b) => [closeUdp(b.udp), b.tcp.close()]));
  }

  async #bind(host: string, port: number): Promise<Binding> {
    for (let attempt = 1; ; attempt++) {
      const udp = await bindUdp(host, port, (msg) => handleMessage(this.#ctx, msg, 'udp'), this.#opts.logger);
      const tcp = new TcpListener((msg) => handleMessage(this.#ctx, msg, 'tcp'), this.#tcp, this.#opts.logger);
      try {
        await tcp.listen(host, udp.address().port);
        return { udp, tcp };
      } catch (err) {
        await closeUdp(udp);
        const retry = port === 0 && attempt < PORT_ATTEMPTS && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!retry) throw err;
      }
    }
  }
}
