/**
 * Options are resolved and validated once, at construction (src/options.ts): a nonsensical value throws
 * `invalid-option` naming the option the caller passed and its value, before anything runs; every default comes from
 * its single source.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMING } from '../../machines/index.js';
import { createIbkrWs, type IbkrWsOptions } from '../../src/client.js';
import { CLIENT_DEFAULTS } from '../../src/defaults.js';
import { IbkrWsError } from '../../src/errors.js';
import { resolveOptions } from '../../src/options.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../../src/protocol/limits.js';
import { SUBSCRIPTION_DEFAULTS } from '../../src/subscriptions/index.js';

function refusal(options: unknown): IbkrWsError {
  try {
    createIbkrWs(options as IbkrWsOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(IbkrWsError);
    return error as IbkrWsError;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

const NONSENSE: ReadonlyArray<readonly [string, IbkrWsOptions | Record<string, unknown>, string]> = [
  ['timing.backoffInitialMs', { timing: { backoffInitialMs: -5 } }, '-5'],
  ['requestTimeoutMs', { requestTimeoutMs: -1 }, '-1'],
  ['maxAttempts', { maxAttempts: -3 }, '-3'],
  ['maxFrameBytes', { maxFrameBytes: 0 }, '0'],
  ['timing.heartbeatTimeoutMs', { timing: { heartbeatTimeoutMs: Number.NaN } }, 'NaN'],
  ['timing.probeTimeoutMs', { timing: { probeTimeoutMs: 1.5 } }, '1.5'],
  ['timing.openTimeoutMs', { timing: { openTimeoutMs: 0 } }, '0'],
  ['timing.ticIntervalMs', { timing: { ticIntervalMs: 2 ** 31 } }, String(2 ** 31)],
  ['timing.backoffMaxMs', { timing: { backoffMaxMs: Number.POSITIVE_INFINITY } }, 'Infinity'],
  ['timing.heartbeatTimeout', { timing: { heartbeatTimeout: 5_000 } }, 'not a timing'],
  ['timing.backoffInitialMs', { timing: { backoffInitialMs: 500, backoffMaxMs: 100 } }, '500 > 100'],
  ['timing.backoffMaxMs', { timing: { backoffMaxMs: 100 } }, `${DEFAULT_TIMING.backoffInitialMs} > 100`],
  ['maxAttempts', { maxAttempts: 1.5 }, '1.5'],
  ['maxResponseBytes', { maxResponseBytes: '1000' }, '"1000"'],
  ['maxPayloadBytes', { maxPayloadBytes: -1 }, '-1'],
  ['closeTimeoutMs', { closeTimeoutMs: 0 }, '0'],
  ['activityThrottleMs', { activityThrottleMs: -1 }, '-1'],
  ['gateway', { gateway: 'ftp://localhost:5000' }, '"ftp://localhost:5000"'],
  ['gateway', { gateway: 'not a url' }, '"not a url"'],
  ['gateway', { gateway: 5000 }, '5000'],
  ['userAgent', { userAgent: 'evil\r\nX-Injected: 1' }, 'printable ASCII'],
  ['userAgent', { userAgent: '' }, '""'],
  ['cookieFormat', { cookieFormat: 'xml' }, '"xml"'],
  ['autoReauthenticate', { autoReauthenticate: 'yes' }, '"yes"'],
  ['learnCadence', { learnCadence: 'no' }, '"no"'],
  ['random', { random: 0.5 }, '0.5'],
  ['inspect', { inspect: 'console' }, '"console"'],
  ['diagnostics', { diagnostics: 42 }, '42'],
  ['diagnostics[1]', { diagnostics: [{}, null] }, 'null'],
  ['timing', { timing: 25_000 }, '25000'],
  ['tls', { tls: 'insecure' }, '"insecure"'],
  ['subscriptions.ackTimeoutMs', { subscriptions: { ackTimeoutMs: 0 } }, '0'],
  ['subscriptions.retries', { subscriptions: { retries: -1 } }, '-1'],
];

describe('createIbkrWs refuses nonsensical options, naming the option and the value', () => {
  it.each(NONSENSE)('%s in %j', (option, options, value) => {
    const error = refusal(options);
    expect(error.code).toBe('invalid-option');
    expect(error.option).toBe(option);
    expect(error.message).toContain(option);
    expect(error.message).toContain(value);
  });

  it('never names an option the caller did not pass (a NaN heartbeat is about the heartbeat, not maxPauseMs)', () => {
    const error = refusal({ timing: { heartbeatTimeoutMs: Number.NaN } });
    expect(error.message).not.toMatch(/maxPauseMs/);
  });
});

describe('resolveOptions fills every default from its single source', () => {
  it('uses the documented defaults when nothing is passed', () => {
    const resolved = resolveOptions();
    expect(resolved.gateway.href).toBe(`${CLIENT_DEFAULTS.gateway}/`);
    expect(resolved.wsUrl.href).toBe(`wss://localhost:5000${CLIENT_DEFAULTS.socketPath}`);
    expect(resolved.timing).toEqual(DEFAULT_TIMING);
    expect(resolved.maxAttempts).toBe(Number.POSITIVE_INFINITY);
    expect(resolved.requestTimeoutMs).toBe(CLIENT_DEFAULTS.requestTimeoutMs);
    expect(resolved.maxFrameBytes).toBe(DEFAULT_MAX_FRAME_BYTES);
    // A backpressure pause ends before a probe could time out: 0.8 × the 3 s probe timeout.
    expect(resolved.subscriptions.maxPauseMs).toBe(2_400);
    expect(resolved.learnCadence).toBe(true);
    expect(resolved.tls).toEqual({ rejectUnauthorized: true });
    expect(resolved.diagnostics).toEqual([]);
  });

  it('keeps a backpressure pause under half the heartbeat timeout and under the probe timeout unless maxPauseMs is set', () => {
    expect(resolveOptions({ timing: { heartbeatTimeoutMs: 800 } }).subscriptions.maxPauseMs).toBe(400);
    expect(resolveOptions({ timing: { probeTimeoutMs: 1_000 } }).subscriptions.maxPauseMs).toBe(800);
    expect(resolveOptions({ timing: { probeTimeoutMs: 60_000 } }).subscriptions.maxPauseMs).toBe(
      SUBSCRIPTION_DEFAULTS.maxPauseMs,
    );
    expect(
      resolveOptions({ timing: { heartbeatTimeoutMs: 800 }, subscriptions: { maxPauseMs: 700 } }).subscriptions
        .maxPauseMs,
    ).toBe(700);
  });

  it('accepts the edges that make sense: maxAttempts 0 and Infinity, activityThrottleMs 0, a plain-HTTP gateway', () => {
    expect(resolveOptions({ maxAttempts: 0 }).maxAttempts).toBe(0);
    expect(resolveOptions({ maxAttempts: Number.POSITIVE_INFINITY }).maxAttempts).toBe(Number.POSITIVE_INFINITY);
    expect(resolveOptions({ activityThrottleMs: 0 }).activityThrottleMs).toBe(0);
    expect(resolveOptions({ gateway: 'http://127.0.0.1:5000' }).wsUrl.href).toBe('ws://127.0.0.1:5000/v1/api/ws');
    expect(resolveOptions({ timing: { heartbeatTimeoutMs: undefined } }).timing.heartbeatTimeoutMs).toBe(
      DEFAULT_TIMING.heartbeatTimeoutMs,
    );
  });
});
