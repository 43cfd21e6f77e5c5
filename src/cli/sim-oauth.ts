/**
 * `ibkr-ws sim --oauth`: the flags that shape IBKR's OAuth side for a whole run, and the lines it prints about it (a
 * token issued, a request refused with its reason, a client hammering the token endpoint). Never a key, token,
 * signature or header: only endpoints, paths and verdicts.
 */
import type { GatewaySimulator, GatewaySimulatorOptions } from '../simulator/index.js';
import { parseNonNegativeNumber } from './args.js';
import { UsageError } from './io.js';

export const SIM_OAUTH_USAGE = `  --oauth                    play IBKR's OAuth side (live session token, signed REST, oauth_token socket)
  --lst-lifetime MS          with --oauth: live session token lifetime (default 24 h)
  --oauth-lenient            with --oauth: also accept the query signing of IBind master, IbkrConduit, IBKR's sample
  --oauth-not-activated      with --oauth: the consumer is not active yet: every call answers 401 invalid consumer
  --ssodh-failure STATUS     with --oauth: every ssodh/init answers 500 (not enabled) or 410 (Gone)
  --expire-lst-every MS      with --oauth: revoke every live session token this often (a client must renew and recover)`;

/** OAuth faults switched on for the whole run. */
export interface SimOAuthFaults {
  notActivated: boolean;
  ssodhFailure: 410 | 500 | undefined;
  expireLstEveryMs: number | undefined;
}

export function noOAuthFaults(): SimOAuthFaults {
  return { notActivated: false, ssodhFailure: undefined, expireLstEveryMs: undefined };
}

/** Reads one OAuth flag into `options`/`faults`; false when `flag` is not one of them. */
export function parseSimOAuthFlag(
  flag: string,
  inlineValue: string | undefined,
  value: () => string,
  options: { -readonly [K in keyof GatewaySimulatorOptions]: GatewaySimulatorOptions[K] },
  faults: SimOAuthFaults,
): boolean {
  const noValue = (): void => {
    if (inlineValue !== undefined) throw new UsageError(`${flag} takes no value`);
  };
  switch (flag) {
    case '--oauth':
      noValue();
      options.auth = 'oauth';
      return true;
    case '--oauth-lenient':
      noValue();
      options.oauthLenient = true;
      return true;
    case '--oauth-not-activated':
      noValue();
      faults.notActivated = true;
      return true;
    case '--ssodh-failure': {
      const status = value();
      if (status !== '500' && status !== '410')
        throw new UsageError(`--ssodh-failure expects 500 or 410, got '${status}'`);
      faults.ssodhFailure = status === '500' ? 500 : 410;
      return true;
    }
    case '--expire-lst-every':
      faults.expireLstEveryMs = positive(flag, value());
      return true;
    case '--lst-lifetime':
      options.oauthLstLifetimeMs = positive(flag, value());
      return true;
    default:
      return false;
  }
}

/** The OAuth-only flags need --oauth. */
export function checkSimOAuthFlags(options: GatewaySimulatorOptions, faults: SimOAuthFaults): void {
  const oauthOnly =
    options.oauthLenient !== undefined ||
    options.oauthLstLifetimeMs !== undefined ||
    faults.notActivated ||
    faults.ssodhFailure !== undefined ||
    faults.expireLstEveryMs !== undefined;
  if (options.auth !== 'oauth' && oauthOnly) {
    throw new UsageError(
      '--lst-lifetime, --oauth-lenient, --oauth-not-activated, --ssodh-failure and --expire-lst-every need --oauth',
    );
  }
}

function positive(flag: string, text: string): number {
  const number = parseNonNegativeNumber(flag, text, { integer: true });
  if (number === 0) throw new UsageError(`${flag} must be greater than 0`);
  return number;
}

/**
 * Applies the run-long faults and prints the OAuth lines (people only; `--json` has its own events). Returns the
 * function that stops the revocation timer.
 */
export function startSimOAuth(
  simulator: GatewaySimulator,
  faults: SimOAuthFaults,
  lenient: boolean,
  print: ((line: string) => void) | undefined,
): () => void {
  const oauth = simulator.oauth;
  if (oauth === undefined) return () => {};
  if (faults.notActivated) oauth.setConsumerActivated(false);
  if (faults.ssodhFailure !== undefined) oauth.failSsodhInit(faults.ssodhFailure, Number.POSITIVE_INFINITY);
  let stopListening = (): void => {};
  if (print !== undefined) {
    let hinted = lenient;
    const burst = new LstBurstWatch();
    stopListening = simulator.on('oauth-request', (event) => {
      if (event.endpoint === 'live-session-token') {
        const count = burst.record(Date.now());
        if (count !== undefined)
          print(`oauth: warning: ${count} live session token requests within 10 s (a client should back off)`);
      }
      if (event.outcome === 'rejected')
        print(`oauth: refused ${event.endpoint} ${event.method} ${event.path} (${event.reason ?? 'unknown'})`);
      else if (event.endpoint === 'live-session-token') print('oauth: live session token issued');
      if (!hinted && event.endpoint === 'signed-request' && event.reason === 'signature') {
        hinted = true;
        print(
          'oauth: (a client that signs queries another way, as IBind master and IbkrConduit do, needs --oauth-lenient)',
        );
      }
    });
  }
  // Through the control surface, as a scheduled fault: the simulator's own `fault` event prints it, as a line for
  // people (`fault expireLiveSessionToken (schedule)`) and as a JSON object with --json.
  const expiring =
    faults.expireLstEveryMs === undefined
      ? undefined
      : setInterval(() => simulator.control('expireLiveSessionToken', undefined, 'schedule'), faults.expireLstEveryMs);
  return () => {
    clearInterval(expiring);
    stopListening();
  };
}

/**
 * Watches for a client hammering the LST endpoint: more than 3 requests within 10 s (a refused token must be retried
 * with backoff). Returns the count the first time a burst crosses the line, then stays quiet until the burst ends.
 */
class LstBurstWatch {
  readonly #times: number[] = [];
  #warned = false;

  record(now: number): number | undefined {
    this.#times.push(now);
    while (this.#times.length > 0 && now - (this.#times[0] as number) > 10_000) this.#times.shift();
    if (this.#times.length <= 3) {
      this.#warned = false;
      return undefined;
    }
    if (this.#warned) return undefined;
    this.#warned = true;
    return this.#times.length;
  }
}
