/**
 * A flight record of a run on the direct OAuth path (`connect --oauth`): its authorization cannot be played back.
 * The live session token comes out of a Diffie-Hellman exchange signed with the consumer's private keys, and a record
 * holds none of that by design (no keys, no token, no challenge, no signature). So a replay plays IBKR's side of what
 * came after the token — REST statuses, sockets, frames — to a client connecting without `--oauth`, and answers the
 * token endpoint 501 with a message saying so, which an OAuth client reports and backs off from (it is neither a
 * credentials refusal nor a token a client could use).
 */
import type { FlightRecord } from '../../recorder/index.js';

export const LIVE_SESSION_TOKEN_PATH = '/v1/api/oauth/live_session_token';

export const OAUTH_REPLAY_NOTICE =
  'the record is of an OAuth run: its authorization cannot be replayed (a record holds no keys or tokens); the replay plays what came after it to a client connecting without --oauth';

/** Whether the recorded client was on the OAuth path: an `authorizing` state, or a live session token call. */
export function isOAuthRecord(record: FlightRecord): boolean {
  return record.events.some(
    (event) =>
      (event.type === 'state' && (event.state === 'authorizing' || event.previous === 'authorizing')) ||
      (event.type === 'rest' && event.path === LIVE_SESSION_TOKEN_PATH),
  );
}

/** What the replay answers on the token endpoint (status 501: the replay does not implement it). */
export function oauthReplayRefusal(): { readonly status: number; readonly body: string } {
  return { status: 501, body: JSON.stringify({ error: `ibkr-ws sim --replay: ${OAUTH_REPLAY_NOTICE}` }) };
}
