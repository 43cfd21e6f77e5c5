/**
 * The pace of `login-required`. Right after the login was lost a new one is likely soon (a person logging in again,
 * a competing TWS or phone session that ends), so the gateway is asked every `loginPollFastMs` for
 * `loginPollFastForMs`; after that, every `loginPollIntervalMs`. Both paces keep within the tickle rate limit (1 request
 * per second): a poll starts only a full delay after the previous one answered. Pure arithmetic on the poll count.
 */
import type { ConnectionTiming } from './connection.defaults.js';

type PollTiming = Pick<ConnectionTiming, 'loginPollIntervalMs' | 'loginPollFastMs' | 'loginPollFastForMs'>;

/** Whether the poll after `pollsMade` polls of this visit to `login-required` still belongs to the fast phase. */
function fastPhase(timing: PollTiming, pollsMade: number): boolean {
  return (
    timing.loginPollFastMs < timing.loginPollIntervalMs &&
    pollsMade * timing.loginPollFastMs < timing.loginPollFastForMs
  );
}

/** The wait before the next poll, given how many polls (`loginPolls`) were made since the last authenticated check. */
export function loginPollDelayMs({
  timing,
  loginPolls,
}: {
  readonly timing: PollTiming;
  readonly loginPolls: number;
}): number {
  return fastPhase(timing, loginPolls) ? timing.loginPollFastMs : timing.loginPollIntervalMs;
}

/**
 * Whether poll number `pollNumber` (1-based) of this visit may ask the gateway to reauthenticate: every poll at the slow
 * pace, and in the fast phase only one in every `loginPollIntervalMs / loginPollFastMs` — a reauthentication re-runs
 * the gateway's brokerage login upstream, and the gateway gives up after 5 failed ones.
 */
export function reauthenticateOnPoll({
  timing,
  loginPolls: pollNumber,
}: {
  readonly timing: PollTiming;
  readonly loginPolls: number;
}): boolean {
  const made = Math.max(0, pollNumber - 1);
  if (!fastPhase(timing, made)) return true;
  const every = Math.max(1, Math.round(timing.loginPollIntervalMs / timing.loginPollFastMs));
  return made % every === 0;
}
