/**
 * The chart model as a Mermaid `stateDiagram-v2`. Mermaid ids may not contain `-`, `.` or `:`, so each state gets an
 * id made of its path with underscores and is labelled with its real name. Each transition is written in the block
 * of the lowest state that contains both ends, after that block's states are declared: Mermaid places a state where
 * it first sees it, so declaring before referencing keeps every state in its parent.
 */
import { transitionLabel } from './labels.js';
import type { ChartModel, ChartNode, ChartTransition } from './model.js';
import { allTransitions } from './model.js';

const INDENT = '    ';

export function renderMermaid(model: ChartModel): string {
  const edgesByBlock = groupEdgesByBlock(model.root);
  const lines: string[] = ['stateDiagram-v2'];
  writeChildren(model.root, 1, edgesByBlock, lines);
  const rootTransitions = model.root.transitions.filter((transition) => transition.targets.length > 0);
  for (const transition of rootTransitions) {
    for (const target of transition.targets) {
      // A transition of the machine itself is taken from every state: say so once, beside its target.
      lines.push(
        `${INDENT}note left of ${mermaidId(target)} : ${transitionLabel(transition)} is accepted in every state`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function mermaidId(path: string): string {
  return path.replace(/[^A-Za-z0-9]+/g, '_');
}

function writeChildren(
  node: ChartNode,
  depth: number,
  edgesByBlock: ReadonlyMap<string, ChartTransition[]>,
  lines: string[],
): void {
  const pad = INDENT.repeat(depth);
  if (node.initial !== undefined) lines.push(`${pad}[*] --> ${mermaidId(node.initial)}`);
  node.children.forEach((child, index) => {
    // Parallel regions are separated by `--` inside the parallel state's block.
    if (node.type === 'parallel' && index > 0) lines.push(`${pad}--`);
    writeState(child, depth, edgesByBlock, lines);
  });
  for (const transition of edgesByBlock.get(node.path) ?? []) {
    for (const target of transition.targets) {
      lines.push(`${pad}${mermaidId(transition.source)} --> ${mermaidId(target)} : ${edgeLabel(transition)}`);
    }
  }
  if (node.path === '') {
    for (const child of node.children) if (child.type === 'final') lines.push(`${pad}${mermaidId(child.path)} --> [*]`);
  }
}

function writeState(
  node: ChartNode,
  depth: number,
  edgesByBlock: ReadonlyMap<string, ChartTransition[]>,
  lines: string[],
): void {
  const pad = INDENT.repeat(depth);
  const id = mermaidId(node.path);
  lines.push(`${pad}state "${describe(node)}" as ${id}`);
  if (node.children.length === 0) return;
  lines.push(`${pad}state ${id} {`);
  writeChildren(node, depth + 1, edgesByBlock, lines);
  lines.push(`${pad}}`);
}

/** The name, plus what the state does on its own: parallel, invoked actors, entry actions. */
function describe(node: ChartNode): string {
  const notes: string[] = [];
  if (node.type === 'parallel') notes.push('parallel');
  for (const actor of node.invoke) notes.push(`invoke ${actor}`);
  for (const action of node.entry) notes.push(`entry ${action}`);
  return notes.length === 0 ? node.key : `${node.key} (${notes.join(', ')})`;
}

function edgeLabel(transition: ChartTransition): string {
  // `:` and `;` end a Mermaid label; neither appears in our labels, but never let one through.
  const label = transitionLabel(transition) + (transition.reenter ? ' (re-enter)' : '');
  return label.replace(/[:;]/g, ' ');
}

/** Each transition keyed by the path of the innermost state containing its source and all its targets. */
function groupEdgesByBlock(root: ChartNode): Map<string, ChartTransition[]> {
  const blocks = new Map<string, ChartTransition[]>();
  for (const transition of allTransitions(root)) {
    if (transition.targets.length === 0 || transition.source === '') continue;
    const block = transition.targets.reduce(
      (common, target) => commonAncestor(common, target),
      parentOf(transition.source),
    );
    const list = blocks.get(block) ?? [];
    list.push(transition);
    blocks.set(block, list);
  }
  return blocks;
}

function parentOf(path: string): string {
  const at = path.lastIndexOf('.');
  return at === -1 ? '' : path.slice(0, at);
}

/** The longest common ancestor path of `block` and the parent of `target`. */
function commonAncestor(block: string, target: string): string {
  const a = block === '' ? [] : block.split('.');
  const b = parentOf(target) === '' ? [] : parentOf(target).split('.');
  const common: string[] = [];
  for (let index = 0; index < Math.min(a.length, b.length) && a[index] === b[index]; index++)
    common.push(a[index] as string);
  return common.join('.');
}
