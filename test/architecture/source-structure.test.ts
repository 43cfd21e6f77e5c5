/**
 * The shape of the source tree: small files with one job each (none over 400 lines) and imports that point one way
 * (no cycle among src/ and machines/, type-only imports included: a cycle of types is a cycle of concepts).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const MAX_LINES = 400;

function sourceFiles(directory: string): string[] {
  return readdirSync(join(root, directory)).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const files = [...sourceFiles('src'), ...sourceFiles('machines')];

/** The relative imports (and re-exports) of a file, as paths from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map((match) =>
    normalize(join(dirname(file), match[1]!.replace(/\.js$/, '.ts'))),
  );
}

function cycles(): string[][] {
  const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => files.includes(target))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'visiting') found.push([...stack.slice(stack.indexOf(target)), target]);
      else if (state.get(target) === undefined) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (state.get(file) === undefined) visit(file);
  return found;
}

describe('the source tree', () => {
  it(`has no file over ${MAX_LINES} lines in src/ or machines/`, () => {
    const long = files
      .map(
        (file) =>
          [relative(root, join(root, file)), readFileSync(join(root, file), 'utf8').split('\n').length - 1] as const,
      )
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('has no import cycle among src/ and machines/', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(cycles().map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
