/**
 * Child-process script, run INSIDE a fresh network namespace (`unshare --net --map-root-user`): the whole chaos setup
 * (upstream process, nginx, client) on the namespace's own loopback, then a true blackhole: iptables DROPs every packet
 * to and from the proxy's port, both directions, so neither end sees a FIN or a RST. Prints one JSON result line.
 *
 * Usage (see proxy-faults.test.ts): unshare --net --map-root-user node --import tsx test/chaos/support/blackhole-netns.ts
 */
import { execFileSync } from 'node:child_process';
import { createTestCertificate } from './certificate.js';
import { findNginx, NginxProxy } from './nginx.js';
import { freePort } from './ports.js';
import { CHAOS_UPSTREAM, connectClient, runSilenceFault } from './scenario.js';
import { UpstreamProcess } from './upstream.js';

const run = (command: string, args: string[]): string =>
  execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

run('ip', ['link', 'set', 'lo', 'up']);
const nginxBinary = findNginx();
if (!('path' in nginxBinary)) throw new Error(nginxBinary.missing);

const certificate = await createTestCertificate();
const upstream = await UpstreamProcess.start({ port: await freePort(), certificate, simulator: CHAOS_UPSTREAM });
const proxy = await NginxProxy.start({
  binary: nginxBinary.path,
  listenPort: await freePort(),
  upstreamPort: upstream.port,
  certificate,
});
const chaos = await connectClient(`https://127.0.0.1:${proxy.listenPort}`, certificate.cert);

const rules = (action: '-I' | '-D'): void => {
  run('iptables', [action, 'INPUT', '-p', 'tcp', '--dport', String(proxy.listenPort), '-j', 'DROP']);
  run('iptables', [action, 'INPUT', '-p', 'tcp', '--sport', String(proxy.listenPort), '-j', 'DROP']);
};

let rulesDuringFault = '';
try {
  const result = await runSilenceFault(chaos, {
    inject: () => rules('-I'),
    lift: () => {
      rulesDuringFault = run('iptables', ['-S', 'INPUT']);
      rules('-D');
    },
  });
  process.stdout.write(`${JSON.stringify({ type: 'result', mode: 'iptables-netns', rulesDuringFault, result })}\n`);
} finally {
  await chaos.client.stop();
  await proxy.stop();
  await upstream.stop();
}
