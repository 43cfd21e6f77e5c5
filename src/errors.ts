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
  // subscriptions (src/subscriptions/, docs/SUBSCRIPTIONS.md)
  'subscription-limit',
  'subscription-conflict',
  'subscription-failed',
  'subscription-closed',
  'buffer-overflow',
] as const;

export type IbkrWsErrorCode = (typeof ERROR_CODES)[number];

export class IbkrWsError extends Error {
  readonly code: IbkrWsErrorCode;

  constructor(code: IbkrWsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IbkrWsError';
    this.code = code;
  }

  toJSON(): { code: IbkrWsErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}
