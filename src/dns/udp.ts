/**
 * DNS over UDP (RFC 1035 §4.2.1): one datagram in, at most one out, to the
 * address and port it came from.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';

import type { Logger } from '../log.js';

/** Turns a received message into the reply to send, or undefined for none. */
export type Responder = (msg: Buffer) => Buffer | undefined;

/** Binds a UDP socket on host:port (0 for any free port) that answers through `respond`. */
export function bindUdp(host: string, port: number, respond: Responder, logger: Logger): Promise<dgram.Socket> {
  const v6 = isIPv6(host);
  const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', ...(v6 ? { ipv6Only: true } : {}) });
  socket.on('message', (msg, rinfo) => {
    // Nothing can be delivered to port 0; such a packet is spoofed or broken.
    if (rinfo.port === 0) return;

    const reply = respond(msg);
    if (reply) send(socket, reply, rinfo, logger);
  });

  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      socket.on('error', (err) => logger.warn({ err }, 'dns: UDP socket error'));
      resolve(socket);
    });
  });
}

function send(socket: dgram.Socket, reply: Buffer, to: dgram.RemoteInfo, logger: Logger): void {
  try {
    // No callback: a failed send reaches the socket's 'error' listener, and
    // a closure per datagram costs measurable time on the query path.
    socket.send(reply, to.port, to.address);
  } catch (err) {
    logger.debug({ err }, 'dns: UDP send failed');
  }
}

/** Closes a UDP socket; resolves once it is closed. */
export function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
