/**
 * visualizations/ is generated from the machine and never edited by hand: this fails when the committed files differ
 * from what the machine generates now (fix: `npm run visualize`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedDiagram, generateVisualizations, VISUALIZATION_FILES } from '../../src/inspect/visualizations.js';

const directory = join(import.meta.dirname, '..', '..', 'visualizations');

describe('visualizations/', () => {
  const generated = generateVisualizations();
  for (const name of VISUALIZATION_FILES) {
    it(`holds the ${name} that the machine generates (run 'npm run visualize' when this fails)`, () => {
      const committed = readFileSync(join(directory, name), 'utf8');
      expect(committed === generated[name], `visualizations/${name} is stale: run 'npm run visualize'`).toBe(true);
    });
  }
});

describe('README.md', () => {
  it('embeds the state diagram the machine generates (run npm run visualize when this fails)', () => {
    const readme = readFileSync(join(directory, '..', 'README.md'), 'utf8');
    const refreshed = embedDiagram(readme);
    expect(refreshed, 'README.md lost its state-diagram markers').toBeDefined();
    expect(refreshed === readme, "README.md's state diagram is stale: run 'npm run visualize'").toBe(true);
  });
});
