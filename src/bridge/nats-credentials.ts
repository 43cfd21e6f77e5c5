/**
 * NATS URLs with credentials (`nats://user:password@host:4222`, `nats://token@host:4222`): nats.js 3 ignores the
 * userinfo part of a server URL, so a bridge given such a URL was refused ("Authorization Violation") and retried
 * forever. The credentials are taken out here, once, and handed to nats.js as its `user`/`pass` or `token` options;
 * the servers keep their host and port. Every URL that carries credentials must carry the same ones (one connection,
 * one identity). Pure; the values never reach a message (the errors name the URL without them).
 */
import { IbkrWsError } from '../errors.js';

export type NatsAuth = { readonly user: string; readonly pass: string } | { readonly token: string };

export interface NatsServers {
  /** The server URLs without userinfo. */
  readonly servers: readonly string[];
  readonly auth: NatsAuth | undefined;
}

/** `//[redacted]@` for the userinfo of every URL in a text: never in an event, a log or CLI output. */
export function withoutCredentials(text: string): string {
  return text.replace(/\/\/[^@/\s]*@/g, '//[redacted]@');
}

export function splitNatsCredentials(urls: readonly string[]): NatsServers {
  let auth: NatsAuth | undefined;
  let authKey: string | undefined;
  const servers = urls.map((url) => {
    const match = /^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@(.*)$/i.exec(url);
    if (match === null) return url;
    const [, scheme, userinfo, rest] = match as unknown as [string, string, string, string];
    const colon = userinfo.indexOf(':');
    let parsed: NatsAuth;
    try {
      parsed =
        colon === -1
          ? { token: decodeURIComponent(userinfo) }
          : { user: decodeURIComponent(userinfo.slice(0, colon)), pass: decodeURIComponent(userinfo.slice(colon + 1)) };
    } catch {
      throw new IbkrWsError(
        'invalid-option',
        `NATS URL ${scheme}[redacted]@${rest}: the credentials are not valid URL encoding`,
      );
    }
    const key = JSON.stringify(parsed);
    if (authKey !== undefined && key !== authKey)
      throw new IbkrWsError(
        'invalid-option',
        `NATS URL ${scheme}[redacted]@${rest}: every server URL with credentials must carry the same ones`,
      );
    auth = parsed;
    authKey = key;
    return `${scheme}${rest}`;
  });
  return { servers, auth };
}
