/**
 * docs/OBSERVABILITY.md promises every metric with its unit and every span: this keeps the page and the code in step.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC, SPAN } from '../../src/observability/index.js';

const page = readFileSync(new URL('../../docs/OBSERVABILITY.md', import.meta.url), 'utf8');

function row(name: string): string[] | undefined {
  const line = page.split('\n').find((candidate) => candidate.startsWith(`| \`${name}\` |`));
  return line?.split('|').map((cell) => cell.trim().replaceAll('`', ''));
}

describe('docs/OBSERVABILITY.md', () => {
  it.each(Object.values(METRIC).map((spec) => [spec.name, spec.unit]))(
    'documents the metric %s with its unit %s',
    (name, unit) => {
      const cells = row(name);
      expect(cells, `no table row for ${name}`).toBeDefined();
      expect(cells?.[3]).toBe(unit);
      // The Prometheus column names what the exporter makes of it: dots to underscores.
      expect(cells?.[5]).toContain(name.replaceAll('.', '_'));
    },
  );

  it.each(Object.values(SPAN))('documents the span %s', (name) => {
    expect(row(name), `no table row for ${name}`).toBeDefined();
  });
});
