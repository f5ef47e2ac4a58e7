/**
 * The TCP limits that keep one client from holding the DNS listener: the
 * idle timeout counts from the last complete message, not the last byte;
 * each client address gets a share of the connections; and when the
 * listener is full, the connection idle longest makes room for a new one.
 */
import net from 'node:net';

import t from 'tap';

import { RRType } from '../../src/zone/records.js';
import { buildQuery, decode, framed, startServer, tcpExchange } from '../helpers/dns-client.js';
import { fixtureZones } from '../helpers/dns-fixture.js';

const zones = fixtureZones();
const question = framed(buildQuery({ name: 'host.example.test', type: RRType.A, id: 5 }));

t.test('closes a connection that trickles bytes without completing a message, within the idle timeout', async (t) => {
  const { server, v4 } = await startServer(zones, { tcp: { idleTimeoutMs: 500 } });
  t.teardown(() => server.close());
  const socket = await open('127.0.0.1', v4);
  t.teardown(() => socket.destroy());

  // A length of 512 announces a message that one byte every 100 ms would take 50 s to finish.
  const started = Date.now();
  const trickle = setInterval(() => dribble(socket), 100);
  t.teardown(() => clearInterval(trickle));
  const closed = await closedWithin(socket, 3000);

  const elapsed = Date.now() - started;
  t.ok(closed, 'the server closed it');
  t.ok(elapsed >= 400 && elapsed < 1500, `closed after ${elapsed} ms`);
  t.ok(socket.bytesWritten >= 3, `${socket.bytesWritten} bytes went in before`);
});

t.test('keeps a connection open past the idle timeout while it completes messages', async (t) => {
  const { server, v4 } = await startServer(zones, { tcp: { idleTimeoutMs: 500 } });
  t.teardown(() => server.close());
  const socket = await open('127.0.0.1', v4);
  t.teardown(() => socket.destroy());

  const replies = countReplies(socket);
  for (let i = 0; i < 5; i++) {
    socket.write(question);
    await sleep(300);
  }

  t.equal(replies(), 5, 'every query answered on the one connection');
  t.notOk(socket.destroyed, 'still open after 1.5 s with a 0.5 s idle timeout');
});

t.test('refuses a connection past the per-address cap while other addresses are served', async (t) => {
  const { server, v4, v6 } = await startServer(zones, { tcp: { maxConnectionsPerAddress: 3, idleTimeoutMs: 30_000 } });
  t.teardown(() => server.close());
  const held = await openInTurn(3, () => server.stats().tcpConnections, '127.0.0.1', v4);
  t.teardown(() => held.forEach((s) => s.destroy()));

  const extra = await tcpExchange('127.0.0.1', v4, question, 1, { timeoutMs: 2000 });
  t.ok(extra.closed, 'the fourth connection from 127.0.0.1 is closed');
  t.equal(extra.replies.length, 0, 'unanswered');
  t.ok(held.every((s) => !s.destroyed), 'the three it already holds stay open');

  const fromV6 = await tcpExchange('::1', v6, question, 1);
  t.equal(decode(fromV6.replies[0]!).answers[0]?.address, '192.0.2.20', 'a client on ::1 is answered');

  const neighbour = await exchangeFrom('127.0.0.2', v4);
  if (neighbour === undefined) t.comment('127.0.0.2 cannot be bound here; same-listener check skipped');
  else t.equal(neighbour, 1, 'a client on 127.0.0.2 is answered by the same listener');

  held[0]?.destroy();
  await until(() => server.stats().tcpConnections === 2, 2000);
  const again = await tcpExchange('127.0.0.1', v4, question, 1);
  t.equal(again.replies.length, 1, 'a freed place can be taken again');
});

t.test('closes the connection idle longest to answer a fresh client when the listener is full', async (t) => {
  const { server, v4 } = await startServer(zones, { tcp: { maxConnections: 3, idleTimeoutMs: 30_000 } });
  t.teardown(() => server.close());
  const held = await openInTurn(3, () => server.stats().tcpConnections, '127.0.0.1', v4);
  t.teardown(() => held.forEach((s) => s.destroy()));
  const [first, second, third] = held as [net.Socket, net.Socket, net.Socket];

  // The first connection asks a question, so the second is now the one idle longest.
  const answered = countReplies(first);
  first.write(question);
  await until(() => answered() === 1, 2000);

  const fresh = await tcpExchange('127.0.0.1', v4, question, 1);
  t.equal(fresh.replies.length, 1, 'the fresh client is answered');
  t.ok(await closedWithin(second, 2000), 'the connection idle longest was closed');
  t.notOk(first.destroyed || third.destroyed, 'the others stay open');
  await until(() => server.stats().tcpConnections === 2, 2000);
  t.equal(server.stats().tcpConnections, 2, 'the server counts the two left');
});

t.test('answers a fresh client while the listener is full of trickling connections', async (t) => {
  const { server, v4 } = await startServer(zones, { tcp: { maxConnections: 4, idleTimeoutMs: 30_000 } });
  t.teardown(() => server.close());
  const held = await openInTurn(4, () => server.stats().tcpConnections, '127.0.0.1', v4);
  t.teardown(() => held.forEach((s) => s.destroy()));
  const trickle = setInterval(() => held.forEach(dribble), 100);
  t.teardown(() => clearInterval(trickle));
  await sleep(300);

  for (let i = 0; i < 3; i++) {
    const { replies } = await tcpExchange('127.0.0.1', v4, question, 1);
    t.equal(replies.length, 1, `fresh client ${i + 1} is answered`);
  }
});

/** Opens a connection and resolves once it is up. */
function open(host: string, port: number, localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Opens `count` connections one after another, each once the server has counted the one before. */
async function openInTurn(count: number, counted: () => number, host: string, port: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i++) {
    sockets.push(await open(host, port));
    await until(() => counted() === i + 1, 2000);
  }
  return sockets;
}

/** Replies to one query sent from a given local address; undefined when that address cannot be bound. */
async function exchangeFrom(localAddress: string, port: number): Promise<number | undefined> {
  const socket = await open('127.0.0.1', port, localAddress).catch(() => undefined);
  if (!socket) return undefined;

  const replies = countReplies(socket);
  socket.write(question);
  await until(() => replies() > 0 || socket.destroyed, 2000);
  socket.destroy();
  return replies();
}

/** Writes the next byte of a message that announces 512 bytes and never gets there. */
function dribble(socket: net.Socket): void {
  if (socket.destroyed) return;

  socket.write(Buffer.from([socket.bytesWritten === 0 ? 2 : 0]));
}

/** Counts the framed replies that arrive on a socket. */
function countReplies(socket: net.Socket): () => number {
  let pending = Buffer.alloc(0);
  let count = 0;
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      pending = pending.subarray(2 + pending.readUInt16BE(0));
      count++;
    }
  });
  return () => count;
}

/** True when the peer closes the socket within `ms`. */
function closedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);

  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until a condition holds or the time is up. */
async function until(ok: () => boolean, timeoutMs: number): Promise<void> {
  for (const start = Date.now(); !ok() && Date.now() - start < timeoutMs; ) await sleep(20);
}
