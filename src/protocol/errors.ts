/**
 * Why a frame could not be decoded (or a command encoded), with a stable code for metrics and tests.
 *
 * The message is always written by us and never quotes the frame: a frame may carry the tickle session value or a
 * line-forging payload, and error messages end up in logs. Names from our own schema (`hb`, `topic`) are fine;
 * values from the wire, and key names we do not know, are not. For the same reason no `cause` is attached: the
 * SyntaxError of `JSON.parse` quotes the text it failed on.
 */
import type { ProtocolErrorCode } from './types.js';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The common case, spelled once: a known key whose wire value has the wrong type or form. */
export function invalidField(description: string): ProtocolError {
  return new ProtocolError('invalid-field', description);
}
