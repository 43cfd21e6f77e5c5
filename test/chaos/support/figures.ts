/**
 * Figures of a reliability run, written to test-artifacts/<name>.json (and printed) so docs/RELIABILITY.md can quote
 * the last run. Each suite file owns one figures file; entries are merged by key, so one test's figures never erase
 * another's.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './processes.js';

export const ARTIFACTS_DIRECTORY = join(REPOSITORY_ROOT, 'test-artifacts');

export class FiguresFile {
  readonly path: string;
  readonly #entries: Record<string, unknown> = {};

  constructor(name: string) {
    this.path = join(ARTIFACTS_DIRECTORY, `${name}.json`);
  }

  record(key: string, figures: Record<string, unknown>): void {
    this.#entries[key] = figures;
    console.log(`[figures] ${key}: ${JSON.stringify(figures)}`);
  }

  /** Writes the file (keeping entries of earlier runs that this run did not produce, marked as such). */
  write(): void {
    mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
    let previous: Record<string, unknown> = {};
    try {
      previous = (JSON.parse(readFileSync(this.path, 'utf8')) as { entries?: Record<string, unknown> }).entries ?? {};
    } catch {
      previous = {};
    }
    const entries: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(previous)) entries[key] = { ...(value as object), fromEarlierRun: true };
    Object.assign(entries, this.#entries);
    const document = {
      writtenAt: new Date().toISOString(),
      machine: { cores: cpus().length, node: process.version, platform: process.platform },
      entries,
    };
    writeFileSync(this.path, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`[figures] written to ${this.path}`);
  }
}
