/** What every benchmark receives from run.ts, and what it returns. */
import type { BenchCertificate } from './certificate.js';

export interface BenchContext {
  /** `--quick`: fewer, shorter samples; the same keys. */
  readonly quick: boolean;
  readonly certificate: BenchCertificate;
  /** This benchmark's fixed loopback port (fixed, so a restarted gateway comes back where the client looks). */
  readonly port: number;
  /** Progress on stderr (stdout carries the result). */
  log(message: string): void;
}

/** Flat results: dotted keys (`throughput.ratio`) to numbers; run.ts nests them for results.json. */
export type BenchResults = Record<string, number>;

/** The conids the benchmarks subscribe: made-up contracts the simulator quotes like any other. */
export function benchConids(count: number): number[] {
  return Array.from({ length: count }, (_, index) => 100_001 + index);
}

/** The fields of every benchmark subscription: last, bid, ask (the README's example). */
export const BENCH_FIELDS: readonly string[] = ['31', '84', '86'];
