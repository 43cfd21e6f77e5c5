/**
 * OAuth mode's WebSocket upgrade (IBKR: `wss://api.ibkr.com/v1/api/ws?oauth_token=<access token>` with
 * `Cookie: api=<session from /tickle>`): the CDN refuses an upgrade without a User-Agent (403, as for REST; `ws` sends
 * none by itself); `oauth_token` must name the access token while it has a live session token, else 401 (IBKR's real
 * answer is unpublished: a policy). A matching `api` cookie authenticates the socket at once; without it (or with a
 * stale one, or the gateway's `api={"session":…}` form) the socket says `waiting for session`.
 */
import type { IncomingMessage } from 'node:http';
import type { OAuthAuthority } from './oauth-authority.js';
import type { OAuthTally } from './oauth-events.js';
import { rejectionReply, type OAuthRejection } from './oauth-replies.js';

export interface UpgradeRefusal {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

export function refuseOAuthUpgrade(
  request: IncomingMessage,
  authority: OAuthAuthority,
  tally: OAuthTally,
): UpgradeRefusal | undefined {
  const target = request.url ?? '/';
  const path = target.split('?')[0] ?? '/';
  const refuse = (reason: OAuthRejection): UpgradeRefusal => {
    tally.rejected({ endpoint: 'websocket-upgrade', method: 'GET', path, reason });
    const reply = rejectionReply(reason, false);
    const json = reply.json !== undefined;
    return {
      status: reply.status,
      body: json ? JSON.stringify(reply.json) : (reply.text ?? ''),
      contentType: json ? 'application/json' : 'text/plain',
    };
  };
  if ((request.headers['user-agent'] ?? '').trim() === '') return refuse('no-user-agent');
  const token = queryParameter(target, 'oauth_token');
  if (token === null || token === '') return refuse('missing-parameter');
  if (token !== authority.accessToken) return refuse('unknown-token');
  if (!authority.hasLiveToken()) return refuse('no-live-session-token');
  tally.accepted({ endpoint: 'websocket-upgrade', method: 'GET', path });
  return undefined;
}

/** One query parameter of a request target; a target that does not parse has none (never an exception). */
function queryParameter(target: string, name: string): string | null {
  try {
    return new URL(target, 'https://simulator.invalid').searchParams.get(name);
  } catch {
    return null;
  }
}

/** The `api` cookie's value, if the request carries one. */
export function apiCookie(request: IncomingMessage): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === 'api') return part.slice(at + 1).trim();
  }
  return undefined;
}
