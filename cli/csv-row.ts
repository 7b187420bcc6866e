/** One CSV line: each cell quoted only when it holds the separator, a quote or a line break. */
export function csvRow(cells: readonly string[], delimiter = ','): string {
  return cells
    .map((cell) =>
      cell.includes(delimiter) || /["\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell,
    )
    .join(delimiter);
}
