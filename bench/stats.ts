/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Smallest and largest value. */
export function spread(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/**
 * Runs every variant `rounds` times, interleaved, the order turning each round (A B C, B C A, …)
 * so that a slow spell of the shared machine falls on every side in turn. Returns the samples of
 * each variant, in round order.
 */
export async function interleaved<T>(
  variants: Record<string, () => Promise<T>>,
  rounds: number,
  between?: () => Promise<void>,
  log?: (text: string) => void,
): Promise<Record<string, T[]>> {
  const names = Object.keys(variants);
  const samples: Record<string, T[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (let offset = 0; offset < names.length; offset += 1) {
      const name = names[(round + offset) % names.length] as string;
      await between?.();
      const started = performance.now();
      samples[name]?.push(await (variants[name] as () => Promise<T>)());
      log?.(`  round ${round + 1} ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  }
  return samples;
}

/** Per-round ratios `a[i] / b[i]` (samples of the same round ran next to each other). */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, index) => value / (b[index] as number));
}
