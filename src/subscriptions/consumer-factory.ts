/**
 * Builds one consumer handle with its buffer (per-call settings over the client-wide ones), wiring its drops,
 * stalls and listener errors to the client's counters and error reporting.
 */
import { IbkrWsError } from '../errors.js';
import { resolveBuffer, type ResolvedSubscriptionOptions } from './defaults.js';
import { Handle } from './handle.js';
import type { ReadingPause } from './reading-pause.js';
import type { Clock, StreamKind, StreamOptions, SubscriptionHubDeps } from './types.js';

export interface ConsumerContext {
  readonly options: ResolvedSubscriptionOptions;
  readonly deps: Pick<SubscriptionHubDeps, 'countDrop' | 'reportError'>;
  readonly clock: Clock;
  readonly pause: ReadingPause;
  readonly onClose: (handle: Handle<any>) => void;
}

export function createConsumer<T>(
  context: ConsumerContext,
  kind: StreamKind,
  key: string,
  call: StreamOptions,
): Handle<T> {
  const { options, deps, clock } = context;
  const buffer = resolveBuffer(`${kind}(…)`, options.buffers[kind], { size: call.bufferSize, overflow: call.overflow });
  const handle: Handle<T> = new Handle<T>(
    key,
    {
      buffer,
      maxPauseMs: options.maxPauseMs,
      clock,
      pause: context.pause,
      onDrop: (count, reason) => {
        deps.countDrop(`${kind}-${reason}`, count);
        handle.emitDrop(count, reason);
      },
      onStall: () =>
        deps.reportError(
          new IbkrWsError(
            'buffer-overflow',
            `${key}: the consumer did not drain its buffer within ${options.maxPauseMs} ms; reading resumed, and messages past ${2 * buffer.size} buffered are dropped (counted, gap marker) until it catches up`,
          ),
        ),
      overflowGap: () => ({ kind: 'gap', key, reason: 'overflow', at: clock.now() }),
    },
    {
      onClose: context.onClose,
      onListenerError: (error) =>
        deps.reportError(
          new IbkrWsError(
            'listener-error',
            `a listener of ${key} threw: ${(error as Error)?.message ?? String(error)}`,
          ),
        ),
    },
  );
  return handle;
}
