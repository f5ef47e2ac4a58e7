#!/usr/bin/env node
/**
 * Writes the benchmark zone and its query mix.
 *
 *   node bench/gen-zone.mjs --hosts 100000 --out /tmp/zone [--queries 200000] [--seed 1]
 *
 * Files written to the output folder:
 *   zone.db     the whole zone (SOA, NS, glue, hosts) for NSD, Knot and BIND
 *   hosts.db    glue and hosts, for `dynzone zone import` (its config holds
 *               SOA and NS; the glue is imported so that a domain owning the
 *               whole zone may be given to the benchmark's account)
 *   queries.txt dnsperf input: 70 % A/AAAA of existing hosts, 10 % apex SOA/NS,
 *               20 % names that do not exist
 *
 * Every address and every query follows from the host count and the seed, so
 * two runs with the same arguments write the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** The zone every benchmark serves. */
export const ZONE = 'dyn.example.net';

/** SOA and NS of the zone; the dynzone config repeats them. */
export const SOA = {
  mname: `ns1.${ZONE}`,
  rname: `hostmaster.example.net`,
  serial: 1,
  refresh: 3600,
  retry: 600,
  expire: 604800,
  minimum: 60,
  ttl: 3600,
};

/** The glue of the one name server, inside the zone. */
export const GLUE = ['ns1 3600 IN A 127.0.0.1', 'ns1 3600 IN AAAA ::1'];

/** TTL of the host records, the same as dynzone's update TTL. */
const HOST_TTL = 60;

/** The IPv4 address of host i: 10.x.y.z, counting up from 10.0.0.1. */
export function hostA(i) {
  const n = i + 1;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** The IPv6 address of host i, in RFC 5952 form: 2001:db8::1, … 2001:db8::1:86a0. */
export function hostAAAA(i) {
  const n = i + 1;
  const low = (n & 0xffff).toString(16);
  return n > 0xffff ? `2001:db8::${(n >>> 16).toString(16)}:${low}` : `2001:db8::${low}`;
}

/** mulberry32: a small PRNG with a fixed seed, so query files repeat exactly. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostLines(hosts) {
  const lines = [];
  for (let i = 0; i < hosts; i++) {
    lines.push(`h${i} ${HOST_TTL} IN A ${hostA(i)}`);
    lines.push(`h${i} ${HOST_TTL} IN AAAA ${hostAAAA(i)}`);
  }
  return lines;
}

/** The whole zone in RFC 1035 text. */
export function zoneText(hosts) {
  const s = SOA;
  const head = [
    `$ORIGIN ${ZONE}.`,
    `$TTL ${s.ttl}`,
    `@ ${s.ttl} IN SOA ${s.mname}. ${s.rname}. ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`,
    `@ ${s.ttl} IN NS ${s.mname}.`,
    ...GLUE,
  ];
  return head.concat(hostLines(hosts)).join('\n') + '\n';
}

/** Glue and hosts, for `dynzone zone import`. */
export function hostsText(hosts) {
  return [`$ORIGIN ${ZONE}.`, ...GLUE, ...hostLines(hosts)].join('\n') + '\n';
}

/** The dnsperf query lines: `name type`, one a line. */
export function queryLines(hosts, count, seed) {
  const random = prng(seed);
  const lines = [];
  for (let q = 0; q < count; q++) {
    const r = random();
    const host = Math.floor(random() * hosts);
    if (r < 0.35) lines.push(`h${host}.${ZONE} A`);
    else if (r < 0.7) lines.push(`h${host}.${ZONE} AAAA`);
    else if (r < 0.75) lines.push(`${ZONE} SOA`);
    else if (r < 0.8) lines.push(`${ZONE} NS`);
    else lines.push(`x${host}.${ZONE} ${random() < 0.5 ? 'A' : 'AAAA'}`);
  }
  return lines;
}

/** Writes zone.db, hosts.db and queries.txt into `out`; returns their paths. */
export function writeZone(out, hosts, queries = 200000, seed = 1) {
  mkdirSync(out, { recursive: true });
  const files = {
    zone: join(out, 'zone.db'),
    hosts: join(out, 'hosts.db'),
    queries: join(out, 'queries.txt'),
  };
  writeFileSync(files.zone, zoneText(hosts));
  writeFileSync(files.hosts, hostsText(hosts));
  writeFileSync(files.queries, queryLines(hosts, queries, seed).join('\n') + '\n');
  return files;
}

function main() {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: '1000' },
      out: { type: 'string' },
      queries: { type: 'string', default: '200000' },
      seed: { type: 'string', default: '1' },
    },
  });
  if (!values.out) {
    process.stderr.write('usage: node bench/gen-zone.mjs --hosts N --out DIR [--queries Q] [--seed S]\n');
    process.exitCode = 2;
    return;
  }
  const files = writeZone(values.out, Number(values.hosts), Number(values.queries), Number(values.seed));
  process.stdout.write(`${files.zone}\n${files.hosts}\n${files.queries}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
