import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VECTORS_PATH, vectors } from './support/vectors.js';

const shared = fileURLToPath(new URL('../../../shared/fixtures/oauth/vectors.json', import.meta.url));
const sharedPresent = existsSync(shared);

describe('the OAuth reference vectors', () => {
  it('are complete in the project copy', () => {
    expect(vectors.lst_requests.length).toBe(6);
    expect(vectors.signed_requests.length).toBe(7);
    expect(vectors.negative.length).toBe(3);
    expect(vectors.percent_encoding.length).toBeGreaterThan(10);
  });

  it(
    sharedPresent
      ? 'match the shared vectors beside the project byte for byte'
      : 'have no shared copy beside the project to compare with, so the project copy is the reference',
    () => {
      expect(existsSync(shared)).toBe(sharedPresent);
      if (!sharedPresent) return;
      expect(readFileSync(VECTORS_PATH).equals(readFileSync(shared))).toBe(true);
    },
  );
});
