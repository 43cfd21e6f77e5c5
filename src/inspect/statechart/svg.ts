/**
 * Draws the laid-out chart as a standalone SVG. Each state is a `<g class="state">` carrying stable attributes the
 * live view selects on: `data-state` (its name), `data-state-path` (its full path, unique) and, for the lifecycle
 * phases of the public contract, `data-lifecycle`. Children are nested inside their parent's group, so highlighting
 * a parent never restyles its children. Arrows are drawn last, from the line that names the transition to the
 * nearest side of its target. Coordinates are rounded: the output is byte-for-byte deterministic.
 */
import { METRICS, layoutChart, type LaidOutLine, type LaidOutNode } from './svg-layout.js';
import type { ChartModel } from './model.js';

export interface SvgOptions {
  /** Maps a state path to its public lifecycle name when it is one (gets a `data-lifecycle` attribute). */
  readonly lifecycleOf?: (path: string) => string | undefined;
}

const STYLE = `
  .state > rect.box { fill: #ffffff; stroke: #4a5568; stroke-width: 1.2; }
  .state.compound > rect.box { fill: #f7f9fc; }
  .state.parallel > rect.box { fill: #eef4fb; }
  .state.region > rect.box { fill: none; stroke-dasharray: 6 4; stroke: #8a9bb0; }
  .state.final > rect.inner { fill: none; stroke: #4a5568; }
  .state.active > rect.box { fill: #dcf5e3; stroke: #1a7f37; stroke-width: 3; }
  .state.compound.active > rect.box, .state.parallel.active > rect.box { fill: #f1fbf4; }
  .state.region.active > rect.box { fill: none; stroke-width: 2; }
  .state.active.current > rect.box { fill: #c6efd3; }
  text { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: ${METRICS.fontSize}px; fill: #1f2933; }
  text.title { font-weight: bold; }
  text.detail { fill: #5b6b7f; font-style: italic; }
  text.transition { fill: #2b4a6f; }
  path.arrow { fill: none; stroke: #7a8aa0; stroke-width: 1.1; opacity: 0.75; }
  circle.initial { fill: #1f2933; }
  line.initial { stroke: #1f2933; stroke-width: 1.2; }
`;

export function renderSvg(model: ChartModel, options: SvgOptions = {}): string {
  const root = layoutChart(model.root);
  const boxes = new Map<string, LaidOutNode>();
  const collect = (node: LaidOutNode): void => {
    boxes.set(node.node.path, node);
    node.children.forEach(collect);
  };
  collect(root);
  const width = Math.ceil(root.x * 2 + root.width + METRICS.gap);
  const height = Math.ceil(root.y * 2 + root.height);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" data-machine="${escape(model.id)}" role="img" aria-label="statechart of ${escape(model.id)}">`,
    `<style>${STYLE}</style>`,
    '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7a8aa0"/></marker></defs>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  drawNode(root, out, options, '');
  out.push('<g class="arrows">');
  for (const node of boxes.values()) drawArrows(node, boxes, out);
  out.push('</g>', '</svg>');
  return `${out.join('\n')}\n`;
}

function drawNode(laid: LaidOutNode, out: string[], options: SvgOptions, indent: string): void {
  const { node } = laid;
  const classes = ['state', node.type, ...(laid.region ? ['region'] : [])].join(' ');
  const lifecycle = options.lifecycleOf?.(node.path);
  const attributes = [
    `class="${classes}"`,
    `data-state="${escape(node.key)}"`,
    `data-state-path="${escape(node.path)}"`,
    `data-state-id="${escape(node.id)}"`,
    ...(lifecycle === undefined ? [] : [`data-lifecycle="${escape(lifecycle)}"`]),
  ];
  out.push(`${indent}<g ${attributes.join(' ')}>`);
  out.push(`${indent}  <title>${escape(node.path === '' ? node.key : node.path)}</title>`);
  out.push(
    `${indent}  <rect class="box" x="${r(laid.x)}" y="${r(laid.y)}" width="${r(laid.width)}" height="${r(laid.height)}" rx="${laid.region ? 4 : 10}"/>`,
  );
  if (node.type === 'final') {
    out.push(
      `${indent}  <rect class="inner" x="${r(laid.x + 3)}" y="${r(laid.y + 3)}" width="${r(laid.width - 6)}" height="${r(laid.height - 6)}" rx="8"/>`,
    );
  }
  for (const line of laid.lines) out.push(`${indent}  ${drawLine(line)}`);
  const initial = laid.children.find((child) => child.node.path === node.initial);
  if (initial) {
    const cy = initial.y + METRICS.titleHeight / 2;
    out.push(`${indent}  <circle class="initial" cx="${r(initial.x - 13)}" cy="${r(cy)}" r="4"/>`);
    out.push(
      `${indent}  <line class="initial" x1="${r(initial.x - 9)}" y1="${r(cy)}" x2="${r(initial.x - 1)}" y2="${r(cy)}" marker-end="url(#arrowhead)"/>`,
    );
  }
  for (const child of laid.children) drawNode(child, out, options, `${indent}  `);
  out.push(`${indent}</g>`);
}

