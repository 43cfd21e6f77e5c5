/**
 * Blanks out what looks like a session value in free wire text that the client may log: the text of an error frame,
 * the topic and raw text of a frame we do not model.
 *
 * The client's logger redacts the secrets it knows, but a frame can quote a session the client never saw (an error
 * echoing a `{"session":…}` message, a reflected session frame). Two shapes are caught: the value of a `session` key,
 * in plain or escaped JSON, and any run of 32 or more hex digits (every documented session value is 32 hex).
 * Only the cold kinds go through here, never market data.
 */
import { REDACTED_TEXT } from './secret.js';

const SESSION_VALUE = /(session\\*"\s*:\s*\\*")[^"\\]*/gi;
const LONG_HEX_RUN = /[0-9a-f]{32,}/gi;

export function redactWireText(text: string): string {
  return text.replace(SESSION_VALUE, `$1${REDACTED_TEXT}`).replace(LONG_HEX_RUN, REDACTED_TEXT);
}
