/**
 * The CLI contract for arguments: every command answers `--help` with exit 0, and bad arguments with a clear
 * message on stderr and exit 2 — before anything connects or listens.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from './support/capture-io.js';

async function run(...argv: string[]) {
  const captured = captureIo();
  const code = await main(argv, captured.io);
  return { code, stdout: captured.stdout.join('\n'), stderr: captured.stderr.join('\n') };
}

describe('ibkr-ws', () => {
  it('prints the usage and exits 2 without a command', async () => {
    const result = await run();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Usage:/);
  });

  it('exits 0 with the usage for --help', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ibkr-ws connect --gateway URL/);
  });

  it('names an unknown command and exits 2', async () => {
    const result = await run('conect');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'conect'/);
  });
});

describe.each(['connect', 'bridge', 'demo', 'sim', 'diagram'])('ibkr-ws %s --help', (command) => {
  it('exits 0 and documents the command', async () => {
    const result = await run(command, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Usage: ibkr-ws ${command}`));
    expect(result.stderr).toBe('');
  });
});

const BAD_ARGUMENTS: ReadonlyArray<readonly [string, readonly string[], RegExp]> = [
  ['connect', [], /--gateway URL is required/],
  ['connect', ['--gateway', 'ftp://localhost:5000'], /--gateway expects an http\(s\) URL/],
  ['connect', ['--gateway', 'not a url'], /--gateway expects an http\(s\) URL/],
  ['connect', ['--gateway', 'https://localhost:5000', '--bogus'], /Unknown option '--bogus'/],
  ['connect', ['--gateway', 'https://localhost:5000', 'extra'], /positional/i],
  ['connect', ['--gateway', 'https://localhost:5000', '--subscribe', 'xyz'], /unknown topic 'xyz'/],
  ['connect', ['--gateway', 'https://localhost:5000', '--subscribe', 'smd:abc:31'], /'abc' is not a contract id/],
  [
    'connect',
    ['--gateway', 'https://localhost:5000', '--subscribe', 'smd:265598:last'],
    /fields are numeric field ids/,
  ],
  ['connect', ['--gateway', 'https://localhost:5000', '--subscribe', 'sbd:DU1'], /sbd takes 2 parts/],
  [
    'connect',
    ['--gateway', 'https://localhost:5000', '--heartbeat-timeout=-5'],
    /--heartbeat-timeout expects a non-negative integer/,
  ],
  [
    'connect',
    ['--gateway', 'https://localhost:5000', '--probe-timeout', '1.5'],
    /--probe-timeout expects a non-negative integer, got '1.5'/,
  ],
  ['connect', ['--gateway', 'https://localhost:5000', '--heartbeat-timeout', '-5'], /argument is ambiguous/],
  [
    'connect',
    ['--gateway', 'https://localhost:5000', '--backoff-initial', '500', '--backoff-max', '100'],
    /--backoff-initial must not exceed --backoff-max/,
  ],
  ['connect', ['--gateway', 'https://localhost:5000', '--for', 'soon'], /--for expects a non-negative number/],
  // The library's verdict on an option, worded with the flag that carried it.
  [
    'connect',
    ['--gateway', 'https://localhost:5000', '--heartbeat-timeout', '0'],
    /--heartbeat-timeout must be a positive integer of milliseconds.*got 0/,
  ],
  [
    'connect',
    ['--gateway', 'https://localhost:5000', '--open-timeout', '99999999999'],
    /--open-timeout must be a positive integer of milliseconds up to 2147483647/,
  ],
  [
    'connect',
    ['--gateway', 'https://localhost:5000', '--ca', '/nonexistent/gateway.pem'],
    /--ca \/nonexistent\/gateway.pem: cannot read the file \(ENOENT\)/,
  ],
  [
    'connect',
    ['--gateway', 'https://localhost:5000', '--ca', 'x.pem', '--insecure'],
    /--ca and --insecure exclude each other/,
  ],
  [
    'connect',
    ['--gateway', 'https://gateway.example.com:5000', '--insecure', '--for', '0'],
    /refusing to skip TLS verification for the non-loopback gateway/,
  ],
  ['connect', ['--gateway', 'https://localhost:5000', '--inspect-port', '9000'], /--inspect-port needs --inspect/],
  [
    'connect',
    ['--gateway', 'https://localhost:5000', '--inspect', '--inspect-port', '70000'],
    /--inspect-port expects a port number up to 65535/,
  ],
  ['demo', ['--for=-1'], /--for expects a non-negative number/],
  ['demo', ['--bogus'], /Unknown option '--bogus'/],
  ['demo', ['now'], /positional/i],
  ['demo', ['--inspect-port', 'x', '--inspect'], /--inspect-port expects a non-negative integer/],
  ['sim', ['--port', '99999'], /--port expects a port number up to 65535/],
  ['sim', ['--heartbeat-interval', '0'], /--heartbeat-interval must be greater than 0/],
  ['sim', ['--bogus'], /unknown argument '--bogus'/],
  ['diagram', ['--bogus'], /Unknown option '--bogus'/],
  ['diagram', ['--out', ''], /--out expects a directory/],
  ['diagram', ['somewhere'], /positional/i],
];

describe('bad arguments', () => {
  it.each(BAD_ARGUMENTS)('ibkr-ws %s %j exits 2 with a clear message', async (command, argv, message) => {
    const result = await run(command, ...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
