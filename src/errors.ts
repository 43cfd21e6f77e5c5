/**
 * Every failure the client reports is an IbkrWsError with a stable `code` that scripts can switch on; the message is
 * for people and never carries a secret. Codes are listed here, in one place, so they cannot drift apart.
 */
export const ERROR_CODES = [
  // configuration
  'invalid-option',
  'insecure-remote',
  // transport
  'tls-certificate',
  'network',
  'timeout',
  'socket-error',
  // gateway answers
  'gateway-unavailable',
  'gateway-bad-response',
  'rate-limited',
  'login-required',
  // direct OAuth path (docs/OAUTH.md): the live session token could not be obtained
  'oauth-invalid-consumer',
  'oauth-token-refused',
  'oauth-signature-refused',
  'oauth-token-invalid',
  'oauth-brokerage-session',
  // protocol (decoding; the codes of ProtocolError are reported under these)
  'empty-frame',
  'malformed-json',
  'not-an-object',
  'frame-too-large',
  'invalid-field',
  'server-error-frame',
  // lifecycle
  'stopped',
  'failed',
  'queue-overflow',
  /** A listener (of the client's events, a subscription's events, a diagnostics tap) threw: its bug, counted here. */
  'listener-error',
  /** A command the encoder refuses (e.g. an account id with a `+`): reported and not sent, the stream goes on. */
  'unencodable-command',
  // subscriptions (src/subscriptions/, docs/SUBSCRIPTIONS.md)
  'subscription-limit',
  'subscription-conflict',
  'subscription-failed',
  'subscription-closed',
  'buffer-overflow',
  // flight recorder (src/recorder/)
  'record-failed',
] as const;

export type IbkrWsErrorCode = (typeof ERROR_CODES)[number];

/**
 * Failures that retrying can never heal: the client goes to `failed` (reason: the code) at the first one, before or
 * after the first login alike, and `retry()` is the user's decision. A certificate that does not match the pinned one
 * stays wrong until someone fixes the gateway's keystore or the pin (or stops whoever answers in the middle).
 */
const FATAL_ERROR_CODES: ReadonlySet<IbkrWsErrorCode> = new Set(['tls-certificate', 'insecure-remote']);

export function isFatal(code: IbkrWsErrorCode): boolean {
  return FATAL_ERROR_CODES.has(code);
}

export class IbkrWsError extends Error {
  readonly code: IbkrWsErrorCode;
  /** For `invalid-option`: the option the caller passed, as a path (`timing.backoffInitialMs`, `gateway`). */
  readonly option?: string;

  constructor(code: IbkrWsErrorCode, message: string, options?: { cause?: unknown; option?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IbkrWsError';
    this.code = code;
    if (options?.option !== undefined) this.option = options.option;
  }

  toJSON(): { code: IbkrWsErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The message of anything thrown (a listener may throw a non-Error): for the text of the error that reports it. */
export function describeThrown(error: unknown): string {
  return (error as Error | undefined)?.message ?? String(error);
}
