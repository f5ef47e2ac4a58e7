/**
 * Small DNS clients for tests: a query builder that writes exactly what it
 * is told (case, flags, EDNS), UDP and TCP senders bounded in time, a
 * DnsServer on loopback port 0, and `dig`.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';

import dns2 from 'dns2';

import { DnsServer } from '../../src/dns/server.js';
import { silentLogger, type Logger } from '../../src/log.js';
import type { ZoneSet } from '../../src/zone/zones.js';

/** A decoded message, as dns2's independent parser sees it. */
export type Decoded = ReturnType<typeof dns2.Packet.parse>;

/** What to put in a query. */
export interface QuerySpec {
  name: string;
  type: number;
  id?: number;
  cls?: number;
  /** Header bits 1–15 (opcode and flags); RD only when unset. */
  flags?: number;
  edns?: { udpSize?: number; version?: number; dnssecOk?: boolean; options?: Buffer };
}

/** The labels of a name in wire form, letter case kept. */
export function wireName(name: string): Buffer {
  const labels = name === '' || name === '.' ? [] : name.replace(/\.$/, '').split('.');
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

/** An OPT record for the additional section. */
export function optRecord(edns: NonNullable<QuerySpec['edns']>): Buffer {
  const options = edns.options ?? Buffer.alloc(0);
  const opt = Buffer.alloc(11);
  opt.writeUInt16BE(41, 1);
  opt.writeUInt16BE(edns.udpSize ?? 1232, 3);
  opt[6] = edns.version ?? 0;
  opt[7] = edns.dnssecOk ? 0x80 : 0;
  opt.writeUInt16BE(options.length, 9);
  return Buffer.concat([opt, options]);
}

/** Builds a query message from a spec. */
export function buildQuery(spec: QuerySpec): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(spec.id ?? 0x1234, 0);
  header.writeUInt16BE(spec.flags ?? 0, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(spec.edns ? 1 : 0, 10);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(spec.type, 0);
  tail.writeUInt16BE(spec.cls ?? 1, 2);
  return Buffer.concat([header, wireName(spec.name), tail, spec.edns ? optRecord(spec.edns) : Buffer.alloc(0)]);
}

/** Decodes a message with dns2; fails the test on decode errors. */
export function decode(msg: Buffer): Decoded {
  const packet = dns2.Packet.parse(msg);
  if (packet.errors.length > 0) throw new Error(`dns2 could not decode: ${packet.errors[0]?.message}`);
  return packet;
}

/** Sends one datagram and waits for one reply; undefined after `timeoutMs`. */
export function udpExchange(host: string, port: number, msg: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    const done = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('message', (reply) => done(reply));
    socket.on('error', () => done(undefined));
    socket.send(msg, port, host);
  });
}

/**
 * Writes `bytes` to a new TCP connection (in pieces when asked) and collects
 * framed replies until `expect` arrived, the server closed, or time ran out.
 */
export function tcpExchange(host: string, port: number, bytes: Buffer, expect: number, opts: { timeoutMs?: number; pieces?: number } = {}): Promise<{ replies: Buffer[]; closed: boolean }> {
  const socket = net.connect({ host, port });
  const replies: Buffer[] = [];
  let pending = Buffer.alloc(0);
  return new Promise((resolve) => {
    let closed = false;
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ replies, closed });
    };
    const timer = setTimeout(done, opts.timeoutMs ?? 3000);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (replies.length >= expect) done();
    });
    socket.on('close', () => {
      closed = true;
      done();
    });
    socket.on('error', () => undefined);
    socket.on('connect', () => writeInPieces(socket, bytes, opts.pieces ?? 1));
  });
}

function writeInPieces(socket: net.Socket, bytes: Buffer, pieces: number): void {
  const size = Math.ceil(bytes.length / pieces);
  let at = 0;
  const next = (): void => {
    if (at >= bytes.length || socket.destroyed) return;
    socket.write(bytes.subarray(at, at + size));
    at += size;
    setTimeout(next, 5);
  };
  next();
}

/** A message behind its two-byte length, for TCP. */
export function framed(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

/** A started server on 127.0.0.1:0 and [::1]:0 with its ports. */
export async function startServer(zones: ZoneSet, opts: { logger?: Logger; tcp?: ConstructorParameters<typeof DnsServer>[0]['tcp'] } = {}): Promise<{ server: DnsServer; v4: number; v6: number }> {
  const server = new DnsServer({
    zones,
    listen: [
      { host: '127.0.0.1', port: 0 },
      { host: '::1', port: 0 },
    ],
    logger: opts.logger ?? silentLogger(),
    ...(opts.tcp ? { tcp: opts.tcp } : {}),
  });
  await server.start();
  const { udp } = server.addresses();
  return { server, v4: udp[0]?.port ?? 0, v6: udp[1]?.port ?? 0 };
}

/** Runs `dig` with a time limit; resolves with its standard output. */
export function dig(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['+time=2', '+tries=1', ...args], { timeout: 10_000 }, (err, stdout) => {
      if (err && !stdout) reject(err);
      else resolve(stdout);
    });
  });
}

/** True when a command runs on this machine. */
export function hasCommand(command: string, args = ['-v']): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 5000 }, (err) => resolve(!err || (err as NodeJS.ErrnoException).code !== 'ENOENT'));
  });
}
