/**
 * A small, deterministic box layout for the chart model; no external renderer (none runs offline).
 *
 * Every state is a box: a title, what it does (invoke, entry), then one line per outgoing transition, so each arrow
 * starts at the line that names it. A compound state stacks its children by rank (breadth-first distance from its
 * initial child along sibling transitions), in columns or rows, whichever is closer to a landscape page; a parallel
 * state puts its regions in a grid. Text is monospaced so widths are known without font metrics.
 */
import { keyOf, transitionLabel } from './labels.js';
import type { ChartNode, ChartTransition } from './model.js';

export const METRICS = {
  fontSize: 12,
  /** Advance of one monospace character at `fontSize` (0.6 em), rounded up so text never overflows its box. */
  charWidth: 7.3,
  lineHeight: 16,
  padding: 10,
  titleHeight: 22,
  /** Space between siblings: room for arrows and for the initial-state marker. */
  gap: 40,
  /** Extra left room inside a compound for the initial-state marker. */
  initialMarker: 18,
  minWidth: 90,
} as const;

/** The page shape the orientation choice aims for (width : height): square reads best on a screen and in a README. */
const TARGET_ASPECT = 1.0;

export interface LaidOutLine {
  readonly text: string;
  readonly kind: 'title' | 'detail' | 'transition';
  readonly transition?: ChartTransition;
  /** Baseline position, absolute. */
  readonly x: number;
  readonly y: number;
}

export interface LaidOutNode {
  readonly node: ChartNode;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** A region of a parallel state (drawn dashed). */
  readonly region: boolean;
  readonly lines: readonly LaidOutLine[];
  readonly children: readonly LaidOutNode[];
}

interface Measured {
  readonly node: ChartNode;
  readonly width: number;
  readonly height: number;
  readonly region: boolean;
  /** Height of the title, details and transition lines. */
  readonly headerHeight: number;
  readonly headerLines: ReadonlyArray<Omit<LaidOutLine, 'x' | 'y'>>;
  /** Child offsets relative to this box. */
  readonly placements: ReadonlyArray<{ readonly child: Measured; readonly dx: number; readonly dy: number }>;
}

export function layoutChart(root: ChartNode): LaidOutNode {
  return place(measure(root, false), METRICS.gap / 2, METRICS.gap / 2);
}

function headerLinesOf(node: ChartNode): Array<Omit<LaidOutLine, 'x' | 'y'>> {
  const lines: Array<Omit<LaidOutLine, 'x' | 'y'>> = [
    { text: node.path === '' ? `${node.key} (machine)` : node.key, kind: 'title' },
  ];
  if (node.type === 'parallel') lines.push({ text: 'parallel: all regions at once', kind: 'detail' });
  if (node.type === 'final') lines.push({ text: 'final', kind: 'detail' });
  for (const actor of node.invoke) lines.push({ text: `invoke ${actor}`, kind: 'detail' });
  for (const action of node.entry) lines.push({ text: `entry / ${action}`, kind: 'detail' });
  for (const transition of node.transitions)
    lines.push({ text: transitionText(node, transition), kind: 'transition', transition });
  return lines;
}

/** `SOCKET.OPENED [fromCurrentSocket] → awaiting-session`; a re-entering self-loop reads `↻`. */
export function transitionText(node: ChartNode, transition: ChartTransition): string {
  const label = transitionLabel(transition);
  if (node.path === '' && transition.targets.length > 0)
    return `${label} → ${transition.targets.map(keyOf).join(', ')} (from every state)`;
  if (transition.targets.length === 0) return `${label} (no target)`;
  if (transition.targets.every((target) => target === node.path)) return `${label} ↻`;
  return `${label} → ${transition.targets.map(keyOf).join(', ')}`;
}

function textWidth(text: string, bold: boolean): number {
  return [...text].length * METRICS.charWidth * (bold ? 1.08 : 1);
}

function measure(node: ChartNode, region: boolean): Measured {
  const headerLines = headerLinesOf(node);
  const headerHeight = METRICS.titleHeight + (headerLines.length - 1) * METRICS.lineHeight + METRICS.padding / 2;
  const headerWidth =
    Math.max(...headerLines.map((line) => textWidth(line.text, line.kind === 'title'))) + 2 * METRICS.padding;
  if (node.children.length === 0) {
    return {
      node,
      region,
      headerHeight,
      headerLines,
      width: Math.ceil(Math.max(METRICS.minWidth, headerWidth)),
      height: Math.ceil(headerHeight + METRICS.padding / 2),
      placements: [],
    };
  }
  const children = node.children.map((child) => measure(child, node.type === 'parallel'));
  const arrangement = node.type === 'parallel' ? arrangeGrid(children) : arrangeByRank(node, children);
  const left = METRICS.padding + (node.type === 'parallel' ? 0 : METRICS.initialMarker);
  const top = headerHeight + METRICS.padding;
  return {
    node,
    region,
    headerHeight,
    headerLines,
    width: Math.ceil(Math.max(METRICS.minWidth, headerWidth, left + arrangement.width + METRICS.padding)),
    height: Math.ceil(top + arrangement.height + METRICS.padding),
    placements: arrangement.placements.map((placement) => ({
      ...placement,
      dx: placement.dx + left,
      dy: placement.dy + top,
    })),
  };
}

