/** The redaction step every inspection event passes through: no session value gets out, whatever its disguise. */
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/redaction.js';
import { Secret } from '../src/protocol/secret.js';

const SESSION = 'feedfacecafebeef0123456789abcdef';

describe('createRedactor', () => {
  const redact = createRedactor(() => ['s3cr3t-value']);

  it('prints a Secret as [redacted]', () => {
    expect(redact({ context: { session: new Secret(SESSION), token: new Secret('x') } })).toEqual({
      context: { session: '[redacted]', token: '[redacted]' },
    });
  });

  it('blanks secret-named keys at any depth, whatever their value', () => {
    const deep = {
      a: {
        b: {
          c: {
            d: {
              e: {
                f: {
                  g: { session: 'plain', Cookie: 'api=1', headers: { 'set-cookie': ['x'], authorization: 'Bearer y' } },
                },
              },
            },
          },
        },
      },
    };
    expect(JSON.stringify(redact(deep))).not.toMatch(/plain|api=1|Bearer/);
  });

  it('scrubs known secret values and session-shaped hex from strings', () => {
    expect(redact({ message: 'got s3cr3t-value and ' + SESSION })).toEqual({
      message: 'got [redacted] and [redacted]',
    });
  });

  it('cuts cycles and names functions, returning plain JSON data', () => {
    const node: Record<string, unknown> = { name: 'loop', random: Math.random };
    node['self'] = node;
    expect(redact(node)).toEqual({ name: 'loop', random: '[function random]', self: '[circular]' });
  });

  it('keeps ordinary values, including sessionId-like keys that are not secrets', () => {
    expect(redact({ sessionId: 'x:0', count: 3, ok: true, none: null, list: [1, 'two'] })).toEqual({
      sessionId: 'x:0',
      count: 3,
      ok: true,
      none: null,
      list: [1, 'two'],
    });
  });
});
