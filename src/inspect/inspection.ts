/**
 * `--inspect`: attaches `@statelyai/inspect` (the XState v5 inspector) to the client's actor and serves the offline
 * live view. The inspector is built with `createInspector` and our own adapter, the lowest-level API of the package:
 * it needs no browser tab, no Stately account and no network (createSkyInspector and the WebSocket inspector both
 * reach out, and would retry forever offline). Every event is redacted before the adapter sees it.
 */
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import { Secret } from '../protocol/secret.js';
import { LiveViewFeed } from './live-view/feed.js';
import { startLiveViewServer } from './live-view/server.js';
import { createRedactor } from '../redaction.js';
import { connectionSvg } from './visualizations.js';

export interface InspectionOptions {
  /** Port of the live view on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  readonly title?: string;
  /** Secret values to scrub from every event, besides the ones learned from the machine's `Secret`s. */
  readonly knownSecrets?: () => Iterable<string>;
  /** Further consumers of the redacted events (tests, a file log). */
  readonly sinks?: ReadonlyArray<(event: StatelyInspectionEvent) => void>;
}

export interface Inspection {
  /** Pass as `createIbkrWs({ inspect })`. */
  readonly inspect: (event: InspectionEvent) => void;
  /** The live view, e.g. `http://127.0.0.1:43121/`. */
  readonly url: string;
  readonly port: number;
  readonly feed: LiveViewFeed;
  /** Stops the inspector and closes the live view (every page gets an `end` event). Idempotent. */
  close(): Promise<void>;
}

/** How many secret values are remembered for scrubbing (a rotated session may still be quoted for a while). */
const REMEMBERED_SECRETS = 8;

export async function startInspection(options: InspectionOptions = {}): Promise<Inspection> {
  const feed = new LiveViewFeed();
  const learned: string[] = [];
  const redact = createRedactor(() => [...learned, ...(options.knownSecrets?.() ?? [])]);
  let stopped = false;

  const inspector = createInspector(
    {
      send(event) {
        if (stopped) return;
        feed.accept(event);
        for (const sink of options.sinks ?? []) sink(event);
      },
    },
    { serialize: (event) => redact(event) as StatelyInspectionEvent },
  );
  const server = await startLiveViewServer({
    feed,
    svg: connectionSvg(),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.title === undefined ? {} : { title: options.title }),
  });

  function learnSecrets(event: InspectionEvent): void {
    // The machine keeps the session as a Secret: learning its value here lets the redactor scrub it from any string
    // that might quote it (an error message, a frame), not only from the `session` key.
    if (event.type !== '@xstate.snapshot') return;
    const context = (event.snapshot as { context?: unknown }).context;
    if (typeof context !== 'object' || context === null) return;
    for (const value of Object.values(context)) {
      if (!(value instanceof Secret)) continue;
      const revealed = value.reveal();
      if (learned.includes(revealed)) continue;
      learned.push(revealed);
      if (learned.length > REMEMBERED_SECRETS) learned.shift();
    }
  }

  return {
    inspect(event) {
      if (stopped) return;
      learnSecrets(event);
      inspector.inspect.next?.(event);
    },
    url: server.url,
    port: server.port,
    feed,
    async close() {
      stopped = true;
      inspector.stop();
      await server.close();
    },
  };
}
