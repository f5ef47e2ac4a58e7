import t from 'tap';
import { applyOps, checkOps } from '../../src/store/index.js';
import type { Doc, Op } from '../../src/store/index.js';

const cases: { name: string; doc: Doc; ops: Op[]; want: Doc }[] = [
  {
    name: 'sets a value at the top level',
    doc: {},
    ops: [{ p: ['a'], v: 1 }],
    want: { a: 1 },
  },
  {
    name: 'creates missing objects along the path of a set',
    doc: {},
    ops: [{ p: ['a', 'b', 'c'], v: 'x' }],
    want: { a: { b: { c: 'x' } } },
  },
  {
    name: 'replaces a value that stands where an object is needed',
    doc: { a: 'text' },
    ops: [{ p: ['a', 'b'], v: true }],
    want: { a: { b: true } },
  },
  {
    name: 'stores null as a value, not as a delete',
    doc: { a: 1 },
    ops: [{ p: ['a'], v: null }],
    want: { a: null },
  },
  {
    name: 'deletes a value when v is absent',
    doc: { a: 1, b: 2 },
    ops: [{ p: ['a'] }],
    want: { b: 2 },
  },
  {
    name: 'removes parents that a delete leaves empty',
    doc: { a: { b: { c: 1 } }, keep: 1 },
    ops: [{ p: ['a', 'b', 'c'] }],
    want: { keep: 1 },
  },
  {
    name: 'keeps parents that still hold other keys after a delete',
    doc: { a: { b: { c: 1 }, d: 2 } },
    ops: [{ p: ['a', 'b', 'c'] }],
    want: { a: { d: 2 } },
  },
  {
    name: 'ignores a delete of a path that does not exist',
    doc: { a: { b: {} } },
    ops: [{ p: ['a', 'b', 'c'] }, { p: ['x', 'y'] }, { p: ['a', 'b', 'c', 'd'] }],
    want: { a: { b: {} } },
  },
  {
    name: 'applies ops in order',
    doc: {},
    ops: [
      { p: ['a'], v: 1 },
      { p: ['a'] },
      { p: ['a'], v: 2 },
    ],
    want: { a: 2 },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    t.same(applyOps(structuredClone(c.doc), c.ops), c.want);
  });
}

t.test('keeps "__proto__" as an ordinary key instead of changing the prototype', async (t) => {
  const doc = applyOps({}, [{ p: ['__proto__', 'polluted'], v: true }]);

  t.equal(Object.getPrototypeOf(doc), Object.prototype);
  t.equal(({} as { polluted?: boolean }).polluted, undefined);
  t.same(JSON.parse(JSON.stringify(doc)), JSON.parse('{"__proto__":{"polluted":true}}'));
});

t.test('rejects an op whose path is empty or not made of strings', async (t) => {
  t.throws(() => applyOps({}, [{ p: [], v: 1 }]), TypeError);
  t.throws(() => checkOps([{ p: ['a', 1 as unknown as string], v: 1 }]), TypeError);
  t.throws(() => checkOps({} as unknown as Op[]), TypeError);
  t.doesNotThrow(() => checkOps([{ p: ['a'] }]));
});
