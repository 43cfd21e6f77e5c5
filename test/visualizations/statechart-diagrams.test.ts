/** The diagrams are drawn from the machine definition: every state, region, guard and delay, deterministically. */
import { describe, expect, it } from 'vitest';
import { connectionMachine, LIFECYCLE_STATES } from '../../machines/index.js';
import { readChartModel, allNodes, allTransitions } from '../../src/inspect/statechart/model.js';
import { renderMermaid, mermaidId } from '../../src/inspect/statechart/mermaid.js';
import { connectionSvg, generateVisualizations, lifecycleOfPath } from '../../src/inspect/visualizations.js';

const model = readChartModel(connectionMachine);
const nodes = allNodes(model.root).filter((node) => node.path !== '');

describe('the chart model', () => {
  it('reads every state node of the machine, with the parallel regions of authenticated', () => {
    const authenticated = nodes.find((node) => node.path === 'socket.ready.authenticated');
    expect(authenticated?.type).toBe('parallel');
    expect(authenticated?.children.map((child) => child.key)).toEqual(['liveness', 'tic', 'tickle', 'subscriptions', 'stability']);
    for (const state of LIFECYCLE_STATES) expect(nodes.some((node) => node.key === state), state).toBe(true);
  });

  it('names delays with their default values and keeps guards and invoked actors', () => {
    const labels = allTransitions(model.root);
    const heartbeat = labels.find((transition) => transition.trigger.kind === 'after' && transition.trigger.delay === 'heartbeatTimeout');
    expect(heartbeat?.trigger).toEqual({ kind: 'after', delay: 'heartbeatTimeout', defaultMs: 25_000 });
    expect(heartbeat?.targets).toEqual(['socket.ready.lingering-detected']);
    expect(labels.some((transition) => transition.guard === 'isGreeting')).toBe(true);
    expect(labels.some((transition) => transition.trigger.kind === 'done' && transition.trigger.actor === 'checkSession')).toBe(true);
    expect(labels.some((transition) => transition.trigger.kind === 'always' && transition.guard === 'attemptsExhausted')).toBe(true);
  });
});

describe('the Mermaid diagram', () => {
  const mermaid = renderMermaid(model);

  it('is a stateDiagram-v2 declaring every state with a Mermaid-safe id and its real name', () => {
    expect(mermaid.startsWith('stateDiagram-v2\n')).toBe(true);
    for (const node of nodes) {
      expect(mermaidId(node.path)).toMatch(/^[A-Za-z0-9_]+$/);
      expect(mermaid).toContain(`" as ${mermaidId(node.path)}\n`);
    }
  });

  it('separates the parallel regions and labels transitions with event, guard and delay', () => {
    expect(mermaid.match(/^\s+--$/gm)).toHaveLength(4);
    expect(mermaid).toContain('socket_ready_authenticated_liveness_watching --> socket_ready_lingering_detected : after heartbeatTimeout 25s');
    expect(mermaid).toContain('socket_awaiting_session --> socket_ready_authenticated : SOCKET.MESSAGE [isGreeting]');
    for (const line of mermaid.split('\n').filter((each) => each.includes(' --> ') && each.includes(' : '))) {
      expect(line.split(' : ')[1], line).not.toMatch(/[:;]/);
    }
  });
});

describe('the SVG diagram', () => {
  const svg = connectionSvg();

  it('has one group per state with stable data-state and data-state-path attributes', () => {
    for (const node of nodes) {
      expect(svg).toContain(`data-state="${node.key}" data-state-path="${node.path}"`);
    }
  });

  it('marks each public lifecycle state so the live view can highlight it', () => {
    for (const state of LIFECYCLE_STATES) expect(svg, state).toContain(`data-lifecycle="${state}"`);
    expect(lifecycleOfPath('socket.ready.authenticated')).toBe('authenticated');
    expect(lifecycleOfPath('socket.ready.lingering-detected')).toBe('lingering-detected');
    expect(lifecycleOfPath('socket.ready')).toBeUndefined();
    expect(lifecycleOfPath('socket')).toBeUndefined();
    expect(lifecycleOfPath('login-required.waiting')).toBeUndefined();
  });

  it('draws the parallel regions dashed and lists guards and delays on transitions', () => {
    expect(svg.match(/class="state compound region"/g)).toHaveLength(5);
    expect(svg).toContain('after heartbeatTimeout 25s → lingering-detected');
    expect(svg).toContain('SOCKET.MESSAGE [isGreeting] → authenticated');
    expect(svg).toContain('<path class="arrow"');
  });

  it('is well-formed enough to parse: every group closes and no coordinate is NaN', () => {
    expect(svg.match(/<g /g)?.length).toBe(svg.match(/<\/g>/g)?.length);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });
});

it('generates byte-identical files on every run (no timestamps, no randomness)', () => {
  expect(generateVisualizations()).toEqual(generateVisualizations());
});
