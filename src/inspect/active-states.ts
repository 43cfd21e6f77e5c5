/** Which states of the chart a snapshot value makes active, as the dot-joined paths the SVG carries. */
import { lifecycleStateOfValue, type LifecycleState } from '../../machines/index.js';

export type StateValue = string | { readonly [key: string]: StateValue };

/** `{ socket: { ready: { authenticated: { liveness: 'watching' } } } }` → `socket`, `socket.ready`, … (parents first). */
export function activePaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [join(prefix, value)];
  const paths: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const path = join(prefix, key);
    paths.push(path, ...activePaths(inner, path));
  }
  return paths;
}

export function lifecycleOfValue(value: StateValue): LifecycleState {
  return lifecycleStateOfValue(value);
}

/** A state value from untrusted JSON (the inspector's serialised snapshot), or undefined when it is not one. */
export function asStateValue(value: unknown, depth = 0): StateValue | undefined {
  if (typeof value === 'string') return value;
  if (depth > 12 || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, StateValue> = {};
  for (const [key, inner] of Object.entries(value)) {
    const child = asStateValue(inner, depth + 1);
    if (child === undefined) return undefined;
    out[key] = child;
  }
  return out;
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}
