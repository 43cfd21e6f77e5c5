/**
 * Cookies go to the configured gateway origin only. A gateway (or anything impersonating one on its port) that
 * redirects the WebSocket upgrade, or the tickle, to another origin must not receive our session there: the client
 * does not follow redirects (ws `followRedirects: false`, undici without a redirect interceptor), reports the refusal,
 * and keeps retrying the configured origin.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createIbkrWs, type IbkrWs } from '../../src/client.js';
import type { IbkrWsError } from '../../src/errors.js';
import { FAST_TIMING, eventually } from '../support/harness.js';
import { RedirectingGateway } from './support/redirecting-gateway.js';

const SESSION = 'c0ffee00c0ffee00c0ffee00c0ffee00';

let gateway: RedirectingGateway | undefined;
let client: IbkrWs | undefined;

afterEach(async () => {
  await client?.stop();
  await gateway?.close();
  client = undefined;
  gateway = undefined;
});

async function run(options: {
  redirectTickle: boolean;
}): Promise<{ gateway: RedirectingGateway; client: IbkrWs; errors: IbkrWsError[]; reasons: string[] }> {
  gateway = await RedirectingGateway.start(SESSION);
  gateway.redirectTickle = options.redirectTickle;
  client = createIbkrWs({
    gateway: gateway.url,
    tls: { ca: gateway.certificate.cert },
    timing: FAST_TIMING,
    random: () => 1,
  });
  const errors: IbkrWsError[] = [];
  const reasons: string[] = [];
  client.on('error', (error) => errors.push(error));
  client.on('reconnect', ({ reason }) => reasons.push(reason));
  void client.start().catch(() => undefined);
  return { gateway, client, errors, reasons };
}

describe('cookies go only to the configured gateway origin', () => {
  it('a WebSocket upgrade answered with a 302 to another loopback origin is not followed: no cookie leaves for it', async () => {
    const { gateway: sut, client: ibkr, errors, reasons } = await run({ redirectTickle: false });
    await eventually(
      () => sut.gatewaySeen.filter((seen) => seen.kind === 'upgrade').length >= 3,
      'three upgrade attempts at the configured gateway',
      10_000,
    );
    // The configured origin did get the cookie (the proof that there was one to leak)…
    const upgrades = sut.gatewaySeen.filter((seen) => seen.kind === 'upgrade');
    expect(upgrades.every((seen) => seen.cookie?.includes(SESSION))).toBe(true);
    // …and the other origin got nothing at all: not a request, not even a TCP connection.
    expect(sut.elsewhereSeen).toEqual([]);
    expect(sut.elsewhereConnections).toBe(0);
    expect(errors.some((error) => error.code === 'socket-error' && /302/.test(error.message))).toBe(true);
    expect(reasons.every((reason) => reason.startsWith('socket-error') || reason.startsWith('closed-'))).toBe(true);
    expect(ibkr.state).not.toBe('authenticated');
  });

  it('a tickle answered with a 307 to another loopback origin is not followed', async () => {
    const { gateway: sut, client: ibkr } = await run({ redirectTickle: true });
    await eventually(
      () => sut.gatewaySeen.filter((seen) => seen.path.startsWith('/v1/api/tickle')).length >= 3,
      'three tickles at the configured gateway',
      10_000,
    );
    expect(sut.elsewhereSeen).toEqual([]);
    expect(sut.elsewhereConnections).toBe(0);
    expect(
      sut.gatewaySeen.filter((seen) => seen.kind === 'upgrade'),
      'no socket without a session',
    ).toEqual([]);
    expect(ibkr.state).not.toBe('authenticated');
  });
});
