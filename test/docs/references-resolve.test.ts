/**
 * Every reference in the code resolves in the repository a user clones: a `*.md` named in src/ or machines/ exists
 * (as a path from the root, under docs/, or beside the file: the same rule as the project's before-stop check), and
 * every section number (`§4.2`, bare or after `docs/PROTOCOL.md`) cited in src/, machines/ or bench/ is a section of
 * docs/PROTOCOL.md. docs/PROTOCOL.md keeps the section numbers of the reference it was shipped from.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const protocolPage = readFileSync(join(root, 'docs', 'PROTOCOL.md'), 'utf8');

function sourceFiles(directory: string): string[] {
  return readdirSync(join(root, directory)).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/**
 * `## 4. Topics` → 4, `### 4.2 Market data` → 4.2, and the numbered items of a section's own list (the simulator
 * cheat-sheet `## 7.` lists `1.` … `10.`) → 7.1 … 7.10.
 */
function sectionsOf(page: string): Set<string> {
  const sections = new Set<string>();
  let current: string | undefined;
  for (const line of page.split('\n')) {
    const heading = /^#{2,4} (\d+(?:\.\d+)*)\.? /.exec(line);
    if (heading !== null) {
      current = heading[1]!;
      sections.add(current);
      continue;
    }
    if (line.startsWith('#')) current = undefined;
    const item = /^(\d+)\. /.exec(line);
    if (item !== null && current !== undefined) sections.add(`${current}.${item[1]}`);
  }
  return sections;
}

describe('references in the code', () => {
  it('name only *.md files that exist in the tree', () => {
    const dangling: string[] = [];
    for (const file of [...sourceFiles('src'), ...sourceFiles('machines')]) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const [reference] of text.matchAll(/[A-Za-z0-9_./-]*[A-Za-z0-9_-]+\.md/g)) {
        const candidates = [join(root, reference), join(root, 'docs', reference), join(root, dirname(file), reference)];
        if (!candidates.some((candidate) => existsSync(candidate))) dangling.push(`${file}: ${reference}`);
      }
    }
    expect(dangling).toEqual([]);
  });

  it('cite only sections that docs/PROTOCOL.md has', () => {
    const sections = sectionsOf(protocolPage);
    const unknown: string[] = [];
    for (const file of [...sourceFiles('src'), ...sourceFiles('machines'), ...sourceFiles('bench')]) {
      const text = readFileSync(join(root, file), 'utf8');
      // Section numbers of other documents (`RFC 6455 §7.4`) are not ours to check.
      for (const match of text.matchAll(/(RFC \d+ )?§ ?(\d+(?:\.\d+)*)/g)) {
        if (match[1] === undefined && !sections.has(match[2]!))
          unknown.push(`${relative(root, join(root, file))}: §${match[2]}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

describe('docs/PROTOCOL.md', () => {
  const shared = join(root, '..', 'shared', 'PROTOCOL.md');

  it('has the sections the code relies on', () => {
    expect(sectionsOf(protocolPage).size).toBeGreaterThan(30);
    expect(protocolPage).toMatch(/^## 0\. Sources/m);
  });

  it('keeps the section numbers and titles of the shared reference, where that is present', () => {
    if (!existsSync(shared)) return;
    const headings = (page: string) => page.split('\n').filter((line) => /^#{2,4} \d/.test(line));
    expect(headings(protocolPage)).toEqual(headings(readFileSync(shared, 'utf8')));
  });
});