function drawLine(line: LaidOutLine): string {
  const tooltip =
    line.transition && line.transition.actions.length > 0
      ? `<title>actions: ${escape(line.transition.actions.join(', '))}</title>`
      : '';
  return `<text class="${line.kind}" x="${r(line.x)}" y="${r(line.y)}">${tooltip}${escape(line.text)}</text>`;
}

/**
 * One arrow per (state, target) pair, from the edge of the state beside the first line that names the target, to the
 * nearest side of the target. Further transitions to the same target are listed but share that arrow: parallel
 * curves would add ink, not information.
 */
function drawArrows(laid: LaidOutNode, boxes: ReadonlyMap<string, LaidOutNode>, out: string[]): void {
  const drawn = new Set<string>();
  for (const line of laid.lines) {
    const transition = line.transition;
    // The machine's own transitions hold in every state: an arrow from the machine's edge says nothing more.
    if (!transition || transition.source === '') continue;
    for (const targetPath of transition.targets) {
      const target = boxes.get(targetPath);
      if (!target || targetPath === transition.source || drawn.has(targetPath)) continue;
      drawn.add(targetPath);
      const towardsLeft = target.x + target.width / 2 < laid.x + laid.width / 2 && target.x < laid.x;
      const start = { x: towardsLeft ? laid.x : laid.x + laid.width, y: line.y - 4, nx: towardsLeft ? -1 : 1 };
      const end = nearestAnchor(target, start);
      const reach = Math.min(120, Math.max(24, Math.hypot(end.x - start.x, end.y - start.y) / 3));
      const c1 = { x: start.x + start.nx * reach, y: start.y };
      const c2 = { x: end.x + end.nx * reach, y: end.y + end.ny * reach };
      out.push(
        `<path class="arrow" data-from="${escape(transition.source)}" data-to="${escape(targetPath)}" d="M${r(start.x)},${r(start.y)} C${r(c1.x)},${r(c1.y)} ${r(c2.x)},${r(c2.y)} ${r(end.x)},${r(end.y)}" marker-end="url(#arrowhead)"/>`,
      );
    }
  }
}

interface Anchor {
  readonly x: number;
  readonly y: number;
  /** Outward normal of the side the arrow enters by. */
  readonly nx: number;
  readonly ny: number;
}

function nearestAnchor(box: LaidOutNode, from: { x: number; y: number }): Anchor {
  const titleY = box.y + METRICS.titleHeight / 2;
  const candidates: Anchor[] = [
    { x: box.x, y: titleY, nx: -1, ny: 0 },
    { x: box.x + box.width, y: titleY, nx: 1, ny: 0 },
    { x: box.x + Math.min(box.width / 2, 80), y: box.y, nx: 0, ny: -1 },
    { x: box.x + Math.min(box.width / 2, 80), y: box.y + box.height, nx: 0, ny: 1 },
  ];
  let best = candidates[0] as Anchor;
  for (const candidate of candidates) {
    if (Math.hypot(candidate.x - from.x, candidate.y - from.y) < Math.hypot(best.x - from.x, best.y - from.y))
      best = candidate;
  }
  return best;
}

function r(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
