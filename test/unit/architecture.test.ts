import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';

/** Every TypeScript file under src/, as a path relative to src/. */
function sources(dir = 'src'): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [relative('src', path)] : [];
  });
}

/** The project-internal modules a file imports, relative to src/. */
function imports(file: string): string[] {
  const text = readFileSync(join('src', file), 'utf8');
  const found = [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1] as string);
  return found.map((spec) => relative('src', join('src', file, '..', spec)).replace(/\.js$/, '.ts'));
}

const FILES = sources();
const layer = (path: string): string => (path.includes('/') ? (path.split('/')[0] as string) : path);

t.test('zone/ depends only on itself, errors and the store interface', async (t) => {
  for (const file of FILES.filter((f) => f.startsWith('zone/'))) {
    for (const dep of imports(file)) t.ok(['zone', 'errors.ts', 'store/types.ts'].some((ok) => dep === ok || layer(dep) === ok), `${file} imports ${dep}`);
  }
});

t.test('auth/ knows names and the store interface, not DNS or HTTP', async (t) => {
  for (const file of FILES.filter((f) => f.startsWith('auth/'))) {
    for (const dep of imports(file)) t.ok(['auth', 'errors.ts', 'store/types.ts', 'zone/names.ts', 'zone/ip.ts'].some((ok) => dep === ok || layer(dep) === ok), `${file} imports ${dep}`);
  }
});

t.test('dns/ and update/ never import each other, the store files or the composition root', async (t) => {
  for (const file of FILES.filter((f) => f.startsWith('dns/') || f.startsWith('update/'))) {
    const other = file.startsWith('dns/') ? 'update' : 'dns';
    for (const dep of imports(file)) {
      t.not(layer(dep), other, `${file} imports ${dep}`);
      t.ok(!dep.startsWith('store/') || dep === 'store/types.ts', `${file} imports ${dep}`);
      t.notOk(['app.ts', 'cli.ts', 'control.ts'].includes(dep), `${file} imports ${dep}`);
    }
  }
});

t.test('store/ knows nothing of zones, accounts, DNS or HTTP', async (t) => {
  for (const file of FILES.filter((f) => f.startsWith('store/'))) {
    for (const dep of imports(file)) t.ok(layer(dep) === 'store' || dep === 'errors.ts', `${file} imports ${dep}`);
  }
});

t.test('only the command line exits the process or writes to the console', async (t) => {
  for (const file of FILES.filter((f) => f !== 'cli.ts')) {
    const text = readFileSync(join('src', file), 'utf8');
    t.notOk(/process\.exit\(/.test(text), `${file} calls process.exit`);
    t.notOk(/console\.(log|error|warn|info)\(/.test(text), `${file} writes to the console`);
  }
});

t.test('built-ins are imported with the node: prefix', async (t) => {
  const builtins = /from '(fs|path|net|dgram|http|https|tls|crypto|os|url|util|events|stream|child_process|fs\/promises|dns)'/;
  for (const file of FILES) t.notOk(builtins.test(readFileSync(join('src', file), 'utf8')), file);
});
