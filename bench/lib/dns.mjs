/**
 * Just enough DNS wire format for the benchmarks: build a query or an
 * RFC 2136 update, read the A/AAAA addresses out of an answer, find a free
 * port, and poll a server until it gives a correct answer.
 */
import dgram from 'node:dgram';
import net from 'node:net';

/** Record types used here. */
export const TYPE = { A: 1, NS: 2, SOA: 6, AAAA: 28, ANY: 255 };

/** Encodes a name in uncompressed wire form. */
function encodeName(name) {
  const parts = name.replace(/\.$/, '').split('.');
  const out = [];
  for (const label of parts) out.push(Buffer.from([label.length]), Buffer.from(label, 'latin1'));
  out.push(Buffer.from([0]));
  return Buffer.concat(out);
}

/** A query for `name`/`type`, RD clear. */
export function buildQuery(id, name, type) {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id, 0);
  head.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([head, encodeName(name), tail]);
}

/** A resource record in wire form. */
function record(name, type, klass, ttl, rdata) {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(klass, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(name), fixed, rdata]);
}

/**
 * An RFC 2136 UPDATE that replaces the A RRset of `name` with `address`:
 * zone section, no prerequisites, "delete RRset" (class ANY, §2.5.2) then
 * "add to RRset" (§2.5.1).
 */
export function buildUpdateA(id, zone, name, address, ttl = 60) {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id, 0);
  head.writeUInt16BE(5 << 11, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(2, 8);
  const zoneClass = Buffer.alloc(4);
  zoneClass.writeUInt16BE(TYPE.SOA, 0);
  zoneClass.writeUInt16BE(1, 2);
  const rdata = Buffer.from(address.split('.').map(Number));
  return Buffer.concat([
    head,
    encodeName(zone),
    zoneClass,
    record(name, TYPE.A, 255, 0, Buffer.alloc(0)),
    record(name, TYPE.A, 1, ttl, rdata),
  ]);
}

/** Skips a possibly compressed name; returns the offset after it. */
function skipName(buf, pos) {
  while (pos < buf.length) {
    const len = buf[pos];
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) return pos + 2;
    pos += len + 1;
  }
  return pos;
}

/**
 * Reads a response: ID, RCODE and the addresses of A/AAAA records in the
 * answer section, in presentation form.
 */
export function readAnswer(buf) {
  const id = buf.readUInt16BE(0);
  const rcode = buf[3] & 0xf;
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let pos = 12;
  for (let i = 0; i < qd; i++) pos = skipName(buf, pos) + 4;
  const addresses = [];
  for (let i = 0; i < an && pos < buf.length; i++) {
    pos = skipName(buf, pos);
    const type = buf.readUInt16BE(pos);
    const len = buf.readUInt16BE(pos + 8);
    const rdata = buf.subarray(pos + 10, pos + 10 + len);
    if (type === TYPE.A) addresses.push([...rdata].join('.'));
    if (type === TYPE.AAAA) addresses.push(ipv6Text(rdata));
    pos += 10 + len;
  }
  return { id, rcode, addresses };
}

/** Writes an IPv6 address with all eight groups, as `readAnswer` does. */
export function expandIPv6(text) {
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16)).join(':');
}

function ipv6Text(rdata) {
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(rdata.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** A port on 127.0.0.1 that is free for both UDP and TCP right now. */
export async function freePort() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = net.createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    const socket = dgram.createSocket('udp4');
    const ok = await new Promise((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => resolve(true));
    });
    socket.close();
    await new Promise((resolve) => server.close(resolve));
    if (ok) return port;
  }
  throw new Error('no free port found on 127.0.0.1');
}

/**
 * A UDP client to one server on 127.0.0.1: `ask` sends one query and
 * resolves with the parsed answer, or undefined after `timeoutMs`.
 */
export function udpClient(port) {
  const socket = dgram.createSocket('udp4');
  const pending = new Map();
  let nextId = 1;
  socket.on('message', (msg) => {
    if (msg.length < 12) return;
    const id = msg.readUInt16BE(0);
    const waiter = pending.get(id);
    if (!waiter) return;
    pending.delete(id);
    clearTimeout(waiter.timer);
    waiter.resolve(readAnswer(msg));
  });
  socket.on('error', () => undefined);
  return {
    ask(name, type, timeoutMs = 1000) {
      return this.exchange((id) => buildQuery(id, name, type), timeoutMs);
    },
    /** Sends the message `build(id)` and resolves with its parsed reply, or undefined. */
    exchange(build, timeoutMs = 2000) {
      const id = nextId;
      nextId = (nextId % 65535) + 1;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(undefined);
        }, timeoutMs);
        pending.set(id, { resolve, timer });
        socket.send(build(id), port, '127.0.0.1');
      });
    },
    close() {
      for (const { timer, resolve } of pending.values()) {
        clearTimeout(timer);
        resolve(undefined);
      }
      pending.clear();
      socket.close();
    },
  };
}

/**
 * Sends a query for `name` A every `everyMs` until an answer holds
 * `expected`, or `timeoutMs` passes. Resolves with the time of that answer
 * (performance.now()), or undefined.
 */
export async function firstCorrectAnswer(port, name, expected, { everyMs = 2, timeoutMs = 30000 } = {}) {
  const client = udpClient(port);
  const deadline = performance.now() + timeoutMs;
  try {
    return await new Promise((resolve) => {
      let done = false;
      const tick = setInterval(() => {
        if (performance.now() > deadline) {
          done = true;
          clearInterval(tick);
          resolve(undefined);
          return;
        }
        client.ask(name, TYPE.A, 500).then((answer) => {
          if (done || !answer || answer.rcode !== 0 || !answer.addresses.includes(expected)) return;
          done = true;
          clearInterval(tick);
          resolve(performance.now());
        });
      }, everyMs);
    });
  } finally {
    client.close();
  }
}
