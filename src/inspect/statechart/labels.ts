/** How a transition is named in the diagrams: trigger, guard and delay in one short, plain-text line. */
import type { ChartTransition, ChartTrigger } from './model.js';

/** `SOCKET.MESSAGE [isGreeting]`, `after heartbeatTimeout 25s`, `done checkSession [checkAuthenticated]`, `always`. */
export function transitionLabel(transition: ChartTransition): string {
  const guard = transition.guard === undefined ? '' : ` [${transition.guard}]`;
  return `${triggerLabel(transition.trigger)}${guard}`;
}

export function triggerLabel(trigger: ChartTrigger): string {
  switch (trigger.kind) {
    case 'event':
      return trigger.event;
    case 'after':
      return `after ${trigger.delay}${trigger.defaultMs === undefined ? '' : ` ${formatDelay(trigger.defaultMs)}`}`;
    case 'always':
      return 'always';
    case 'done':
      return `done ${trigger.actor}`;
    case 'error':
      return `error ${trigger.actor}`;
  }
}

/** 25000 → `25s`, 540000 → `9min`, 250 → `250ms`: compact, and free of characters Mermaid reserves. */
export function formatDelay(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  if (ms > 1_000) return `${(ms / 1_000).toFixed(1)}s`;
  return `${ms}ms`;
}

/** The last segment of a path: the name a person reads (`socket.ready.authenticated` → `authenticated`). */
export function keyOf(path: string): string {
  const at = path.lastIndexOf('.');
  return at === -1 ? path : path.slice(at + 1);
}
