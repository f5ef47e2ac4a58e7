#!/usr/bin/env node
/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the
 * most self time and the most total (inclusive) time, as shares of the
 * sampled time.
 *
 *   node bench/profile-top.mjs FILE.cpuprofile [--top 25] [--filter src/dns]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, filter: { type: 'string' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile-top.mjs FILE.cpuprofile [--top N] [--filter TEXT]\n');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);

// Each sample is one interval of time spent in the sampled node.
const hits = new Map();
profile.samples.forEach((id, i) => hits.set(id, (hits.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...hits.values()].reduce((a, b) => a + b, 0);

function label(node) {
  const f = node.callFrame;
  const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|src|node_modules)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
}

const self = new Map();
const inclusive = new Map();
for (const [id, time] of hits) {
  const key = label(byId.get(id));
  self.set(key, (self.get(key) ?? 0) + time);
  // Count each function once per sample, however deep it recurses.
  const seen = new Set();
  for (let n = id; n !== undefined; n = parentOf.get(n)) {
    const k = label(byId.get(n));
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + time);
  }
}

function print(title, map) {
  process.stdout.write(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)\n`);
  const rows = [...map].filter(([k]) => !values.filter || k.includes(values.filter)).sort((a, b) => b[1] - a[1]);
  for (const [k, t] of rows.slice(0, Number(values.top))) {
    process.stdout.write(`${((100 * t) / total).toFixed(1).padStart(6)} %  ${k}\n`);
  }
}

print('self time', self);
print('total time', inclusive);
