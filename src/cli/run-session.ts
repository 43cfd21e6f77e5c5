/**
 * Runs a client for a CLI command until `--for` elapses, SIGINT/SIGTERM arrives or the caller aborts; shared by
 * `connect` and `demo`. It always ends the same way: the client stopped (last state `stopped`), subscriptions closed,
 * listeners and timers removed — so the process exits by itself with the returned code.
 */
import type { IbkrWs } from '../client.js';
import { isFatal } from '../errors.js';
import type { CliSubscription } from './args.js';
import type { Reporter } from './reporter.js';
import { openSubscription, type OpenedSubscription } from './subscribe.js';

export interface SessionRun {
  readonly client: IbkrWs;
  readonly subscriptions: readonly CliSubscription[];
  readonly reporter: Reporter;
  /** Stop cleanly after this many seconds (exit 0). Without it: until a signal. */
  readonly forSeconds?: number;
  /** Stops the run like a signal would (tests, embedding). */
  readonly signal?: AbortSignal;
  /** Runs once the client has been asked to start; what it returns is called before the client stops. */
  readonly onStarted?: (client: IbkrWs, subscriptions: readonly OpenedSubscription[]) => (() => void) | void;
}

/**
 * IBKR refusing the OAuth credentials ends a CLI run too (exit 1: the message says what to check). The library keeps
 * retrying instead, slowly: an unactivated consumer may start working days later (docs/OAUTH.md).
 */
const CLI_ENDS_ON: ReadonlySet<string> = new Set([
  'oauth-invalid-consumer',
  'oauth-token-refused',
  'oauth-signature-refused',
  'oauth-token-invalid',
]);

export async function runSession(run: SessionRun): Promise<number> {
  const { client, reporter } = run;
  reporter.attach(client);
  const opened = run.subscriptions.map((subscription) => openSubscription(client, subscription, reporter));

  let exitCode = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const timer = run.forSeconds === undefined ? undefined : setTimeout(finish, run.forSeconds * 1_000);
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  if (run.signal?.aborted) finish();
  run.signal?.addEventListener('abort', finish, { once: true });
  // The library's own rule: what sends the client to `failed` for good ends the run with exit code 1.
  const offError = client.on('error', (error) => {
    if (!isFatal(error.code) && !CLI_ENDS_ON.has(error.code)) return;
    exitCode = 1;
    finish();
  });

  client.start().catch(() => {
    // Failures are reported as events (state, error); the run goes on until --for, a signal or a fatal error.
  });
  const cleanup = run.onStarted?.(client, opened);

  await finished;
  if (timer) clearTimeout(timer);
  process.off('SIGINT', finish);
  process.off('SIGTERM', finish);
  run.signal?.removeEventListener('abort', finish);
  offError();
  cleanup?.();
  // Stopping marks every stream pending with a gap: true, but noise at the end of a run that says `stopped` anyway.
  for (const subscription of opened) subscription.detach();
  await client.stop();
  for (const subscription of opened) subscription.close();
  reporter.close();
  return exitCode;
}
