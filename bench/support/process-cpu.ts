/**
 * CPU time of another process, read from /proc/<pid>/stat (Linux): user + system in milliseconds, at the kernel's
 * clock-tick resolution (10 ms). Reading it costs the measured process nothing — a control command would wait behind
 * a busy event loop (a gateway flooding 1,000 streams answers stdin only between its pump turns).
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)). */
const TICKS_PER_SECOND = 100;

export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return ((userTicks + systemTicks) * 1000) / TICKS_PER_SECOND;
}
