import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interpretTickle } from '../../src/protocol/rest.js';
import { interpretRestResponse } from './support/rest-facts.js';

interface RestFixture {
  endpoint: string;
  status: number | null;
  source: string;
  body_format: 'json' | 'text' | 'unknown';
  body: unknown;
  expect: Record<string, unknown>;
  note?: string;
}

const folder = new URL('../fixtures/protocol/rest/', import.meta.url);
const files = readdirSync(folder)
  .filter((name) => name.endsWith('.json'))
  .sort();
const fixtures = files.map(
  (name) => [name, JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as RestFixture] as const,
);

/** The fact names of the README's `rest/*.json` table: the interpreter invents no others. */
const FACT_NAMES = new Set([
  'logged_in',
  'session_present',
  'session',
  'ssoExpires',
  'authenticated',
  'competing',
  'connected',
  'established',
  'fail',
  'message',
  'unavailable',
  'error',
  'triggered',
  'logged_out',
  'sso_valid',
  'expires_ms',
  'login_type',
  'user_name',
  'accounts',
  'selectedAccount',
  'isPaper',
  'isFT',
  'brokerage_ready',
  'unsubscribed',
  'success',
  'conids',
  'has_values',
  'access_denied',
  'text',
]);

/** A body the README calls undocumented must not matter: any body gives the same facts. */
const STAND_IN_BODIES: readonly unknown[] = [null, '', 'Unauthorized', { error: 'Invalid or expired access token' }];

describe('interpretRestResponse', () => {
  it('reads every REST fixture (31 files)', () => {
    expect(files).toHaveLength(31);
    expect(fixtures.every(([, fixture]) => Object.keys(fixture.expect).length > 0)).toBe(true);
  });

  it.each(fixtures)('gives the expected facts for %s', (_name, fixture) => {
    const facts = interpretRestResponse(fixture.endpoint, fixture.status, fixture.body);
    for (const [key, value] of Object.entries(fixture.expect)) expect(facts[key], key).toEqual(value);
    expect(Object.keys(facts).filter((key) => !FACT_NAMES.has(key))).toEqual([]);
  });

  it.each(fixtures.filter(([, fixture]) => fixture.body_format === 'unknown'))(
    'decides %s on the status alone',
    (_name, fixture) => {
      const expected = interpretRestResponse(fixture.endpoint, fixture.status, fixture.body);
      for (const body of STAND_IN_BODIES) {
        const facts = interpretRestResponse(fixture.endpoint, fixture.status, body);
        for (const key of Object.keys(fixture.expect)) expect(facts[key], key).toEqual(expected[key]);
      }
    },
  );

  it('says nothing about the login when the gateway is unavailable or a tickle failed', () => {
    const byName = new Map(fixtures);
    for (const name of ['tickle-503.json', 'tickle-failed.json']) {
      const fixture = byName.get(name);
      expect(fixture, name).toBeDefined();
      if (fixture === undefined) continue;
      const facts = interpretRestResponse(fixture.endpoint, fixture.status, fixture.body);
      expect(facts['logged_in'], name).toBeUndefined();
      expect(facts['authenticated'], name).toBeUndefined();
    }
  });

  it('leaves the login open when ssoExpires is 0 next to a session value', () => {
    const fixture = new Map(fixtures).get('tickle-not-authenticated-not-connected.json');
    expect(fixture).toBeDefined();
    if (fixture === undefined) return;
    expect(interpretRestResponse(fixture.endpoint, fixture.status, fixture.body)['logged_in']).toBeUndefined();
  });

  it('ignores a query string and reads only own properties of the body', () => {
    const body = JSON.parse('{"__proto__":{"session":"0123456789abcdef0123456789abcdef"}}') as unknown;
    expect(interpretRestResponse('POST /v1/api/tickle?x=1', 200, body)).toEqual({ session_present: false });
  });
});

describe('interpretTickle', () => {
  const tickles = fixtures.filter(([, fixture]) => fixture.endpoint === 'POST /v1/api/tickle');

  it('has the tickle fixtures to check (10 files)', () => {
    expect(tickles).toHaveLength(10);
  });

  it.each(tickles)('gives the adapter the facts of %s under its own names', (_name, fixture) => {
    const facts = interpretTickle(fixture.status ?? 200, fixture.body);
    const names: Record<string, string> = {
      logged_in: 'loggedIn',
      session_present: 'sessionPresent',
      ssoExpires: 'ssoExpiresMs',
    };
    for (const [key, value] of Object.entries(fixture.expect)) {
      expect((facts as unknown as Record<string, unknown>)[names[key] ?? key], key).toEqual(value);
    }
  });

  it('reads a 401 as logged out and a 5xx as unavailable, whatever the body', () => {
    for (const body of STAND_IN_BODIES) {
      expect(interpretTickle(401, body)).toEqual({ loggedIn: false, sessionPresent: false });
      expect(interpretTickle(500, body)).toEqual({ unavailable: true, sessionPresent: false });
      expect(interpretTickle(503, body)).toEqual({ unavailable: true, sessionPresent: false });
    }
  });

  it('reads {"error":"no session"} as logged out', () => {
    expect(interpretTickle(200, { error: 'no session' })).toEqual({
      loggedIn: false,
      sessionPresent: false,
      error: 'no session',
    });
  });
});
