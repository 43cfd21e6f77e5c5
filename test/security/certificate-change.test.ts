/**
 * A pinned certificate that stops matching is fatal whenever it happens: at start (covered by tls-verification.test.ts)
 * and after the first login, when the gateway's keystore was regenerated or someone answers in the middle. Retrying
 * cannot heal it, so the client goes to `failed` (reason `tls-certificate`) after at most a few errors and makes no
 * further handshakes; `retry()` tries once more.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IbkrWsError } from '../../src/errors.js';
import { startCertificateFront, type CertificateFront } from '../support/certificate-front.js';
import { createTestClient, eventually, recordStates, startSimulator, stopWhatWasStarted } from '../support/harness.js';

let front: CertificateFront | undefined;

afterEach(async () => {
  await stopWhatWasStarted();
  await front?.close();
  front = undefined;
});

describe('a pinned certificate that changes after the first login', () => {
  it('ends in failed (reason tls-certificate) after at most 3 errors, with no further handshakes; retry() tries again', async () => {
    const simulator = await startSimulator();
    front = await startCertificateFront(simulator);
    const client = createTestClient(simulator, { gateway: front.url, tls: { ca: front.cert } });
    const recorder = recordStates(client);
    const errors: IbkrWsError[] = [];
    client.on('error', (error) => errors.push(error));
    await client.start();

    await front.replaceCertificate();
    const failed = await recorder.waitForState('failed', 10_000);
    expect(failed.reason).toBe('tls-certificate');
    const certificateErrors = errors.filter((error) => error.code === 'tls-certificate');
    expect(certificateErrors.length).toBeGreaterThanOrEqual(1);
    expect(certificateErrors.length).toBeLessThanOrEqual(3);
    expect(client.fatalError?.code).toBe('tls-certificate');

    // Well past several backoff delays (FAST_TIMING caps them at 200 ms): nobody knocks again.
    const handshakes = front.connections;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(front.connections).toBe(handshakes);
    expect(client.state).toBe('failed');
    expect(client.metrics().reconnects).toBeLessThanOrEqual(3);

    // The user decides: retry() checks the session again, meets the same certificate, and fails the same way.
    const before = errors.length;
    client.retry();
    await eventually(() => errors.length > before && client.state === 'failed', 'a second fatal failure after retry()');
    expect(front.connections).toBeGreaterThan(handshakes);
    expect(errors.slice(before).filter((error) => error.code === 'tls-certificate').length).toBeLessThanOrEqual(3);
  }, 30_000);
});
