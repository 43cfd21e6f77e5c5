/** Checks shared by the tests that read `--json` output: every line is a JSON object with a `type`. */
import { expect } from 'vitest';
import { LIFECYCLE_STATES } from '../../../machines/index.js';

export interface JsonLine {
  readonly type: string;
  readonly [key: string]: unknown;
}

export function parseJsonLines(lines: readonly string[]): JsonLine[] {
  return lines.map((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`line ${index + 1} is not JSON: ${line}`);
    }
    expect(value, `line ${index + 1}`).toBeTypeOf('object');
    expect(typeof (value as { type?: unknown }).type, `line ${index + 1} has a string type: ${line}`).toBe('string');
    return value as JsonLine;
  });
}

/** The `state` lines, each checked against the contract: a lifecycle state name and an epoch-ms `at`. */
export function stateSequence(lines: readonly JsonLine[]): string[] {
  const states = lines.filter((line) => line.type === 'state');
  for (const line of states) {
    expect(LIFECYCLE_STATES).toContain(line['state']);
    expect(line['at']).toBeTypeOf('number');
    expect(line['at'] as number).toBeGreaterThan(1_600_000_000_000);
  }
  return states.map((line) => line['state'] as string);
}

/** `expected` appears in `actual` in this order (other states may come between). */
export function expectSubsequence(actual: readonly string[], expected: readonly string[]): void {
  let at = 0;
  for (const state of actual) if (state === expected[at]) at++;
  expect(at, `${expected.join(' → ')} within ${actual.join(' → ')}`).toBe(expected.length);
}
