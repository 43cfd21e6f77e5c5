import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The project's copy of the corpus (what every test reads) and the shared original beside the project root. */
const projectCopy = fileURLToPath(new URL('../fixtures/protocol/', import.meta.url));
const shared = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));
const sharedPresent = existsSync(shared) && statSync(shared).isDirectory();

function filesUnder(root: string): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(root, path));
    }
  };
  walk(root);
  return found.sort();
}

function lineCount(name: string): number {
  return readFileSync(join(projectCopy, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '').length;
}

describe('the protocol fixture corpus', () => {
  it('is complete in the project copy: README, three non-empty line files and the REST answers', () => {
    const files = filesUnder(projectCopy);
    expect(files).toContain('README.md');
    for (const name of ['server-frames.jsonl', 'bad-frames.jsonl', 'client-commands.jsonl']) {
      expect(files).toContain(name);
      expect(lineCount(name), name).toBeGreaterThan(0);
    }
    expect(files.filter((name) => name.startsWith('rest/') && name.endsWith('.json')).length).toBeGreaterThan(0);
  });

  it(
    sharedPresent
      ? 'matches the shared corpus beside the project, file for file and byte for byte'
      : 'has no shared corpus beside the project to compare with, so the project copy above is the reference',
    () => {
      expect(existsSync(shared)).toBe(sharedPresent);
      if (!sharedPresent) return;
      const files = filesUnder(projectCopy);
      // The OAuth vectors beside the corpus have their own copy and sync check (test/fixtures/oauth).
      expect(filesUnder(shared).filter((name) => !name.startsWith('oauth/'))).toEqual(files);
      for (const name of files)
        expect(readFileSync(join(projectCopy, name)).equals(readFileSync(join(shared, name))), name).toBe(true);
    },
  );
});
