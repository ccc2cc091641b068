/**
 * Summaries of one runner's samples. Samples are indexed by container:
 * sample k is container k+1. Because teardown runs N..1, teardown of
 * container i also happens while i containers exist, so "containers 1–10"
 * means "with few containers" and "last 10" means "with N containers" for
 * both phases.
 */

export interface Summary {
  median: number;
  p90: number;
}

export interface PhaseStats {
  /** Containers 1–10 (all of them when N < 10). */
  first10: Summary;
  /** Containers N-9..N. */
  last10: Summary;
  totalMs: number;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Median; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
  return { median: median(values), p90: percentile(values, 90) };
}

export function phaseStats(samples: readonly number[]): PhaseStats {
  const window = Math.min(10, samples.length);
  return {
    first10: summarize(samples.slice(0, window)),
    last10: summarize(samples.slice(samples.length - window)),
    totalMs: samples.reduce((sum, v) => sum + v, 0),
  };
}
