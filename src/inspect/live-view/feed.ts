/**
 * Turns (already redacted) inspection events into what the live view shows: the active states of the root machine
 * and a bounded log of events. Keeps the latest snapshot and the last events so a page opened late starts complete.
 */
import type { StatelyInspectionEvent } from '@statelyai/inspect';
import type { LifecycleState } from '../../../machines/index.js';
import { activePaths, asStateValue, lifecycleOfValue, type StateValue } from '../active-states.js';

export interface SnapshotView {
  readonly kind: 'snapshot';
  readonly at: number;
  readonly lifecycle: LifecycleState;
  /** Dot-joined paths of every active state, parents first. */
  readonly active: readonly string[];
  readonly value: StateValue;
  /** The event that led here. */
  readonly event: string;
  readonly reason?: string;
}

export interface EventView {
  readonly kind: 'event';
  readonly at: number;
  readonly seq: number;
  /** The actor the event was sent to (`connection`, `socket`, …). */
  readonly target: string;
  readonly type: string;
  /** The event's payload as compact JSON, shortened. */
  readonly detail: string;
}

export type ViewMessage = SnapshotView | EventView;

const DETAIL_LIMIT = 240;
export const DEFAULT_LOG_SIZE = 300;

export class LiveViewFeed {
  readonly #listeners = new Set<(message: ViewMessage) => void>();
  readonly #log: EventView[] = [];
  /** The snapshots that changed the lifecycle phase: a page opened late still shows the whole timeline. */
  readonly #phases: SnapshotView[] = [];
  readonly #actorNames = new Map<string, string>();
  readonly #logSize: number;
  readonly #now: () => number;
  #snapshot: SnapshotView | undefined;
  #seq = 0;

  constructor(options: { logSize?: number; now?: () => number } = {}) {
    this.#logSize = options.logSize ?? DEFAULT_LOG_SIZE;
    this.#now = options.now ?? Date.now;
  }

  get snapshot(): SnapshotView | undefined {
    return this.#snapshot;
  }

  get log(): readonly EventView[] {
    return this.#log;
  }

  /** Everything a newly connected page needs, in the order it happened: phases and events, then the current snapshot. */
  backlog(): ViewMessage[] {
    const history: ViewMessage[] = [...this.#phases, ...this.#log].sort((a, b) => a.at - b.at);
    return [...history, ...(this.#snapshot ? [this.#snapshot] : [])];
  }

  subscribe(listener: (message: ViewMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Takes one redacted inspection event. Unknown shapes are ignored: the view must never break the client. */
  accept(event: StatelyInspectionEvent): void {
    switch (event.type) {
      case '@xstate.actor':
        this.#actorNames.set(event.sessionId, event.name);
        return;
      case '@xstate.snapshot': {
        if (event.sessionId !== event.rootId) return;
        const value = asStateValue((event.snapshot as { value?: unknown } | undefined)?.value);
        if (value === undefined) return;
        const reason = (event.snapshot as { context?: { lastReason?: unknown } } | undefined)?.context?.lastReason;
        const previous = this.#snapshot;
        this.#snapshot = {
          kind: 'snapshot',
          at: this.#now(),
          lifecycle: lifecycleOfValue(value),
          active: activePaths(value),
          value,
          event: typeof event.event?.type === 'string' ? event.event.type : '',
          ...(typeof reason === 'string' ? { reason } : {}),
        };
        if (previous?.lifecycle !== this.#snapshot.lifecycle) {
          this.#phases.push(this.#snapshot);
          if (this.#phases.length > this.#logSize) this.#phases.splice(0, this.#phases.length - this.#logSize);
        }
        this.#publish(this.#snapshot);
        return;
      }
      case '@xstate.event': {
        const payload = (event.event ?? {}) as Record<string, unknown>;
        const { type, ...rest } = payload;
        const entry: EventView = {
          kind: 'event',
          at: this.#now(),
          seq: ++this.#seq,
          target:
            event.sessionId === event.rootId
              ? 'connection'
              : (this.#actorNames.get(event.sessionId) ?? event.sessionId),
          type: typeof type === 'string' ? type : 'unknown',
          detail: shorten(Object.keys(rest).length === 0 ? '' : JSON.stringify(rest)),
        };
        this.#log.push(entry);
        if (this.#log.length > this.#logSize) this.#log.splice(0, this.#log.length - this.#logSize);
        this.#publish(entry);
        return;
      }
      default:
        return;
    }
  }

  #publish(message: ViewMessage): void {
    for (const listener of [...this.#listeners]) listener(message);
  }
}

function shorten(text: string): string {
  return text.length <= DETAIL_LIMIT ? text : `${text.slice(0, DETAIL_LIMIT - 1)}…`;
}
