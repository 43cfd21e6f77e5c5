/**
 * docs/CONFIGURATION.md promises every option with its default: this keeps the page and the code in step.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMING } from '../../machines/index.js';
import { CLIENT_DEFAULTS } from '../../src/defaults.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../../src/protocol/limits.js';

const page = readFileSync(new URL('../../docs/CONFIGURATION.md', import.meta.url), 'utf8');

function documentedDefault(option: string): string | undefined {
  const row = page.split('\n').find((line) => line.startsWith(`| \`${option}\` |`));
  return row?.split('|')[2]?.trim().replaceAll('`', '');
}

describe('docs/CONFIGURATION.md', () => {
  it.each(Object.entries(DEFAULT_TIMING))('documents the timing %s with its default %d', (option, value) => {
    expect(documentedDefault(option)).toBe(String(value));
  });

  it.each(Object.entries(CLIENT_DEFAULTS).filter(([option]) => option !== 'socketPath'))(
    'documents the client option %s with its default',
    (option, value) => {
      expect(documentedDefault(option)).toBe(String(value));
    },
  );

  it('documents the frame size limit with its default', () => {
    expect(documentedDefault('maxFrameBytes')).toBe(String(DEFAULT_MAX_FRAME_BYTES));
  });
});
