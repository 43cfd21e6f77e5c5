/** The `--health-port` / `--health-host` flags: parsed once, refused with a usage error when wrong, warned when wide. */
import { describe, expect, it } from 'vitest';
import { parseConnectArgs } from '../../src/cli/commands/connect.js';
import { healthHostWarning, parseHealthFlags } from '../../src/cli/health-option.js';
import { UsageError } from '../../src/cli/io.js';

const GATEWAY = ['--gateway', 'https://localhost:5000'];

describe('--health-port and --health-host', () => {
  it('default to no health server, and to loopback when a port is given', () => {
    const without = parseConnectArgs(GATEWAY);
    expect(without !== 'help' && without.health).toBeUndefined();
    const parsed = parseConnectArgs([...GATEWAY, '--health-port', '9464']);
    expect(parsed !== 'help' && parsed.health).toEqual({ port: 9464, host: '127.0.0.1' });
  });

  it('take a host to widen the listen address', () => {
    expect(parseHealthFlags({ 'health-port': '0', 'health-host': '0.0.0.0' })).toEqual({ port: 0, host: '0.0.0.0' });
  });

  it.each([
    [['--health-host', '0.0.0.0'], /--health-host needs --health-port/],
    [['--health-port', '70000'], /up to 65535/],
    [['--health-port', 'x'], /--health-port expects a non-negative integer/],
    [['--health-port', '9464', '--health-host', ' '], /--health-host expects/],
  ])('refuse %j with a usage error', (flags, message) => {
    expect(() => parseConnectArgs([...GATEWAY, ...flags])).toThrow(UsageError);
    expect(() => parseConnectArgs([...GATEWAY, ...flags])).toThrow(message);
  });

  it('warn for an address other machines may reach, not for loopback', () => {
    expect(healthHostWarning('127.0.0.1')).toBeUndefined();
    expect(healthHostWarning('localhost')).toBeUndefined();
    expect(healthHostWarning('::1')).toBeUndefined();
    expect(healthHostWarning('0.0.0.0')).toMatch(/beyond this machine/);
    expect(healthHostWarning('10.1.2.3')).toMatch(/firewall/);
  });
});
