/**
 * Whether a real blackhole is possible here: a private network namespace (`unshare --net --map-root-user`, no root
 * needed on the host) in which `iptables` may DROP packets on its own loopback. Nothing outside the namespace is
 * touched: its loopback, its rules and its processes vanish with it.
 */
import { spawnSync } from 'node:child_process';

export type NamespaceSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** PATH with the sbin directories added: `ip` and `iptables` live there, and a non-login shell may not list them. */
export function systemToolsEnvironment(): NodeJS.ProcessEnv {
  const path = [process.env['PATH'] ?? '', '/usr/local/sbin', '/usr/sbin', '/sbin']
    .filter((part) => part !== '')
    .join(':');
  return { ...process.env, PATH: path };
}

export function blackholeNamespaceSupport(): NamespaceSupport {
  const env = systemToolsEnvironment();
  for (const tool of ['unshare', 'ip', 'iptables']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8', env });
    if (found.status !== 0)
      return {
        ok: false,
        reason: `${tool} is not installed (iptables: Debian package iptables, installed by .ci/run)`,
      };
  }
  const probe = spawnSync(
    'unshare',
    [
      '--net',
      '--map-root-user',
      'sh',
      '-c',
      'ip link set lo up && iptables -A INPUT -p tcp --dport 9 -j DROP && iptables -S INPUT',
    ],
    {
      encoding: 'utf8',
      timeout: 10_000,
      env,
    },
  );
  if (probe.status !== 0) {
    return {
      ok: false,
      reason: `unshare --net --map-root-user with iptables does not work here: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()}`,
    };
  }
  return { ok: true };
}
