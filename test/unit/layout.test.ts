import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The source layout's two rules, checked on every run so that they hold as code is added:
// no import cycle in src/ (type imports included: they tie modules together all the same),
// and no file over 300 lines.

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const MAX_LINES = 300;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The src/ files a module imports, static, dynamic and type-only alike. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
}

/** Every cycle's files, found by depth-first search over the import graph. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('the source layout', () => {
  const files = sourceFiles(src);
  const graph = new Map(files.map((file) => [file, importsOf(file)]));

  it('resolves every relative import to a file in src/', () => {
    const known = new Set(files);
    const missing = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => !known.has(target)).map((target) => `${relative(src, file)} -> ${relative(src, target)}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles = findCycles(graph).map((cycle) => cycle.map((file) => relative(src, file)).join(' -> '));
    expect(cycles).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file: relative(src, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself can fail)', () => {
    const a = '/a.ts';
    const b = '/b.ts';
    expect(findCycles(new Map([[a, [b]], [b, [a]]]))).toEqual([[a, b]]);
  });
});
