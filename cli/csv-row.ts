/** One CSV line: each cell quoted only when it holds the separator, a quote or a line break. */
export function csvRow(cells: readonly string[]): string {
  return cells
    .map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell))
    .join(',');
}
