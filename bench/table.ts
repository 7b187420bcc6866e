/** One line of the benchmark's table. */
export interface Row {
  measure: string;
  library: string;
  alternative: string;
  ratio: string;
  goal: string;
  /** `yes`, `no`, or `–` where the row has no goal. */
  met: string;
}

/** A Markdown table (readable in a terminal, pasteable into docs/performance.md). */
export function renderTable(rows: readonly Row[]): string {
  const header: Row = {
    measure: 'measure',
    library: 'contact-sync',
    alternative: 'hand-written',
    ratio: 'ratio (spread)',
    goal: 'goal',
    met: 'met',
  };
  const keys = Object.keys(header) as (keyof Row)[];
  const widths = keys.map((key) => Math.max(...[header, ...rows].map((row) => row[key].length)));
  const line = (row: Row) =>
    `| ${keys.map((key, index) => row[key].padEnd(widths[index] as number)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 2) => value.toFixed(digits);
export const range = ([low, high]: [number, number], digits = 2) =>
  `${low.toFixed(digits)}–${high.toFixed(digits)}`;
export const verdict = (met: boolean) => (met ? 'yes' : 'no');
