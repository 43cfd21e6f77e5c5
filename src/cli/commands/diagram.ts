/**
 * `ibkr-ws diagram`: regenerates `visualizations/` (Mermaid source, SVG, README) from the connection statechart.
 * `--check` writes nothing and exits 1 when the files on disk differ from what the machine generates (for CI).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { embedDiagram, generateVisualizations, VISUALIZATION_FILES } from '../../inspect/visualizations.js';
import { UsageError, type CliIo } from '../io.js';

const HELP = `Usage: ibkr-ws diagram [--out DIR] [--check]

Regenerates the statechart diagrams from machines/connection.machine.ts:
  connection.mmd   Mermaid stateDiagram-v2 source
  connection.svg   SVG rendering (parallel regions, guards and delays on transitions)
  README.md        embeds the Mermaid source

  --out DIR   where to write (default: ./visualizations; then ./README.md's marked diagram block is refreshed too)
  --check     write nothing; exit 1 when the files are not what the machine generates`;

export async function runDiagramCommand(argv: string[], io: CliIo): Promise<number> {
  let values: { out?: string; check?: boolean; help?: boolean };
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { out: { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (values.out !== undefined && values.out.trim() === '') throw new UsageError('--out expects a directory');
  const directory = resolve(values.out ?? 'visualizations');
  const files = generateVisualizations();
  // The project's own README embeds the diagram; only the default run (from the project root) touches it.
  const readmePath = values.out === undefined ? resolve('README.md') : undefined;
  const readme = readmePath === undefined ? undefined : await readFile(readmePath, 'utf8').catch(() => undefined);
  const refreshedReadme = readme === undefined ? undefined : embedDiagram(readme, files['connection.mmd']);

  if (values.check) {
    const stale: string[] = [];
    for (const name of VISUALIZATION_FILES) {
      const current = await readFile(join(directory, name), 'utf8').catch(() => undefined);
      if (current !== files[name]) stale.push(name);
    }
    if (refreshedReadme !== undefined && refreshedReadme !== readme) stale.push('README.md (state diagram)');
    if (stale.length === 0) {
      io.stdout(`${directory}: up to date`);
      return 0;
    }
    io.stderr(`${directory}: out of date (${stale.join(', ')}); run 'npm run visualize'`);
    return 1;
  }

  await mkdir(directory, { recursive: true });
  for (const name of VISUALIZATION_FILES) {
    await writeFile(join(directory, name), files[name]);
    io.stdout(`wrote ${join(directory, name)}`);
  }
  if (readmePath !== undefined && refreshedReadme !== undefined && refreshedReadme !== readme) {
    await writeFile(readmePath, refreshedReadme);
    io.stdout(`updated the state diagram in ${readmePath}`);
  }
  return 0;
}
