/**
 * Drives a manual-checks harness into a given phase of the lifecycle, the way the real adapters would get there. The
 * STOP, socket-failure and stale-socket tests reuse it, so "every state" means the same list everywhere.
 */
import { DEFAULT_SILENCE_MS, DEFAULT_TIMING } from '../../../machines/index.js';
import { authenticated, frames, loginRequired, unavailable, type Harness } from './in-memory-adapters.js';

/** Every place the lifecycle can rest in, with the substates that hold something different (a timer or a check). */
export const RESTING_PLACES = [
  'idle',
  'checking-session',
  'login-required.waiting',
  'login-required.polling',
  'open',
  'awaiting-session',
  'sending-session',
  'authenticated',
  'authenticated.tickling',
  'lingering-detected',
  'reconnect',
  'failed',
] as const;
export type RestingPlace = (typeof RESTING_PLACES)[number];

/** The phases in which a socket actor is alive. */
export const SOCKET_PHASES = [
  'open',
  'awaiting-session',
  'sending-session',
  'authenticated',
  'lingering-detected',
] as const;

export interface DriveOptions {
  /** First open one socket and lose it (closed 1006), so that an older socket id exists. */
  readonly afterALostSocket?: boolean;
}

/**
 * Brings `harness` (created with `manualChecks: true`, default timing) to `place`. `failed` needs a finite
 * `maxAttempts`. Returns with the machine at rest there.
 */
export async function driveTo(harness: Harness, place: RestingPlace, options: DriveOptions = {}): Promise<void> {
  if (place === 'idle') return;
  const timing = DEFAULT_TIMING;
  harness.actor.send({ type: 'START' });
  await harness.settle();
  if (options.afterALostSocket) {
    await harness.answerCheck(authenticated());
    harness.current().closed(1006);
    await harness.settle();
    await advanceThroughBackoff(harness);
  }
  // Now in checking-session with its check in flight.
  switch (place) {
    case 'checking-session':
      return;
    case 'login-required.waiting':
      await harness.answerCheck(loginRequired('not-authenticated'));
      return;
    case 'login-required.polling':
      await harness.answerCheck(loginRequired('not-authenticated'));
      await harness.advance(timing.loginPollIntervalMs);
      return;
    case 'reconnect':
      await harness.answerCheck(unavailable());
      return;
    case 'failed':
      while (harness.state() !== 'failed') {
        if (harness.state() === 'reconnect') await advanceThroughBackoff(harness);
        else await harness.answerCheck(unavailable());
      }
      return;
    default:
      break;
  }
  await harness.answerCheck(authenticated());
  if (place === 'open') return;
  harness.current().opened();
  await harness.settle();
  if (place === 'awaiting-session') return;
  if (place === 'sending-session') {
    harness.current().message(frames.waitingForSession);
    await harness.settle();
    return;
  }
  harness.current().message(frames.greeting);
  await harness.settle();
  if (place === 'authenticated') return;
  if (place === 'authenticated.tickling') {
    // Keep the socket talking while the tickle interval runs out, so the check is in flight in `authenticated`.
    await harness.advanceInSteps(timing.tickleIntervalMs, DEFAULT_SILENCE_MS / 2, () =>
      harness.current().message(frames.heartbeat),
    );
    return;
  }
  // The harness's frames carry no read time, so the threshold is the default one.
  await harness.advance(DEFAULT_SILENCE_MS);
}

/** In `reconnect`, let the chosen backoff delay run out (the next state is `checking-session`). */
export async function advanceThroughBackoff(harness: Harness): Promise<void> {
  await harness.advance(harness.actor.getSnapshot().context.backoffDelayMs);
}