interface Arrangement {
  readonly width: number;
  readonly height: number;
  readonly placements: Array<{ child: Measured; dx: number; dy: number }>;
}

/** Ranks children by breadth-first distance from the initial child, then picks columns or rows. */
function arrangeByRank(node: ChartNode, children: readonly Measured[]): Arrangement {
  const ranks = rankChildren(node);
  const groups: Measured[][] = [];
  for (const child of children) {
    const rank = ranks.get(child.node.path) ?? 0;
    (groups[rank] ??= []).push(child);
  }
  const ordered = groups.filter((group) => group.length > 0);
  const columns = arrangeLines(ordered, 'columns');
  const rows = arrangeLines(ordered, 'rows');
  return score(columns) <= score(rows) ? columns : rows;
}

function arrangeLines(groups: readonly Measured[][], direction: 'columns' | 'rows'): Arrangement {
  const placements: Array<{ child: Measured; dx: number; dy: number }> = [];
  let main = 0;
  let cross = 0;
  for (const group of groups) {
    let along = 0;
    let thickness = 0;
    for (const child of group) {
      const [size, breadth] = direction === 'columns' ? [child.height, child.width] : [child.width, child.height];
      placements.push(direction === 'columns' ? { child, dx: main, dy: along } : { child, dx: along, dy: main });
      along += size + METRICS.gap;
      thickness = Math.max(thickness, breadth);
    }
    cross = Math.max(cross, along - METRICS.gap);
    main += thickness + METRICS.gap;
  }
  main -= METRICS.gap;
  return direction === 'columns'
    ? { width: main, height: cross, placements }
    : { width: cross, height: main, placements };
}

/** Parallel regions in the grid (1…n columns) closest to the target aspect. */
function arrangeGrid(children: readonly Measured[]): Arrangement {
  let best: Arrangement | undefined;
  for (let columns = 1; columns <= children.length; columns++) {
    const widths: number[] = [];
    const heights: number[] = [];
    children.forEach((child, index) => {
      const column = index % columns;
      const row = Math.floor(index / columns);
      widths[column] = Math.max(widths[column] ?? 0, child.width);
      heights[row] = Math.max(heights[row] ?? 0, child.height);
    });
    const gap = METRICS.gap / 2;
    const placements = children.map((child, index) => ({
      child,
      dx: sum(widths.slice(0, index % columns)) + gap * (index % columns),
      dy: sum(heights.slice(0, Math.floor(index / columns))) + gap * Math.floor(index / columns),
    }));
    // Regions of one row share its height, so their dashed borders line up.
    const stretched = placements.map((placement, index) => ({
      ...placement,
      child: {
        ...placement.child,
        width: widths[index % columns] ?? placement.child.width,
        height: heights[Math.floor(index / columns)] ?? placement.child.height,
      },
    }));
    const arrangement = {
      width: sum(widths) + gap * (widths.length - 1),
      height: sum(heights) + gap * (heights.length - 1),
      placements: stretched,
    };
    if (best === undefined || score(arrangement) < score(best)) best = arrangement;
  }
  return best as Arrangement;
}

function score(arrangement: { width: number; height: number }): number {
  return Math.max(arrangement.width, arrangement.height * TARGET_ASPECT);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * Breadth-first distance of each child from the initial one, following transitions between the children's subtrees.
 * Children no transition reaches (a final state reached only from the machine itself) come last, in definition order.
 */
function rankChildren(node: ChartNode): Map<string, number> {
  const childOf = (path: string): string | undefined =>
    node.children.find((child) => path === child.path || path.startsWith(`${child.path}.`))?.path;
  const edges = new Map<string, string[]>();
  const visit = (each: ChartNode): void => {
    for (const transition of each.transitions) {
      const from = childOf(transition.source);
      for (const target of transition.targets) {
        const to = childOf(target);
        if (from !== undefined && to !== undefined && from !== to) edges.set(from, [...(edges.get(from) ?? []), to]);
      }
    }
    each.children.forEach(visit);
  };
  node.children.forEach(visit);
  const ranks = new Map<string, number>();
  const start = node.initial ?? node.children[0]?.path;
  if (start === undefined) return ranks;
  ranks.set(start, 0);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const next of edges.get(current) ?? []) {
      if (ranks.has(next)) continue;
      ranks.set(next, (ranks.get(current) ?? 0) + 1);
      queue.push(next);
    }
  }
  const last = Math.max(...ranks.values()) + 1;
  for (const child of node.children) if (!ranks.has(child.path)) ranks.set(child.path, last);
  return ranks;
}

function place(measured: Measured, x: number, y: number): LaidOutNode {
  let lineY = y + METRICS.titleHeight - 6;
  const lines: LaidOutLine[] = measured.headerLines.map((line, index) => {
    if (index > 0) lineY += METRICS.lineHeight;
    return { ...line, x: x + METRICS.padding, y: lineY };
  });
  return {
    node: measured.node,
    x,
    y,
    width: measured.width,
    height: measured.height,
    region: measured.region,
    lines,
    children: measured.placements.map((placement) => place(placement.child, x + placement.dx, y + placement.dy)),
  };
}
