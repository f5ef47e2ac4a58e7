#!/usr/bin/env node
/**
 * The ceiling: a Node UDP socket that answers every datagram with one
 * pre-built reply (h0.dyn.example.net A 10.0.0.1), only the ID patched.
 * It does no DNS work at all, so no Node server doing real work can be
 * faster on one core.
 *
 *   node bench/peers/ceiling.mjs PORT
 */
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write('usage: node bench/peers/ceiling.mjs PORT\n');
  process.exit(2);
}

// Header: QR AA, one question, one answer. Question h0.dyn.example.net A IN;
// answer: pointer to the question name, A IN, TTL 60, 10.0.0.1.
const name = Buffer.from('\x02h0\x03dyn\x07example\x03net\x00', 'latin1');
const reply = Buffer.concat([
  Buffer.from([0, 0, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0]),
  name,
  Buffer.from([0, 1, 0, 1]),
  Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1]),
]);

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  if (msg.length < 2 || rinfo.port === 0) return;
  // A copy per reply: the send may still hold the buffer when the next query comes.
  const out = Buffer.allocUnsafe(reply.length);
  reply.copy(out);
  out[0] = msg[0];
  out[1] = msg[1];
  socket.send(out, rinfo.port, rinfo.address);
});
socket.bind(port, '127.0.0.1');

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => socket.close(() => process.exit(0)));
