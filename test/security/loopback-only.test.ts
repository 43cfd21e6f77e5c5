/**
 * The simulator holds a logged-in gateway session: it must listen on loopback only, never on all interfaces. Checked
 * where the kernel says it (/proc/net/tcp*: the listening socket's local address), not by trying other addresses.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { LISTEN_HOST } from '../../src/simulator/servers.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { startSimulator } from '../support/harness.js';

let simulator: GatewaySimulator | undefined;

afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

/** Local addresses (hex, kernel byte order) of the sockets listening (state 0A) on `port`. */
function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const [address, portHex] = (columns[1] ?? '').split(':');
      if (columns[3] === '0A' && portHex !== undefined && Number.parseInt(portHex, 16) === port)
        found.push(`${file}:${address}`);
    }
  }
  return found;
}

describe('the simulator listens on loopback only', () => {
  it('binds 127.0.0.1 (the constant and the kernel agree): no wildcard, no IPv6 any, nothing else', async () => {
    expect(LISTEN_HOST).toBe('127.0.0.1');
    simulator = await startSimulator();
    const addresses = listeningAddresses(simulator.port);
    if (addresses.length === 0 && !readFileSafe('/proc/net/tcp')) {
      console.warn('loopback-only: /proc/net/tcp is not readable here; only the constant was checked');
      return;
    }
    // 0100007F is 127.0.0.1 in the kernel's little-endian hex.
    expect(addresses).toEqual(['/proc/net/tcp:0100007F']);
  });

  it('also with a fixed port (the CLI sim path)', async () => {
    const probe = await startSimulator();
    const port = probe.port;
    await probe.close();
    simulator = await startSimulator({ port });
    expect(listeningAddresses(port)).toEqual(['/proc/net/tcp:0100007F']);
  });
});

function readFileSafe(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}
